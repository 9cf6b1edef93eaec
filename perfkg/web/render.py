"""Jinja2 rendering shared by ``perfkg publish`` and ``perfkg serve``.

Templates are files in ``perfkg/web/templates/``, assets in ``perfkg/web/static/`` (served at
``assets/``). Autoescaping is on for every template, so a table cell holding ``<script>`` shows as
text. Links are *site paths* (``id/unit/353302/``, ``assets/style.css``); ``url()`` turns them into
links relative to the page (a static site works from any host, any sub-path, even a file
browser's directory) or, live, into root paths.
"""

from __future__ import annotations

import posixpath
from functools import lru_cache
from pathlib import Path

__all__ = ["Renderer", "TEMPLATES", "STATIC"]

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")


@lru_cache(maxsize=65536)
def _relpath(dest: str, here: str) -> str:
    return posixpath.relpath(dest, here)


class Renderer:
    def __init__(self, *, live: bool, site: dict | None = None) -> None:
        import jinja2

        self.live = live
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=True,  # every template is HTML
            trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )
        self.site = {"title_zh": "项目支出绩效目标知识图谱", "title_en": "Performance targets knowledge graph",
                     "live": live, **(site or {})}

    def url_for(self, page_dir: str):
        live = self.live

        def url(target: str) -> str:
            if target.startswith(("http://", "https://", "mailto:", "#")):
                return target
            path, _, frag = target.partition("#")
            if live:
                out = "/" + path
            else:
                out = _relpath(path.rstrip("/") or ".", page_dir.rstrip("/") or ".")
                if path.endswith("/") or path == "":
                    out = "./" if out == "." else out + "/"
            return out + (f"#{frag}" if frag else "")

        return url

    def render(self, template: str, page_dir: str, **context) -> str:
        return self.env.get_template(template).render(url=self.url_for(page_dir), site=self.site, **context)
