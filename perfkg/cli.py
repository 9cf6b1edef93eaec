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
