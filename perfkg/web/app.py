"""``perfkg serve``: the linked-data site, live, over a store opened read-only.

Routes (all assets local; no outside network):

- ``/id/{path}`` a resource, with content negotiation: ``text/html`` (its page),
  ``text/turtle``, ``application/ld+json``, ``application/n-triples`` (its description);
  ``/id/{path}/index.{html,ttl,jsonld,nt}`` name one representation, as in a published site.
  An IRI that lives on another resource's page (a funding line, a target) answers with that
  resource's RDF, or redirects (303) to its place on that page.
- ``/sparql`` the SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``),
  read-only, with a time limit and a result cap (``perfkg.web.sparql``). It answers from a
  snapshot of the store taken at start without the store's bookkeeping (``Store.public_snapshot``:
  where the files lay and when they were read are not the public's business); pages come from a
  whole snapshot, so the server holds no lock on the store and ``perfkg ingest`` may run.
- ``/query/`` the analyst's query page; ``/api/queries`` the named queries as JSON and
  ``/api/queries/{name}?param=…`` their results (SPARQL JSON).
- ``/`` index, ``/dashboard/``, ``/ontology/``, ``/context.jsonld``, ``/catalog.ttl``,
  ``/catalog.jsonld``, ``/void.ttl``, ``/assets/…``.

Stack: Starlette on uvicorn — a small ASGI toolkit and server, pure Python with few
dependencies, that parse HTTP properly (forms, chunked bodies, HEAD, ranges for static files) and
serve pages concurrently while SPARQL queries wait on worker processes. Page rendering is
synchronous (Starlette runs it in its thread pool).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

__all__ = ["create_app", "serve"]

_RESOURCE_TYPES = {
    "text/html": "html", "application/xhtml+xml": "html",
    "text/turtle": "ttl", "application/x-turtle": "ttl",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/n-triples": "nt", "text/plain": "nt",
}
_EXT_MEDIA = {"html": "text/html; charset=utf-8", "ttl": "text/turtle; charset=utf-8",
              "jsonld": "application/ld+json", "nt": "application/n-triples"}


#: The largest request the endpoint reads: a long query is a few KiB; anything far past is abuse.
MAX_BODY = 256 * 1024


def choose(accept: str | None) -> str:
    """html, ttl, jsonld or nt for an ``Accept`` header (html when it says nothing we offer)."""
    best, best_q = "html", -1.0
    for n, part in enumerate((accept or "").split(",")):
        media, _, params = part.strip().partition(";")
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        try:
            q = float(m.group(1)) if m else 1.0
        except ValueError:
            q = 0.0
        ext = _RESOURCE_TYPES.get(media.strip().lower())
        if ext and q > 0 and q - n * 1e-6 > best_q:
            best, best_q = ext, q - n * 1e-6
    return best


def create_app(store_path: str | Path, *, base_url: str | None = None, timeout: float = 10.0,
               max_results: int = 10_000, workers: int = 2, catalogue: dict | None = None):
    """The ASGI application serving the store at ``store_path``."""
    from contextlib import asynccontextmanager
    from functools import lru_cache

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from perfkg.export.jsonld import CONTEXT_PATH
    from perfkg.store import Store
    from perfkg.web.render import STATIC
    from perfkg.web.site import Site
    from perfkg.web.sparql import QueryPool, negotiate, refusal

    # Two snapshots taken at start, so that the server holds no lock on the store and an ingest
    # may run meanwhile (perfkg.views): the whole store for the pages, and the store without
    # its bookkeeping for /sparql. What the server shows is the store as it was when it started.
    opened = Store(store_path, read_only=True)
    try:
        public = _snapshot(opened, public=True)
        pages = _snapshot(opened, public=False)
    finally:
        opened.close()
    store = Store(pages, read_only=True)
    sites: dict[str, Site] = {}
    cache: dict[tuple[str, str], bytes | str] = {}
    state: dict = {}

    def site_for(request: Request) -> Site:
        base = (base_url or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
        site = sites.get(base)
        if site is None:
            site = sites[base] = Site(store, base, live=True)
        return site

    @lru_cache(maxsize=4096)
    def rendered(site: Site, owner: str, wanted: str) -> str | bytes:
        """A resource's page or RDF. The store is read-only while the server runs, so each is
        made once (bounded: the 4 096 most recently asked)."""
        return site.page_html(owner) if wanted == "html" else site.rdf(owner, wanted)

    def cached(key: tuple[str, str], make):
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def html(body: str, status: int = 200) -> Response:
        return Response(body, status_code=status, media_type="text/html; charset=utf-8")

    def not_found(request: Request, message: str) -> Response:
        if choose(request.headers.get("accept")) == "html":
            return html(site_for(request).error_html(404, "Not Found", message), 404)
        return PlainTextResponse(message + "\n", status_code=404)

    # --- resources ---------------------------------------------------------------------------

    def resource(request: Request) -> Response:
        path = request.path_params["path"]
        m = re.fullmatch(r"(.*?)/?index\.(html|ttl|jsonld|nt)", path)
        ext = None
        if m:
            path, ext = m.group(1), m.group(2)
        site = site_for(request)
        iri = site.resolve(path)
        if iri is None:
            return not_found(request, f"no resource {site.public}/id/{path.strip('/')} in this store")
        owner, anchor = site.view.owner(iri, site.rebase)
        wanted = ext or choose(request.headers.get("accept"))
        page_url = f"/id/{site.rebase.path(owner)}/"
        headers = {"Vary": "Accept", "Link": ", ".join(
            f'<{page_url}index.{e}>; rel="alternate"; type="{_EXT_MEDIA[e].split(";")[0]}"' for e in ("ttl", "jsonld", "nt"))}
        if wanted == "html":
            if anchor:
                return RedirectResponse(f"{page_url}#{anchor}", status_code=303)
            return Response(rendered(site, owner, "html"), media_type=_EXT_MEDIA["html"], headers=headers)
        body = rendered(site, owner, wanted)
        headers["Content-Location"] = f"{page_url}index.{wanted}"
        return Response(body, media_type=_EXT_MEDIA[wanted], headers=headers)

    # --- site pages --------------------------------------------------------------------------

    def index(request: Request) -> Response:
        site = site_for(request)
        downloads = [
            {"href": "sparql", "zh": "SPARQL 查询端点", "en": "SPARQL endpoint (/sparql)"},
            {"href": "query/", "zh": "查询页面", "en": "Query page"},
            {"href": "catalog.ttl", "zh": "DCAT-AP 数据目录（Turtle）", "en": "DCAT-AP catalogue (Turtle)"},
            {"href": "catalog.jsonld", "zh": "DCAT-AP 数据目录（JSON-LD）", "en": "DCAT-AP catalogue (JSON-LD)"},
            {"href": "void.ttl", "zh": "VoID 数据集描述", "en": "VoID description"},
            {"href": "context.jsonld", "zh": "JSON-LD 上下文", "en": "JSON-LD context"},
        ]
        return html(cached((site.public, "index"), lambda: site.index_html(downloads)))

    def dashboard(request: Request) -> Response:
        site = site_for(request)
        return html(cached((site.public, "dashboard"), site.dashboard_html))

    def ontology(request: Request) -> Response:
        site = site_for(request)
        return html(cached((site.public, "ontology"), site.ontology_html))

    def ontology_file(request: Request) -> Response:
        from perfkg.resources import data_dir

        name = request.path_params["name"]
        path = data_dir("ontology") / name
        if not re.fullmatch(r"[a-z-]+\.ttl", name) or not path.is_file():
            return not_found(request, f"no ontology file {name}")
        return FileResponse(path, media_type="text/turtle; charset=utf-8")

    def query_page(request: Request) -> Response:
        site = site_for(request)
        data = {"queries": _library(), "endpoint": "/sparql", "api": "/api/queries/", "bases": site.rebase.bases, "site": "/"}
        example = ("PREFIX pkg: <https://w3id.org/perfkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n"
                   "SELECT ?project ?name WHERE {\n  ?project a pkg:Project ; rdfs:label ?name .\n}\nORDER BY ?name\nLIMIT 100\n")
        return html(site.renderer.render("query.html", "query/", queries=data["queries"], data=data, example=example))

    def catalogue_file(request: Request) -> Response:
        from perfkg.publish.dcat import catalogue_graph, void_graph
        from perfkg.export import serialize

        site = site_for(request)
        name = request.path_params["name"]
        options = {**(catalogue or {}), "sparql_endpoint": f"{site.public}/sparql"}
        if name == "void.ttl":
            body = cached((site.public, name), lambda: serialize(void_graph(site, options), "ttl"))
            return Response(body, media_type=_EXT_MEDIA["ttl"])
        fmt = "ttl" if name == "catalog.ttl" else "jsonld"
        body = cached((site.public, name), lambda: serialize(catalogue_graph(site, options), fmt,
                                                             context_ref=None))
        return Response(body, media_type=_EXT_MEDIA[fmt])

    def context_file(request: Request) -> Response:
        return FileResponse(CONTEXT_PATH, media_type="application/ld+json")

    # --- SPARQL ------------------------------------------------------------------------------

    async def body_of(request: Request) -> bytes | None:
        """The request body, or None when it is larger than any query needs (MAX_BODY)."""
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            return None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    too_large = PlainTextResponse(f"the request is larger than {MAX_BODY // 1024} KiB; no query needs that much\n",
                                  status_code=413)

    async def sparql(request: Request) -> Response:
        params = request.query_params
        if len(str(request.url)) > MAX_BODY:
            return too_large
        default_graphs = params.getlist("default-graph-uri")
        named_graphs = params.getlist("named-graph-uri")
        fmt = params.get("format") or params.get("output")
        query = params.get("query")
        if "update" in params:
            return PlainTextResponse("this endpoint is read-only: SPARQL updates are refused\n", status_code=403)
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return PlainTextResponse("this endpoint is read-only: SPARQL updates are refused\n", status_code=403)
            body = await body_of(request)
            if body is None:
                return too_large
            if ctype == "application/sparql-query":
                query = body.decode("utf-8", errors="replace")
            elif ctype == "application/x-www-form-urlencoded":
                # parsed here: Starlette's form parser needs python-multipart, one more dependency
                form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
                if "update" in form:
                    return PlainTextResponse("this endpoint is read-only: SPARQL updates are refused\n", status_code=403)
                query = (form.get("query") or [query])[0]
                default_graphs = default_graphs or form.get("default-graph-uri", [])
                named_graphs = named_graphs or form.get("named-graph-uri", [])
                fmt = fmt or (form.get("format") or form.get("output") or [None])[0]
            else:
                return PlainTextResponse(
                    "send the query as application/x-www-form-urlencoded (query=…) or application/sparql-query\n",
                    status_code=415)
        if query is None:
            if choose(request.headers.get("accept")) == "html":
                return RedirectResponse("/query/", status_code=303)
            return PlainTextResponse("missing the query parameter (SPARQL 1.1 Protocol: ?query=…)\n", status_code=400)
        why = refusal(str(query))
        if why:
            return PlainTextResponse(why + "\n", status_code=403)
        select, graph = negotiate(request.headers.get("accept"), fmt)
        job = {"kind": "query", "query": str(query), "select": select, "graph": graph,
               "default_graphs": list(default_graphs), "named_graphs": list(named_graphs)}
        answer = await run_in_threadpool(state["pool"].run, job)
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=answer.headers)

    def api_queries(request: Request) -> Response:
        return JSONResponse(_library())

    async def api_query(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in {q["name"] for q in _library()}:
            return PlainTextResponse(f"no named query {name!r}\n", status_code=404)
        select, graph = negotiate(request.headers.get("accept"), request.query_params.get("format"))
        job = {"kind": "named", "name": name, "params": dict(request.query_params.items()),
               "select": select, "graph": graph}
        job["params"].pop("format", None)
        answer = await run_in_threadpool(state["pool"].run, job)
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type, headers=answer.headers)

    @asynccontextmanager
    async def lifespan(app):
        state["pool"] = QueryPool(str(public), workers=workers, timeout=timeout, max_results=max_results)
        try:
            yield
        finally:
            state["pool"].close()
            store.close()
            _remove_snapshot(public)
            _remove_snapshot(pages)

    routes = [
        Route("/", index),
        Route("/dashboard", lambda r: RedirectResponse("/dashboard/", 301)),
        Route("/dashboard/", dashboard),
        Route("/query", lambda r: RedirectResponse("/query/", 301)),
        Route("/query/", query_page),
        Route("/ontology", lambda r: RedirectResponse("/ontology/", 301)),
        Route("/ontology/", ontology),
        Route("/ontology/{name}", ontology_file),
        Route("/context.jsonld", context_file),
        *(Route(f"/{n}", _named(catalogue_file, n)) for n in ("catalog.ttl", "catalog.jsonld", "void.ttl")),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/api/queries", api_queries),
        Route("/api/queries/{name}", api_query),
        Route("/id/{path:path}", resource),
        Mount("/assets", app=StaticFiles(directory=str(STATIC)), name="assets"),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["*"],
                             expose_headers=["X-Perfkg-Truncated", "X-Perfkg-Query-Time"])]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


_SNAPSHOT = ".serve-"


def _snapshot(store, *, public: bool) -> Path:
    """A copy of the store for the server, without its bookkeeping when ``public`` (for the
    SPARQL workers): beside the store (a checkpoint of hard links, instant) or, where its
    directory is not writable, in the temporary directory (a full copy). Snapshots left by
    servers that were killed are removed first."""
    import atexit
    import os
    import shutil
    import tempfile

    from perfkg.store import StoreError

    prefix = f".{store.path.name}{_SNAPSHOT}"
    for old in store.path.parent.glob(f"{prefix}*"):
        pid = old.name[len(prefix):].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    name = f"{prefix}{os.getpid()}-{os.urandom(4).hex()}{'' if public else '-pages'}"
    for parent in (store.path.parent, Path(tempfile.gettempdir())):
        target = parent / name
        try:
            store.public_snapshot(target) if public else store.snapshot(target)
        except StoreError:
            shutil.rmtree(target, ignore_errors=True)
            continue
        atexit.register(_remove_snapshot, target)
        return target
    raise StoreError(f"cannot make a snapshot of the store {store.path} to serve; is the disk full?")


def _remove_snapshot(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _named(handler, name: str):
    def route(request):
        request.path_params["name"] = name
        return handler(request)

    return route


def _library() -> list[dict]:
    from perfkg.query import library

    return [{"name": q.name, "title_zh": q.title_zh, "title_en": q.title_en, "description": q.description,
             "params": [{"name": p.name, "default": p.default, "description": p.description, "type": p.type,
                         "choices": list(getattr(p, "choices", ()) or ())} for p in q.params],
             "text": q.text} for q in library()]


def serve(store_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000, base_url: str | None = None,
          timeout: float = 10.0, max_results: int = 10_000, workers: int = 2, catalogue: dict | None = None) -> None:
    """Serve the store until interrupted."""
    import uvicorn

    app = create_app(store_path, base_url=base_url, timeout=timeout, max_results=max_results, workers=workers,
                     catalogue=catalogue)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)

