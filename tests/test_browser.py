"""The pages in a real browser: headless Chromium (Debian's `chromium`, installed by
scripts/install-browser) driven by Playwright, against a real `perfkg serve`.

Screenshots go to the test's tmp directory and are copied to /tmp/perfkg-screens/ for people to
look at. The tests skip — saying why — only when Chromium cannot be installed on this machine.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_serve_support import build_store, running_server

CHROMIUM = Path("/usr/bin/chromium")
SCREENS = Path("/tmp/perfkg-screens")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _chromium() -> Path:
    if not CHROMIUM.exists():
        done = subprocess.run([str(ROOT / "scripts" / "install-browser")], capture_output=True, text=True, timeout=900)
        if done.returncode != 0 or not CHROMIUM.exists():
            pytest.skip(f"Chromium could not be installed by scripts/install-browser: {done.stderr.strip() or done.stdout.strip()}")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser():
    chromium = _chromium()
    from playwright.sync_api import sync_playwright  # a test dependency: pip install -e '.[test]'

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = build_store(tmp_path_factory.mktemp("browser") / "store")
    with running_server(store) as base:
        yield base


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.errors, pg.requests = errors, requests  # type: ignore[attr-defined]
    yield pg
    context.close()


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, SCREENS / path.name)
    return path


def _local_only(page, server: str) -> None:
    outside = [u for u in page.requests if not u.startswith((server, "data:", "blob:"))]
    assert outside == [], f"assets must be local, no CDN: {outside}"
    assert page.errors == [], page.errors


def test_dashboard_shows_its_three_pictures(page, server, tmp_path) -> None:
    page.goto(server + "/dashboard/")
    for ident in ("budget-by-level", "shared-populations", "indicator-coverage"):
        svg = page.locator(f"svg#{ident}")
        assert svg.is_visible()
        box = svg.bounding_box()
        assert box["width"] > 300 and box["height"] > 50
    bars = page.locator("svg#budget-by-level rect")
    assert bars.count() == 3
    assert "中央" in page.locator("svg#budget-by-level").text_content()
    assert page.locator("svg#shared-populations path").count() == 4  # two populations, two projects each
    assert _shot(page, tmp_path, "dashboard").stat().st_size > 10_000
    _local_only(page, server)


def test_named_query_from_the_query_page(page, server, tmp_path) -> None:
    page.goto(server + "/query/")
    assert page.locator(".CodeMirror").is_visible(), "the SPARQL editor is there"
    page.locator('#named-queries button[data-name="funding-by-level"]').click()
    assert "SELECT" in page.locator(".CodeMirror").inner_text()
    assert page.locator("#param-unit").input_value() == "万元"
    assert page.locator(".CodeMirror .cm-keyword").count() > 0, "SPARQL is highlighted"
    page.locator("#run").click()
    table = page.locator("#result-table")
    table.wait_for()
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:6] == ["unit_code", "unit_name", "level", "level_zh", "projects", "total"]
    rows = {r.locator("td").nth(3).inner_text(): r.locator("td").nth(5).inner_text() for r in table.locator("tbody tr").all()}
    assert rows == {"中央": "2348974", "市级": "389928", "（未标级次）": "2235.5"}
    # sortable: by total, ascending then descending
    table.locator('th[data-var="total"] button').click()
    assert page.locator("#result-table tbody tr td:nth-child(6)").all_inner_texts() == ["2235.5", "389928", "2348974"]
    page.locator('#result-table th[data-var="total"] button').click()
    assert page.locator("#result-table tbody tr td:nth-child(6)").all_inner_texts() == ["2348974", "389928", "2235.5"]
    assert page.locator("#result-chart rect").count() == 3, "a chart for a numeric result"
    with page.expect_download() as dl:
        page.locator("#download-csv").click()
    csv = Path(dl.value.path()).read_text("utf-8-sig").splitlines()
    assert csv[0].startswith("unit_code,unit_name,level,level_zh,projects,total") and len(csv) == 4
    _shot(page, tmp_path, "query")
    _local_only(page, server)


def test_query_errors_and_an_edited_query(page, server) -> None:
    page.goto(server + "/query/")
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('SELECT ?x WHERE { ?x a <https://w3id.org/perfkg/ontology#BeneficiaryPopulation> }')")
    page.locator("#run").click()
    page.locator("#result-table").wait_for()
    assert page.locator("#result-table tbody tr").count() == 4
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('DROP ALL')")
    page.locator("#run").click()
    page.locator("#error").wait_for()
    assert "403" in page.locator("#error").inner_text() and "read-only" in page.locator("#error").inner_text()


def test_follow_a_project_to_its_population(page, server, tmp_path) -> None:
    page.goto(server + "/id/unit/353302/2025/project/e9824e796733")
    assert page.locator("h1").inner_text().startswith("2025年机关事业单位养老保险补助经费-市级")
    _shot(page, tmp_path, "project")
    page.locator("ul.populations a").first.click()
    page.wait_for_url("**/population/public-institutions-retirees-347700/")
    assert "受益人群" in page.locator(".kind").inner_text()
    projects = page.locator("table.projects tbody tr td:first-child a").all_inner_texts()
    assert sorted(projects) == ["2025年机关事业单位养老保险制度改革中央补助经费-中央", "2025年机关事业单位养老保险补助经费-市级"]
    _shot(page, tmp_path, "population")
    _local_only(page, server)
