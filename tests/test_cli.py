"""The `perfkg` command as a user runs it: real subprocesses, real files, exit codes and messages."""

from __future__ import annotations

import json
from decimal import Decimal
from importlib import resources

import jsonschema
import pytest

from .conftest import DATA, ROOT, SAMPLE, run_perfkg


@pytest.fixture(scope="module")
def sample_json() -> dict:
    run = run_perfkg("parse", SAMPLE, "--format", "json")
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    return json.loads(run.stdout)


def test_parse_json_matches_the_done_when_figures(sample_json) -> None:
    (doc,) = sample_json["documents"]
    projects = doc["projects"]
    assert len(projects) == 8
    assert [p["name"] for p in projects] == doc["contents"]
    assert [p["budget"]["total"] for p in projects] == [
        "1324.00", "350.00", "4278.00", "341650.00", "343796.00", "44000.00", "2005178.00", "561.50",
    ]
    assert [len(p["indicators"]) for p in projects] == [11, 9, 7, 6, 6, 6, 6, 20]
    target = projects[3]["indicators"][0]["targets"][0]
    assert target == {
        "text": "≥34.77万人", "kind": "quantity", "comparator": ">=", "comparator_text": "≥",
        "comparator_source": "text", "number": "34.77", "multiplier": 10000, "value": "347700",
        "upper": None, "unit": "person", "unit_kind": "count", "unit_text": "万人", "duration": None,
        "start": None, "end": None, "period": None, "notes": [],
    }
    assert projects[3]["indicators"][0]["source"] == {"file": str(SAMPLE), "table": 4, "row": 7, "line": 314}


def test_parse_json_follows_its_schema(sample_json) -> None:
    schema = json.loads(resources.files("perfkg").joinpath("schemas", "parse.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(sample_json, schema, cls=jsonschema.Draft202012Validator,
                        format_checker=jsonschema.FormatChecker())


def test_decimals_are_strings_never_floats(sample_json) -> None:
    def walk(value):
        if isinstance(value, float):
            raise AssertionError(f"float in JSON: {value}")
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(sample_json)
    total = sum(Decimal(p["budget"]["total"]) for p in sample_json["documents"][0]["projects"])
    assert total == Decimal("2741137.50")


def test_parse_table_shows_projects_and_totals() -> None:
    run = run_perfkg("parse", SAMPLE)
    assert run.code == 0
    assert "2025年企业职工养老保险补助经费-中央" in run.stdout.replace("\n     ", "").replace(" ", "") or "2005178.00" in run.stdout
    assert "2741137.50" in run.stdout
    assert "8 个项目" in run.stdout and "71" in run.stdout


def test_parse_detail_lists_every_indicator() -> None:
    run = run_perfkg("parse", SAMPLE, "--detail", env={"COLUMNS": "160"})
    assert run.code == 0
    assert "≥34.77万人" in run.stdout and "≥ 347700 person" in run.stdout
    assert "by 2025-11-30" in run.stdout


@pytest.mark.parametrize(
    "name, message",
    [
        ("truncated-mid-row.txt", "table 2, row 9 (line 171): the last indicator row is cut short"),
        ("missing-project-name.txt", "table 3, row 1 (line 217): this table has no 项目名称"),
        ("binary-junk.txt", "a binary file, not a table"),
        ("empty.txt", "the file is empty"),
        ("gbk-encoded.txt", "not valid utf-8 text: byte 0xcc at offset 22 (try --encoding gb18030"),
        ("not-a-table.txt", "no performance target table found"),
    ],
)
def test_errors_are_one_line_with_exit_2(name: str, message: str) -> None:
    path = DATA / "errors" / name
    run = run_perfkg("parse", path)
    assert run.code == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"Error: {path}")
    assert message in lines[0]
    assert "Traceback" not in run.stderr


def test_one_bad_file_among_good_ones_fails_the_whole_run_and_names_it() -> None:
    bad = DATA / "errors" / "empty.txt"
    run = run_perfkg("parse", SAMPLE, bad, "--format", "json")
    assert run.code == 2
    assert run.stdout == "", "nothing half-written on stdout"
    assert str(bad) in run.stderr


def test_missing_file() -> None:
    run = run_perfkg("parse", ROOT / "no-such-file.txt")
    assert run.code == 2
    assert "no such file" in run.stderr


def test_a_directory_stands_for_the_tables_under_it(tmp_path) -> None:
    tree = tmp_path / "2025"
    (tree / "社保局").mkdir(parents=True)
    (tree / "社保局" / "目标表.txt").write_bytes(SAMPLE.read_bytes())
    (tree / "~$目标表.docx").write_bytes(b"lock file Word leaves beside an open document")
    (tree / ".cache").mkdir()
    (tree / ".cache" / "old.txt").write_text("not a table")
    (tree / "README.md").write_text("notes, not a table")
    run = run_perfkg("ingest", tree, "--store", tmp_path / "store")
    assert run.code == 0, run.stderr
    info = json.loads(run_perfkg("info", "--json", "--store", tmp_path / "store").stdout)
    assert (info["documents"], info["projects"], info["indicators"]) == (1, 8, 71)
    parsed = json.loads(run_perfkg("parse", tree, "--format", "json").stdout)
    assert [d["source"]["path"] for d in parsed["documents"]] == [str(tree / "社保局" / "目标表.txt")]


def test_a_directory_without_tables_is_an_error_and_no_store_is_made(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    run = run_perfkg("ingest", tmp_path / "empty", "--store", tmp_path / "store")
    assert run.code == 2
    assert f"{tmp_path / 'empty'}: no table files (.txt, .docx" in run.stderr
    assert not (tmp_path / "store").exists()


def test_encoding_option_reads_gbk() -> None:
    run = run_perfkg("parse", DATA / "errors" / "gbk-encoded.txt", "--encoding", "gb18030", "--format", "json")
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)["documents"][0]
    assert doc["projects"][0]["name"] == "社保经办大厅运转经费"
    # warnings go to stderr, the result to stdout
    assert "the 目录 lists 8 tables but 1 were found" in run.stderr


def test_help_answers_and_documents_every_command() -> None:
    import typer.main

    from perfkg.cli import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert {"parse", "ingest", "info", "remove"} <= set(commands)
    run = run_perfkg("--help")
    assert run.code == 0
    for name, command in commands.items():
        assert name in run.stdout
        assert command.help and len(command.help.strip()) > 20, f"{name} has no help text"
        sub = run_perfkg(name, "--help")
        assert sub.code == 0 and "Usage" in sub.stdout


def test_version() -> None:
    import perfkg

    run = run_perfkg("--version")
    assert run.code == 0 and run.stdout.strip() == f"perfkg {perfkg.__version__}"
