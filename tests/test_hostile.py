"""Hostile and broken input: a clear error or a warning naming the file, never a traceback or a
hang (files in tests/data/hostile/, made by its make_hostile.py; fuzzing in tests/fuzz/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import perfkg
from perfkg.errors import ReadError
from perfkg.serialize import document_to_dict, strip_sources

from .conftest import DATA, ROOT, SAMPLE, run_perfkg

HOSTILE = DATA / "hostile"
FUZZ = ROOT / "tests" / "fuzz"

REFUSED = {
    "truncated.docx": "a damaged zip archive",
    "truncated.xlsx": "a damaged zip archive",
    "corrupted.xlsx": "a damaged zip archive",
    "truncated.pdf": "a damaged PDF",
    "corrupted.pdf": "a damaged PDF",
    "zip-bomb.docx": "zip bomb",
    "no-document-xml.docx": "neither a .docx nor a .xlsx",
    "nul-in-text.txt": "a binary file",
    "table-without-indicator-header.txt": "has no indicator table",
    "only-headings.txt": "has no indicator table",
}


@pytest.mark.parametrize("name, message", sorted(REFUSED.items()))
def test_broken_files_end_in_one_clear_error(name: str, message: str) -> None:
    path = HOSTILE / name
    started = time.monotonic()
    run = run_perfkg("parse", path)
    assert time.monotonic() - started < 60, "bounded time"
    assert run.code == 2 and run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith(f"Error: {path}: ") and message in line
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("name", ["sample-utf16-bom.txt", "sample-utf8-bom.txt", "sample-crlf.txt"])
def test_encodings_and_line_ends_read_like_the_sample(name: str, sample_doc) -> None:
    doc = perfkg.read(HOSTILE / name)
    assert strip_sources(document_to_dict(doc))["projects"] == strip_sources(document_to_dict(sample_doc))["projects"]


def test_traditional_characters_read_like_simplified(sample_doc) -> None:
    from perfkg.population import populations_of

    doc = perfkg.read(DATA / "variants" / "tianjin-353302-2025-traditional-characters.txt")
    assert [len(p.indicators) for p in doc.projects] == [len(p.indicators) for p in sample_doc.projects]
    assert doc.projects[3].name == "2025年機關事業單位養老保險補助經費-市級"  # kept as written
    assert doc.projects[3].level == "municipal" and doc.projects[3].indicators[0].target.value == 347700
    assert [i.level1 for i in doc.projects[0].indicators] == [i.level1 for i in sample_doc.projects[0].indicators]
    shared = [tuple(link.project.table for link in p.links) for p in populations_of(doc)]
    assert (4, 5) in shared and (6, 7) in shared
    assert doc.notes == []


def test_ocr_noise_reads_with_warnings_not_errors() -> None:
    run = run_perfkg("parse", HOSTILE / "ocr-noise.txt", "--format", "json")
    assert run.code == 0
    assert "target '≥9O%': could not read this target; kept as text" in run.stderr
    assert "一级指标 '产出指杯' is not in the taxonomy" in run.stderr
    assert "Traceback" not in run.stderr
    doc = perfkg.read(HOSTILE / "ocr-noise.txt")
    area = doc.projects[0].indicators[6].target  # `≥3 2台`: a space inside the number
    assert (area.text, area.value, area.unit) == ("≥3 2台", 32, "machine")


def test_markup_and_formulas_in_cells_are_kept_as_text() -> None:
    doc = perfkg.read(HOSTILE / "html-and-formula-injection.txt")
    first = doc.projects[0].indicators[0]
    assert first.name == "<script>alert('x')</script>"
    assert first.description == '=HYPERLINK("http://evil.example","点我")'


def test_a_200_mb_text_file_is_refused_at_once(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        line = ("\t保障办事大厅正常运转" * 20 + "\n").encode("utf-8")
        for _ in range(200 * 2**20 // len(line)):
            f.write(line)
    started = time.monotonic()
    run = run_perfkg("parse", big)
    assert time.monotonic() - started < 20
    assert run.code == 2 and "perfkg reads text files up to 64 MiB" in run.stderr


def test_reading_is_bounded_in_time() -> None:
    with pytest.raises(ReadError, match="reading took longer than 0.01 s"):
        perfkg.read(DATA / "sample" / "tianjin-353302-2025.pdf", timeout=0.01)


@pytest.mark.parametrize("crash", sorted((FUZZ / "regressions").iterdir()), ids=lambda p: p.name)
def test_inputs_that_once_crashed_the_reader(crash: Path) -> None:
    try:
        perfkg.read(crash)
    except ReadError as e:
        assert str(e).startswith(str(crash))


def test_fuzz_the_text_reader_for_a_fixed_budget(tmp_path: Path) -> None:
    """Coverage-guided fuzzing (atheris) from the seed corpus; FUZZ_SECONDS sets the budget."""
    pytest.importorskip("atheris", reason="atheris is in the test extra; install it with pip install -e '.[test]'")
    corpus = tmp_path / "corpus"
    shutil.copytree(FUZZ / "corpus", corpus)
    seconds = int(os.environ.get("FUZZ_SECONDS", "20"))
    run = subprocess.run(
        [sys.executable, str(FUZZ / "fuzz_text_reader.py"), f"-max_total_time={seconds}", "-rss_limit_mb=2048",
         "-timeout=10", f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, timeout=seconds + 120, cwd=tmp_path,
    )
    crashes = list(tmp_path.glob("crash-*")) + list(tmp_path.glob("timeout-*")) + list(tmp_path.glob("oom-*"))
    assert run.returncode == 0 and not crashes, run.stderr[-3000:]
    assert "Done" in run.stderr
