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


def test_ci_installs_what_the_tests_need_strictly_so_none_of_them_skips() -> None:
    """Every install script in the README's test command is there, and CI runs it first with
    --strict (a failed install stops CI); PERFKG_REQUIRE_SERVERS=1 turns a missing Virtuoso
    into failed tests rather than skipped ones."""
    scripts = re.findall(r"(scripts/install-\S+)", _first_commands()[1])
    assert {"scripts/install-browser", "scripts/install-servers"} <= set(scripts)
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    test_command = ci.index(_first_commands()[1])
    for script in scripts:
        path = ROOT / script
        assert path.is_file() and path.stat().st_mode & 0o111, f"{script} is an executable file"
        strict = re.search(rf"^{re.escape(script)} --strict$", ci, re.M)
        assert strict and strict.start() < test_command, f".ci/run runs {script} --strict before the tests"
    require = re.search(r"^export PERFKG_REQUIRE_SERVERS=1$", ci, re.M)
    assert require and require.start() < test_command


def test_readme_main_job_names_a_bundled_file() -> None:
    setup = _first_commands()[0]
    path = re.search(r"(data/\S+)", setup).group(1)
    assert (ROOT / path).is_file()
