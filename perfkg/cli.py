"""The ``perfkg`` command: one short function per command over the library.

Every command calls the library and turns a ``PerfkgError`` into one ``Error:`` line on stderr
and its exit code (README, "Exit codes"). Heavy imports happen inside the commands so that
``perfkg --help`` answers at once.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from perfkg import __version__
from perfkg.errors import PerfkgError

app = typer.Typer(
    name="perfkg",
    help="Turn Chinese project performance target tables (项目支出绩效目标表) into a knowledge graph.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class ParseFormat(str, Enum):
    table = "table"
    json = "json"


def _fail(error: PerfkgError | str, code: int = 2) -> NoReturn:
    _print_error(error)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"perfkg {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """perfkg: performance target tables → RDF knowledge graph."""


Files = Annotated[
    list[Path],
    typer.Argument(help="Table files: Word text export (.txt), .docx, .xlsx, .pdf or .html.", show_default=False),
]
Encoding = Annotated[
    str | None,
    typer.Option("--encoding", help="Text encoding of .txt files when not UTF-8 (e.g. gb18030)."),
]


@app.command()
def parse(
    files: Files,
    format: Annotated[ParseFormat, typer.Option("--format", "-f", help="table: a summary; json: the full reading.")] = ParseFormat.table,
    detail: Annotated[bool, typer.Option("--detail", "-d", help="With --format table: list every indicator.")] = False,
    encoding: Encoding = None,
) -> None:
    """Read table files and print what was read. Nothing is stored.

    Exit 0 when every file was read, 2 when any could not be (each named on stderr).
    """
    from perfkg.readers import read

    documents, errors = [], []
    for path in files:
        try:
            documents.append(read(path, encoding=encoding))
        except PerfkgError as e:
            errors.append(e)
    if errors:
        for e in errors[:-1]:
            _print_error(e)
        _fail(errors[-1])
    _warn([n for d in documents for n in d.notes])
    if format is ParseFormat.json:
        from perfkg.serialize import to_json

        sys.stdout.write(to_json(documents) + "\n")
    else:
        from perfkg.report import print_documents

        print_documents(documents, detail=detail)


StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store", "-s", envvar="PERFKG_STORE", show_default=False,
        help="The store directory [default: .perfkg in the current directory; env PERFKG_STORE].",
    ),
]
BaseOption = Annotated[
    str,
    typer.Option("--base", envvar="PERFKG_BASE", help="Base IRI of the resources perfkg mints (env PERFKG_BASE)."),
]
DEFAULT_BASE = "https://w3id.org/perfkg/id"


def _open_store(path: Path | None, *, read_only: bool = False):
    from perfkg.store import Store, default_store_path

    try:
        return Store(path or default_store_path(), read_only=read_only)
    except PerfkgError as e:
        _fail(e)


@app.command()
def ingest(
    files: Files,
    store: StoreOption = None,
    base: BaseOption = DEFAULT_BASE,
    encoding: Encoding = None,
    keep_going: Annotated[bool, typer.Option("--keep-going", help="Ingest what can be read; report the rest.")] = False,
) -> None:
    """Read table files into the store, one named graph per document.

    Re-ingesting a file replaces its graph; an unchanged file is skipped. Each document is
    stored whole or not at all. Exit 0 when every file was ingested, 2 when any failed.
    """
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from perfkg.ingest import ingest as run_ingest

    db = _open_store(store)
    started = time.perf_counter()
    console = Console(stderr=True)
    with Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=console, transient=True, disable=len(files) < 4,
    ) as bar:
        task = bar.add_task("ingesting", total=len(files))
        report = run_ingest(
            files, db, base=base, encoding=encoding, keep_going=keep_going,
            progress=lambda r: bar.advance(task),
        )
    db.close()
    _warn(report.notes)
    from perfkg.report import print_ingest

    print_ingest(report, seconds=time.perf_counter() - started)
    if report.failed:
        for r in report.failed[:-1]:
            _print_error(r.error)  # type: ignore[arg-type]
        last = report.failed[-1].error
        if not keep_going and len(report.results) < len(files):
            skipped = len(files) - len(report.results)
            _fail(f"{last}\n{skipped} later file(s) not ingested; fix this one and run again (stored files are skipped)")
        _fail(last)  # type: ignore[arg-type]


@app.command()
def info(
    store: StoreOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
    documents: Annotated[bool, typer.Option("--documents", help="List the stored documents too.")] = False,
) -> None:
    """Count what the store holds: documents, budget units, projects, indicators, targets,
    beneficiary populations and triples."""
    import json

    from perfkg.ingest import info as count

    db = _open_store(store, read_only=True)
    counts = count(db)
    docs = db.documents() if documents else []
    db.close()
    if json_output:
        payload = dict(counts)
        if documents:
            payload["documents_list"] = [_record(d) for d in docs]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    from perfkg.report import print_info

    print_info(counts, docs)


def _record(d) -> dict:
    return {"path": d.path, "graph": d.graph, "sha256": d.sha256, "ingested": d.ingested, "triples": d.triples}


@app.command()
def remove(
    document: Annotated[str, typer.Argument(help="The document: its file path, graph IRI, or sha256 (8+ hex digits).")],
    store: StoreOption = None,
) -> None:
    """Drop one document's named graph from the store."""
    from perfkg.ingest import remove as drop

    db = _open_store(store)
    try:
        removed = drop(db, document)
    except PerfkgError as e:
        db.close()
        _fail(e)
    db.close()
    for path in removed:
        typer.echo(f"removed {path}")


# --- validate (issue 5) -----------------------------------------------------------------------


# --- query, push (issue 6) --------------------------------------------------------------------


# --- export, publish, serve (issue 7) ---------------------------------------------------------


# --- shared helpers ---------------------------------------------------------------------------


def _print_error(error: PerfkgError | str) -> None:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, highlight=False).print(f"[bold red]Error:[/] {escape(str(error))}", soft_wrap=True)


def _warn(notes: list) -> None:
    if not notes:
        return
    from rich.console import Console

    from rich.markup import escape

    console = Console(stderr=True, highlight=False)
    for note in notes:
        console.print(f"[yellow]warning:[/] {escape(str(note))}", soft_wrap=True)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
