"""The wheel carries what publish and serve read at run time: templates, assets (with the
vendored editor's licence), the JSON-LD context and the .rq files of the pages."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from .conftest import ROOT


def test_wheel_ships_templates_assets_and_context(tmp_path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("perfkg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "perfkg/export/context.jsonld", "perfkg/export/README.md",
        "perfkg/web/templates/base.html", "perfkg/web/templates/resource.html", "perfkg/web/templates/query.html",
        "perfkg/web/templates/dashboard.html", "perfkg/web/templates/catalog.html", "perfkg/web/terms.toml",
        "perfkg/web/static/style.css", "perfkg/web/static/query.js",
        "perfkg/web/static/vendor/codemirror/codemirror.js", "perfkg/web/static/vendor/codemirror/LICENSE",
        "perfkg/web/queries/units.rq", "perfkg/web/queries/datasets.rq",
        "perfkg/publish/queries/projects.rq", "perfkg/publish/queries/indicators.rq",
    ):
        assert name in names, name
