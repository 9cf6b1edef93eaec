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
    rich_markup_mode="markdown",
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
    typer.Argument(help="Table files: Word text export (.txt), .docx, .xlsx, .pdf or .html; a directory "
                   "stands for the table files under it.", show_default=False),
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

    files = _table_files(files)
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
        help="The store directory (default: .perfkg in the current directory, or $PERFKG_STORE).",
    ),
]
BaseOption = Annotated[
    str,
    typer.Option("--base", envvar="PERFKG_BASE", help="Base IRI of the resources perfkg mints (env PERFKG_BASE)."),
]
DEFAULT_BASE = "https://w3id.org/perfkg/id"


def _table_files(paths: list[Path]) -> list[Path]:
    from perfkg.readers import table_files

    try:
        return table_files(paths)
    except PerfkgError as e:
        _fail(e)


def _open_store(path: Path | None, *, read_only: bool = False):
    from perfkg.store import Store, default_store_path

    try:
        db = Store(path or default_store_path(), read_only=read_only)
    except PerfkgError as e:
        _fail(e)
    if read_only:
        _warn_outdated(db)
        if db.view_time is not None:
            from rich.console import Console

            Console(stderr=True, highlight=False, soft_wrap=True).print(
                f"[dim]another perfkg process is writing {db.path}: this is the store as it was at "
                f"{db.view_time.astimezone():%H:%M:%S}[/dim]")
    return db


def _warn_outdated(db) -> None:
    """Say so when documents were mapped by an older perfkg: they lack what the named queries
    and the shapes of this one read, and a re-ingest of the same files maps them anew."""
    from rich.console import Console
    from rich.markup import escape

    from perfkg.mapping import MAPPING_VERSION

    old = [d for d in db.documents(counts=False) if d.mapping != MAPPING_VERSION]
    if old:
        more = f" and {len(old) - 1} more" if len(old) > 1 else ""
        Console(stderr=True, highlight=False).print(
            f"[yellow]warning:[/yellow] {len(old)} document(s) in {db.path} were ingested by an older perfkg; "
            f"run `perfkg ingest` on their files again to bring them up to date ({escape(old[0].path)}{more})")


@app.command()
def ingest(
    files: Files,
    store: StoreOption = None,
    base: BaseOption = DEFAULT_BASE,
    encoding: Encoding = None,
    keep_going: Annotated[bool, typer.Option("--keep-going", help="Ingest what can be read; report the rest.")] = False,
) -> None:
    """Read table files into the store, one named graph per document.

    Re-ingesting a file replaces its graph; an unchanged file is skipped. The same tables in
    another format (a .docx of a stored .txt) are skipped too, so of a directory holding one
    table in several formats the first in name order is stored; other tables of stored projects
    fail until `perfkg remove` drops the old file. Each document is stored whole or not at all.
    Exit 0 when every file was ingested or skipped, 2 when any failed.
    """
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from perfkg.ingest import ingest as run_ingest

    files = _table_files(files)
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
            on_optimize=lambda: bar.update(task, description="compacting the store"),
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


class ValidateFormat(str, Enum):
    text = "text"
    json = "json"
    ttl = "ttl"


class ValidateLang(str, Enum):
    zh = "zh"
    en = "en"


class ValidateProfile(str, Enum):
    auto = "auto"
    rules_2021 = "2021"
    legacy = "legacy"


class FailOn(str, Enum):
    violation = "violation"
    warning = "warning"


@app.command()
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Table files to read and validate in memory (nothing is stored). "
                            "Without files: the documents in the store.", show_default=False),
    ] = None,
    document: Annotated[
        str | None,
        typer.Option("--document", "-d", help="Validate one stored document: its path, graph IRI or sha256 prefix."),
    ] = None,
    store: StoreOption = None,
    lang: Annotated[ValidateLang, typer.Option("--lang", help="Language of the messages.")] = ValidateLang.zh,
    format: Annotated[
        ValidateFormat,
        typer.Option("--format", "-f", help="text: by document and project; json; ttl: the SHACL validation report."),
    ] = ValidateFormat.text,
    profile: Annotated[
        ValidateProfile,
        typer.Option("--profile", help="auto: per document, from where its 成本指标 sit; 2021: 财预〔2021〕101号 "
                                       "(成本 at level 1); legacy: 成本 under 产出."),
    ] = ValidateProfile.auto,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 1 on violations only, or on warnings too.")
    ] = FailOn.violation,
    base: BaseOption = DEFAULT_BASE,
    encoding: Encoding = None,
) -> None:
    """Check tables against the SHACL shapes: completeness and consistency, with each finding's
    file, table and row.

    Exit 0 when nothing at the --fail-on level was found, 1 when something was, 2 on an error.
    """
    from perfkg.validate import validate as run_validate

    if files and document:
        _fail("give table files or --document, not both")
    try:
        if files:
            report = run_validate(files, profile=profile.value, encoding=encoding, base=base)
        else:
            db = _open_store(store, read_only=True)
            try:
                report = run_validate(db, document=document, profile=profile.value)
            finally:
                db.close()
    except PerfkgError as e:
        _fail(e)
    _warn(report.notes)
    if format is ValidateFormat.json:
        sys.stdout.write(report.to_json() + "\n")
    elif format is ValidateFormat.ttl:
        sys.stdout.write(report.to_turtle())
    else:
        sys.stdout.write(report.to_text(lang.value))
    raise typer.Exit(report.exit_code(fail_on.value))


