"""One linked-data site over a store, rendered by ``perfkg publish`` (files) and ``perfkg serve`` (live).

``Site(store, public)`` answers: which store IRI a public path names, a resource's HTML page and
its RDF (Turtle, JSON-LD, N-Triples, with IRIs rebased to the public space), the index page, the
dashboard and the ontology's documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perfkg.namespaces import RDF
from perfkg.web.view import PAGED_TYPES, GraphView, Labels, Rebase, static_labels, store_bases

__all__ = ["Site", "query_text", "RDF_MEDIA"]

#: The RDF a resource is available as: extension → (media type, export format).
RDF_MEDIA = {
    "ttl": ("text/turtle", "ttl"),
    "jsonld": ("application/ld+json", "jsonld"),
    "nt": ("application/n-triples", "nt"),
}


def query_text(name: str) -> str:
    """A query of ``perfkg/web/queries/``."""
    return Path(__file__).with_name("queries").joinpath(f"{name}.rq").read_text("utf-8")


@dataclass
class UnitRow:
    code: str
    link: object
    years: str
    projects: int


class Site:
    def __init__(self, store, public: str, *, live: bool, info: dict | None = None) -> None:
        from perfkg.web.render import Renderer

        self.store = store
        self.view = GraphView(store)
        self.rebase = Rebase(store_bases(store), public)
        self.labels = Labels(static_labels(), self.view)
        self.public = public.rstrip("/")
        self.live = live
        self.renderer = Renderer(live=live, site=info or {})
        self.context_ref = self.public + "/context.jsonld"

    # --- resources -------------------------------------------------------------------------

    def resolve(self, path: str) -> str | None:
        """The store IRI that ``id/{path}`` names (a resource with statements), else None."""
        for iri in self.rebase.candidates(path.strip("/")):
            if self.view.exists(iri):
                return iri
        return None

    def paged(self) -> list[str]:
        """Every resource that has a page, documents and units first."""
        import pyoxigraph as ox

        out: list[str] = []
        seen: set[str] = set()
        for cls in PAGED_TYPES:
            for q in self.store.db.quads_for_pattern(None, ox.NamedNode(RDF.type), ox.NamedNode(cls), None):
                s = q.subject.value
                if s not in seen and isinstance(q.subject, ox.NamedNode) and self.rebase.path(s) is not None:
                    seen.add(s)
                    out.append(s)
        return out

    def page(self, iri: str):
        from perfkg.web.pages import build_page

        return build_page(self.view, self.rebase, self.labels, iri)

    def page_html(self, iri: str) -> str:
        page = self.page(iri)
        return self.renderer.render("resource.html", page.path, page=page)

    def rdf(self, iri: str, ext: str) -> bytes:
        """The resource's description as ``ext`` (ttl, jsonld, nt), IRIs in the public space."""
        from perfkg.export import serialize

        triples = self.rebase.quads(self.view.description(iri))
        return serialize(triples, RDF_MEDIA[ext][1], context_ref=self.context_ref)

    # --- site pages ------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        from perfkg.ingest import info

        return info(self.store)

    def units(self, limit: int = 500) -> tuple[list[UnitRow], int]:
        from perfkg.web.pages import Linker

        linker = Linker(self.view, self.rebase, self.labels)
        rows = list(self.store.query(query_text("units")))
        out = []
        for r in rows[:limit]:
            out.append(UnitRow(r["code"].value if r["code"] else "", linker.value(r["unit"]),
                               r["years"].value if r["years"] else "", int(r["projects"].value)))
        return out, max(0, len(rows) - limit)

    def index_html(self, downloads: list[dict]) -> str:
        units, more = self.units()
        return self.renderer.render("index.html", "", counts=self.counts(), units=units, units_more=more,
                                    downloads=downloads)

    def dashboard_html(self) -> str:
        from perfkg.web.dashboard import dashboard

        def link(iri: str) -> str:
            from perfkg.web.pages import Linker

            return Linker(self.view, self.rebase, self.labels).href(iri) or iri

        return self.renderer.render("dashboard.html", "dashboard/", d=dashboard(self.store), link=link)

    def ontology_html(self) -> str:
        from perfkg.web.ontology import anchor, ontology_doc

        def short(iri: str) -> str:
            zh, en = self.labels.of(iri)
            return zh or en or iri

        def term_href(iri: str) -> str:
            if iri.startswith(("https://w3id.org/perfkg/ontology#", "https://w3id.org/perfkg/taxonomy", "https://w3id.org/perfkg/code/")):
                return "ontology/#" + anchor(iri)
            return iri

        return self.renderer.render("ontology.html", "ontology/", o=ontology_doc(), anchor=anchor, short=short,
                                    term_href=term_href)

    def error_html(self, status: int, title: str, message: str) -> str:
        return self.renderer.render("error.html", "", status=status, title=title, message=message)

