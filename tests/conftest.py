"""Shared fixtures: the bundled sample, and running the real `perfkg` command."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "tianjin-353302-2025-project-performance-targets.txt"
DATA = Path(__file__).resolve().parent / "data"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_perfkg(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the real command line in a subprocess, as a user would."""
    proc = subprocess.run(
        [sys.executable, "-m", "perfkg", *map(str, args)],
        capture_output=True, text=True, cwd=cwd or ROOT, timeout=120,
        env={**os.environ, **(env or {})},
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def sample_doc():
    import perfkg

    return perfkg.read(SAMPLE)