# --- query, push (issue 6) --------------------------------------------------------------------


class QueryFormat(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"
    ttl = "ttl"
    jsonld = "jsonld"
    nt = "nt"


EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint", envvar="PERFKG_ENDPOINT", show_default=False,
        help="A SPARQL 1.1 query endpoint to ask instead of the store (env PERFKG_ENDPOINT). Credentials "
        "only from the environment: PERFKG_ENDPOINT_TOKEN, or PERFKG_ENDPOINT_USER and PERFKG_ENDPOINT_PASSWORD.",
    ),
]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait for a server's answer.")]
RetriesOption = Annotated[int, typer.Option("--retries", help="Retries after a connection error or a 5xx, with back-off.")]


def _endpoint(url: str, timeout: float, retries: int, **urls: str | None):
    from perfkg.remote import Endpoint

    try:
        return Endpoint(url, timeout=timeout, retries=retries, **urls)
    except PerfkgError as e:
        _fail(e)


@app.command("query")
def query_command(
    query: Annotated[
        str | None,
        typer.Argument(help="A named query (see --list) or a .rq file.", show_default=False),
    ] = None,
    sparql: Annotated[str | None, typer.Option("--query", "-q", help="SPARQL text to run.", show_default=False)] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="NAME=VALUE for a parameter of the query (repeatable).", show_default=False),
    ] = None,
    list_queries: Annotated[bool, typer.Option("--list", help="List the named queries and their parameters.")] = False,
    format: Annotated[
        QueryFormat,
        typer.Option("--format", "-f", help="table, or SPARQL results csv/tsv/json/xml; ttl/jsonld/nt for CONSTRUCT and DESCRIBE."),
    ] = QueryFormat.table,
    endpoint: EndpointOption = None,
    store: StoreOption = None,
    timeout: TimeoutOption = 60.0,
    retries: RetriesOption = 3,
) -> None:
    """Ask the knowledge graph: a named query, a .rq file, or SPARQL text.

    The store's named graphs together are the default graph. Exit 2 on a malformed query (with
    its line and column), an unknown query or parameter, or a server error.
    """
    from perfkg import query as q

    if list_queries:
        q.print_library(q.library())
        return
    try:
        if sparql is not None:
            if query is not None:
                _fail("give a named query, a .rq file or --query 'SPARQL', not two of them")
            target: str | q.NamedQuery = sparql
        elif query is None:
            _fail("name a query (perfkg query --list), a .rq file, or give --query 'SPARQL'")
        elif query.endswith(".rq") or Path(query).is_file():
            target = q.load(query)
        else:
            target = q.get(query)
        params = {}
        for item in param or []:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                _fail(f"--param {item!r}: write NAME=VALUE")
            params[name.strip()] = value
        if endpoint:
            result = q.run(target, endpoint=_endpoint(endpoint, timeout, retries), params=params)
        else:
            db = _open_store(store, read_only=True)
            try:
                result = q.run(target, store=db, params=params)
            finally:
                db.close()
        if format is QueryFormat.table:
            if result.kind in ("construct", "describe"):
                sys.stdout.buffer.write(result.serialize("ttl"))
            else:
                q.print_table(result)
        else:
            sys.stdout.buffer.write(result.serialize(format.value))
        sys.stdout.flush()
    except PerfkgError as e:
        _fail(e)


@app.command("push")
def push_command(
    documents: Annotated[
        list[str] | None,
        typer.Argument(help="Documents to push (path, graph IRI or sha256 prefix; default: all).", show_default=False),
    ] = None,
    endpoint: Annotated[
        str, typer.Option("--endpoint", envvar="PERFKG_ENDPOINT", help="The server's SPARQL query endpoint (env PERFKG_ENDPOINT).")
    ] = ...,  # type: ignore[assignment]
    graph_store: Annotated[
        str | None,
        typer.Option("--graph-store", help="Its Graph Store Protocol endpoint (default: …/query → …/store, …/sparql → …/data).", show_default=False),
    ] = None,
    update: Annotated[
        str | None,
        typer.Option("--update-endpoint", help="Its SPARQL Update endpoint, used without a graph store (default: …/update).", show_default=False),
    ] = None,
    ascii_only: Annotated[
        bool, typer.Option("--ascii", help="Send non-ASCII characters as \\u escapes (servers that misread UTF-8).")
    ] = False,
    store: StoreOption = None,
    timeout: TimeoutOption = 60.0,
    retries: RetriesOption = 3,
) -> None:
    """Upload the store's documents to a SPARQL server, one named graph per document.

    Each graph replaces the server's graph of the same name (Graph Store Protocol PUT, or SPARQL
    Update when the server has no graph store), so pushing twice leaves the same data.
    Credentials only from the environment: PERFKG_ENDPOINT_TOKEN, or PERFKG_ENDPOINT_USER and
    PERFKG_ENDPOINT_PASSWORD.
    """
    from perfkg.remote import push

    ep = _endpoint(endpoint, timeout, retries, store_url=graph_store, update_url=update)
    db = _open_store(store, read_only=True)
    try:
        report = push(db, ep, documents or [], ascii_only=ascii_only,
                      progress=lambda g: typer.echo(f"pushed {g.path}: {g.triples} triples → <{g.graph}> ({g.method})"))
    except PerfkgError as e:
        _fail(e)
    finally:
        db.close()
    total = sum(g.triples for g in report.graphs)
    typer.echo(f"{len(report.graphs)} graph(s), {total} triples pushed to {report.endpoint}")
    for g in report.mismatched:
        _print_error(f"<{g.graph}>: the server holds {g.remote_triples} triples, the store {g.triples}")
    if report.mismatched:
        raise typer.Exit(2)


