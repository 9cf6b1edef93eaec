"""The wheel carries everything perfkg reads at run time, and works outside the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLE


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (built,) = out.glob("perfkg-*.whl")
    return built


def test_wheel_ships_the_data_files(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("labels.toml", "taxonomy.toml", "units.toml", "comparators.toml"):
        assert f"perfkg/vocab/{data}" in names
    assert "perfkg/schemas/parse.schema.json" in names
    for ttl in ("perfkg.ttl", "code-lists.ttl", "indicator-taxonomy.ttl"):
        assert f"perfkg/ontology/{ttl}" in names
    assert any(n.endswith("entry_points.txt") for n in names)


def test_installed_wheel_runs_the_main_job_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    # The wheel's copy comes first on the path, the source tree is nowhere near the cwd.
    env = {**os.environ, "PYTHONPATH": str(target)}
    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = subprocess.run(
        [sys.executable, "-c", "import perfkg; print(perfkg.__file__)"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )
    assert probe.stdout.strip().startswith(str(target))
    helped = subprocess.run([sys.executable, "-m", "perfkg", "--help"], cwd=work, env=env, capture_output=True, text=True)
    assert helped.returncode == 0 and "parse" in helped.stdout
    parsed = subprocess.run(
        [sys.executable, "-m", "perfkg", "parse", str(SAMPLE), "--format", "json"],
        cwd=work, env=env, capture_output=True, text=True,
    )
    assert parsed.returncode == 0, parsed.stderr
    doc = json.loads(parsed.stdout)["documents"][0]
    assert len(doc["projects"]) == 8
    assert sum(len(p["indicators"]) for p in doc["projects"]) == 71
    located = subprocess.run(
        [sys.executable, "-c", "from perfkg.resources import ontology_files; print(ontology_files()[0])"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )
    assert located.stdout.strip().startswith(str(target)), "the packaged ontology, not the source tree's"
    stored = subprocess.run(
        [sys.executable, "-m", "perfkg", "ingest", str(SAMPLE), "--store", str(work / "store")],
        cwd=work, env=env, capture_output=True, text=True,
    )
    assert stored.returncode == 0, stored.stderr
