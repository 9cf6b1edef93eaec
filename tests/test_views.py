"""Readers and a writer on one store (perfkg.views): a reader never reads files a writer may
delete. Readers that come while a writer works read its newest view; a writer waits for the
readers that came before it; views go when no one needs them."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

import perfkg
from perfkg import views
from perfkg.ingest import ingest
from perfkg.mapping import MAPPING_VERSION, graph_iri, to_quads
from perfkg.store import Store, StoreLocked

from .conftest import SAMPLE, run_perfkg


def _copy(tmp_path: Path, code: str) -> Path:
    path = tmp_path / f"unit-{code}.txt"
    path.write_text(SAMPLE.read_text("utf-8").replace("353302", code), "utf-8")
    return path


def _projects(store: Store) -> int:
    (row,) = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/perfkg/ontology#Project> }")
    return int(row["n"].value)


def _live_views(store_dir: Path) -> list[str]:
    return sorted(p.name for p in (store_dir / views.VIEWS).glob("*")) if (store_dir / views.VIEWS).exists() else []


def test_a_reader_during_a_write_reads_the_writers_newest_view(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    first = Store(store_dir)
    assert ingest([_copy(tmp_path, "500001")], first).failed == []
    first.close()
    writer = Store(store_dir)
    try:
        before = Store(store_dir, read_only=True)
        assert before.view_time is not None, "the writer holds the store: the reader reads a view"
        assert _projects(before) == 8
        for code in ("500002", "500003"):
            # views come at most every VIEW_INTERVAL seconds: the second write makes one
            time.sleep(views.VIEW_INTERVAL)
            doc = perfkg.read(_copy(tmp_path, code))
            writer.put_document(graph_iri(doc), to_quads(doc), path=code, sha256=doc.source.sha256,
                                mapping=MAPPING_VERSION)
        after = Store(store_dir, read_only=True)
        assert _projects(after) == 24, "a view made after the writes shows them"
        assert after.view_time is not None
        run = run_perfkg("info", "--json", "--store", store_dir)
        assert run.code == 0 and json.loads(run.stdout)["projects"] == 24
        assert run.stderr.startswith(f"another perfkg process is writing {store_dir}: this is the store as it was at ")
        assert _projects(before) == 8, "an open reader keeps the state it opened"
        assert before._held.view != after._held.view
        after.close()
        before.close()
    finally:
        writer.close()
    assert _live_views(store_dir) == [], "the writer gone, no view is left"
    reader = Store(store_dir, read_only=True)
    assert reader._held.view is None and _projects(reader) == 24
    reader.close()


def test_a_view_read_outlives_the_writer_until_its_reader_leaves(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    Store(store_dir).close()
    writer = Store(store_dir)
    reader = Store(store_dir, read_only=True)
    writer.close()
    assert _live_views(store_dir) == [reader._held.view.name], "the view in use stays"
    assert _projects(reader) == 0
    reader.close()
    assert _live_views(store_dir) == []


def test_a_writer_waits_for_the_readers_before_it(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    Store(store_dir).close()
    reader = Store(store_dir, read_only=True)
    opened: list[float] = []

    def write() -> None:
        Store(store_dir).close()
        opened.append(time.monotonic())

    t = threading.Thread(target=write)
    t.start()
    time.sleep(0.5)
    assert opened == [], "the writer waits while the reader reads"
    left = time.monotonic()
    reader.close()
    t.join(timeout=10)
    assert opened and opened[0] >= left


def test_a_writer_gives_up_on_a_reader_that_stays_with_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    store_dir = tmp_path / "store"
    Store(store_dir).close()
    monkeypatch.setattr(views, "WAIT_FOR_READERS", 0.3)
    reader = Store(store_dir, read_only=True)
    try:
        with pytest.raises(StoreLocked, match="being read by another perfkg process"):
            Store(store_dir)
    finally:
        reader.close()
    Store(store_dir).close()  # and the write lock was given back


def test_serve_holds_no_lock_so_an_ingest_can_run(tmp_path: Path) -> None:
    from perfkg.web.app import create_app

    store_dir = tmp_path / "store"
    assert run_perfkg("ingest", _copy(tmp_path, "500001"), "--store", store_dir).code == 0
    create_app(store_dir)  # takes its snapshots and lets go of the store
    run = run_perfkg("ingest", _copy(tmp_path, "500002"), "--store", store_dir)
    assert run.code == 0, run.stderr


def test_a_lone_write_reaches_readers_within_a_second(tmp_path: Path) -> None:
    """A write right after a view makes none at once (a view flushes the write buffer: not one
    per document); a timer makes it when the interval is up, though nothing else is written."""
    store_dir = tmp_path / "store"
    writer = Store(store_dir)
    try:
        doc = perfkg.read(_copy(tmp_path, "500001"))
        writer.put_document(graph_iri(doc), to_quads(doc), path="a", sha256=doc.source.sha256, mapping=MAPPING_VERSION)
        soon = Store(store_dir, read_only=True)
        assert _projects(soon) == 0
        soon.close()
        time.sleep(views.VIEW_INTERVAL + 0.5)
        later = Store(store_dir, read_only=True)
        assert _projects(later) == 8
        later.close()
    finally:
        writer.close()