# --- export, publish, serve (issue 7) ---------------------------------------------------------


class ExportFormat(str, Enum):
    ttl = "ttl"
    nt = "nt"
    nq = "nq"
    trig = "trig"
    jsonld = "jsonld"
    xml = "xml"


@app.command()
def export(
    documents: Annotated[
        list[str] | None,
        typer.Argument(help="Documents to export (path, graph IRI or sha256 prefix); default: all.", show_default=False),
    ] = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="ttl, nt, xml, jsonld (one graph); nq, trig (a named graph per document).")] = ExportFormat.ttl,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE instead of standard output.")] = None,
    store: StoreOption = None,
) -> None:
    """Export the store, or chosen documents, as RDF.

    JSON-LD is compact, with the context perfkg ships (perfkg/export/context.jsonld). What is
    exported parses back to the very graph the store holds (without its bookkeeping graph).
    """
    from perfkg.export import export as run_export

    db = _open_store(store, read_only=True)
    try:
        data = run_export(db, format.value, documents or None, out=output)
    except PerfkgError as e:
        db.close()
        _fail(e)
    db.close()
    if data is not None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


@app.command()
def publish(
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to write the site into (created if missing).")],
    base_url: Annotated[str, typer.Option("--base-url", help="Where the site will be served from, e.g. https://data.example.gov.cn/perfkg; resource IRIs become {base-url}/id/….")],
    store: StoreOption = None,
    licence: Annotated[str | None, typer.Option("--licence", help="Licence IRI of the data [default: EU authority CC_BY_4_0].")] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", help="Name of the catalogue's publisher.")] = None,
    contact_email: Annotated[str | None, typer.Option("--contact-email", help="E-mail of the catalogue's contact point.")] = None,
    sparql_endpoint: Annotated[str | None, typer.Option("--sparql-endpoint", help="URL of a SPARQL endpoint serving the same data (e.g. perfkg serve's /sparql).")] = None,
) -> None:
    """Write a static linked-data site: DCAT-AP 3 catalogue, VoID, a page per resource with its
    Turtle and JSON-LD beside it, CSV with CSVW metadata, dumps, ontology docs, a dashboard."""
    import time

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from perfkg.publish import publish as run_publish

    db = _open_store(store, read_only=True)
    options = {"licence": licence, "publisher": publisher, "contact_email": contact_email,
               "sparql_endpoint": sparql_endpoint}
    started = time.perf_counter()
    tasks: dict[str, object] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        def progress(stage: str, n: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=n)  # type: ignore[arg-type]

        try:
            report = run_publish(db, output, base_url, options=options, progress=progress)
        except PerfkgError as e:
            db.close()
            _fail(e)
    db.close()
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.kinds.items()))
    typer.echo(f"published {report.pages} pages ({kinds}), {report.datasets} dataset(s), {report.files} files "
               f"into {report.out} in {time.perf_counter() - started:.1f} s; open {report.out / 'index.html'}")


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 8000,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Public URL of the server, if behind a proxy [default: from each request].")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Time limit of one SPARQL query, in seconds.")] = 10.0,
    max_results: Annotated[int, typer.Option("--max-results", help="Most rows (or triples) one query returns.")] = 10_000,
    workers: Annotated[int, typer.Option("--workers", help="Query worker processes.")] = 2,
) -> None:
    """Serve the pages live with content negotiation, a read-only SPARQL endpoint at /sparql,
    a query page and a dashboard. Stop with Ctrl-C."""
    from perfkg.store import default_store_path

    path = store or default_store_path()
    _open_store(path, read_only=True).close()  # a missing store is one clear error, before the server starts
    from perfkg.web.app import serve as run_serve

    typer.echo(f"perfkg serve: http://{host}:{port}/ (store {path}); Ctrl-C stops", err=True)
    run_serve(path, host=host, port=port, base_url=base_url, timeout=timeout, max_results=max_results, workers=workers)


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
