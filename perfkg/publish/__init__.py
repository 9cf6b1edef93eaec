"""``perfkg publish``: a static linked-data site that any web server can host.

Layout of the output directory (``{base-url}`` is where it will be served from):

- ``id/{path}/index.html``, ``index.ttl``, ``index.jsonld`` — one directory per resource
  (document, budget unit, project, indicator, population, population group, organisation).
  The store's IRIs are **rebased**: ``{ingest base}/{path}`` becomes ``{base-url}/id/{path}``,
  so the IRI ``{base-url}/id/unit/353302`` resolves on any static host (a directory request is
  redirected to ``…/353302/`` and answered with its ``index.html``). Ontology, taxonomy and code
  list IRIs (``https://w3id.org/perfkg/…``) are not rebased: they are the vocabulary's own.
- ``catalog.ttl``, ``catalog.jsonld`` (DCAT-AP 3), ``catalog/index.html``, ``void.ttl``;
- ``dumps/{unit}-{year}.{ttl,nt,nq,trig,jsonld,rdf}`` per dataset, ``dumps/perfkg.nq`` whole;
- ``csv/projects.csv``, ``csv/indicators.csv`` and per dataset, with ``csv/csv-metadata.json`` (CSVW);
- ``context.jsonld`` (the JSON-LD context the ``.jsonld`` files refer to), ``ontology/``
  (documentation and the Turtle files), ``dashboard/``, ``index.html``, ``assets/``.

Links between pages are relative, so the site also works under any sub-path.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from perfkg.errors import PerfkgError

__all__ = ["PublishError", "PublishReport", "publish"]


class PublishError(PerfkgError):
    """The site cannot be written (bad base URL, empty store, unwritable directory)."""


@dataclass
class PublishReport:
    out: Path
    pages: int = 0
    datasets: int = 0
    files: int = 0
    kinds: dict[str, int] = field(default_factory=dict)


def _safe(out: Path, rel: str) -> Path:
    target = (out / rel).resolve()
    if not str(target).startswith(str(out.resolve())):
        raise PublishError(f"refusing to write outside {out}: {rel}")
    return target


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def publish(store, out: str | Path, base_url: str, *, options: dict | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> PublishReport:
    """Write the site for ``store`` into ``out``, to be served at ``base_url``."""
    from perfkg.export import FORMATS, graph_quads, serialize
    from perfkg.export.jsonld import CONTEXT_PATH
    from perfkg.publish import csvw
    from perfkg.publish.dcat import DUMP_FORMATS, catalogue_graph, datasets, void_graph
    from perfkg.resources import ontology_files
    from perfkg.web.render import STATIC
    from perfkg.web.site import Site

    if not base_url.startswith(("http://", "https://")):
        raise PublishError(f"--base-url must be an http(s) URL, not {base_url!r}")
    if not store.documents(counts=False):
        raise PublishError("the store holds no documents; run `perfkg ingest FILE` first")
    options = dict(options or {})
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PublishError(f"cannot create {out}: {e.strerror or e}") from None
    report = PublishReport(out)
    licence = options.get("licence") or "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    site = Site(store, base_url, live=False, info={"licence_note": f"数据许可 Licence: {licence}"})
    written: dict[str, tuple[int, str]] = {}

    def write(rel: str, data: bytes | str, *, record: bool = False) -> None:
        path = _safe(out, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path.write_bytes(raw)
        report.files += 1
        if record:
            written[rel] = (len(raw), hashlib.sha256(raw).hexdigest())

    try:
        shutil.copytree(STATIC, out / "assets", dirs_exist_ok=True)
        shutil.copyfile(CONTEXT_PATH, out / "context.jsonld")
        # --- one directory per resource --------------------------------------------------------
        iris = site.paged()
        for n, iri in enumerate(iris, start=1):
            rel = "id/" + site.rebase.path(iri)  # type: ignore[operator]
            write(f"{rel}/index.html", site.page_html(iri))
            write(f"{rel}/index.ttl", site.rdf(iri, "ttl"))
            write(f"{rel}/index.jsonld", site.rdf(iri, "jsonld"))
            kind = site.view.kind(iri) or "resource"
            report.kinds[kind] = report.kinds.get(kind, 0) + 1
            if progress:
                progress("pages", n, len(iris))
        report.pages = len(iris)
        # --- datasets: dumps and CSV ---------------------------------------------------------
        sets = datasets(site)
        report.datasets = len(sets)
        (out / "csv").mkdir(exist_ok=True)
        # The whole store as one N-Quads dump, written a dataset at a time (N-Quads files simply
        # concatenate): holding every quad until the end took 4.9 GiB at 10 000 tables.
        everything = _safe(out, "dumps/perfkg.nq")
        everything.parent.mkdir(parents=True, exist_ok=True)
        everything.write_bytes(b"")
        csv_tables: list[tuple[str, str]] = [("projects.csv", "projects"), ("indicators.csv", "indicators")]
        for table in ("projects", "indicators"):
            csvw.write_csv(out / "csv" / f"{table}.csv", table, [])
        for n, d in enumerate(sets, start=1):
            quads = site.rebase.quads(graph_quads(store, d.graphs))
            with everything.open("ab") as f:
                f.write(serialize(quads, "nq"))
            for fmt in DUMP_FORMATS:
                write(f"dumps/{d.key}.{FORMATS[fmt].extension}", serialize(quads, fmt, context_ref=site.context_ref),
                      record=True)
            for table in ("projects", "indicators"):
                data = csvw.rows(store, table, d.graphs, site.rebase.to_public)
                path = out / "csv" / f"{d.key}-{table}.csv"
                csvw.write_csv(path, table, data)
                raw = path.read_bytes()
                written[f"csv/{d.key}-{table}.csv"] = (len(raw), hashlib.sha256(raw).hexdigest())
                csvw.write_csv(out / "csv" / f"{table}.csv", table, data, header=False, mode="a")
                csv_tables.append((f"{d.key}-{table}.csv", table))
            if progress:
                progress("datasets", n, len(sets))
        written["dumps/perfkg.nq"] = (everything.stat().st_size, _sha256(everything))
        report.files += 1
        write("csv/csv-metadata.json", csvw.dumps(csvw.metadata(csv_tables, licence)))
        # --- catalogue, VoID --------------------------------------------------------------
        catalogue = catalogue_graph(site, options, written)
        write("catalog.ttl", serialize(catalogue, "ttl"))
        write("catalog.jsonld", serialize(catalogue, "jsonld", context_ref=site.context_ref))
        void = serialize(void_graph(site, options), "ttl")
        write("void.ttl", void)
        write(".well-known/void", void)  # the VoID spec's well-known location

        def unit_href(iri: str) -> str:
            return "id/" + (site.rebase.path(iri) or "") + "/"

        write("catalog/index.html", site.renderer.render(
            "catalog.html", "catalog/", datasets=sets, formats=[FORMATS[f] for f in DUMP_FORMATS], unit_href=unit_href))
        # --- ontology, dashboard, index -------------------------------------------------------
        (out / "ontology").mkdir(exist_ok=True)
        for path in ontology_files():
            shutil.copyfile(path, out / "ontology" / path.name)
        write("ontology/index.html", site.ontology_html())
        write("dashboard/index.html", site.dashboard_html())
        downloads = [
            {"href": "catalog/", "zh": "数据目录（DCAT-AP）", "en": "Catalogue (DCAT-AP 3): catalog.ttl, catalog.jsonld"},
            {"href": "void.ttl", "zh": "VoID 数据集描述", "en": "VoID description"},
            {"href": "dumps/perfkg.nq", "zh": "全部数据（N-Quads）", "en": "Everything, as N-Quads"},
            {"href": "csv/projects.csv", "zh": "项目表（CSV）", "en": "Projects (CSV)"},
            {"href": "csv/indicators.csv", "zh": "指标表（CSV）", "en": "Indicators (CSV)"},
            {"href": "csv/csv-metadata.json", "zh": "CSV 元数据（CSVW）", "en": "CSV metadata (CSVW)"},
            {"href": "context.jsonld", "zh": "JSON-LD 上下文", "en": "JSON-LD context"},
        ]
        if options.get("sparql_endpoint"):
            downloads.insert(0, {"href": options["sparql_endpoint"], "zh": "SPARQL 查询端点", "en": "SPARQL endpoint"})
        write("index.html", site.index_html(downloads))
    except OSError as e:
        raise PublishError(f"writing the site into {out} failed: {e.strerror or e}") from None
    return report
