"""The README starts with the two commands, and CI runs the second of them."""

from __future__ import annotations

import re

from .conftest import ROOT


def _first_commands() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block and text.index(block.group(0)) < 200, "the README opens with its commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands() -> None:
    commands = _first_commands()
    assert len(commands) == 2
    setup, tests = commands
    assert setup.startswith("python3 -m venv .venv") and "perfkg " in setup and "data/" in setup
    assert tests.startswith("python3 -m venv .venv") and "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert _first_commands()[1] in ci


def test_readme_main_job_names_a_bundled_file() -> None:
    setup = _first_commands()[0]
    path = re.search(r"(data/\S+)", setup).group(1)
    assert (ROOT / path).is_file()
