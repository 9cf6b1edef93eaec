"""Crash safety: SIGKILL `perfkg ingest` at random points; the store always opens afterwards,
holds each document whole or not at all, and a re-run completes it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

import perfkg
from perfkg.mapping import to_quads
from perfkg.store import META_GRAPH, Store

from .conftest import ROOT, SAMPLE

KILLS = int(os.environ.get("CRASH_KILLS", "8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, int]]:
    """120 documents (the sample under 120 unit codes), and the quads each must have: enough for
    ingest to write several batches (``perfkg.ingest.BATCH_SECONDS``) that the kills fall among."""
    out = tmp_path_factory.mktemp("corpus")
    text = SAMPLE.read_text("utf-8")
    files, expected = [], {}
    for i in range(120):
        path = out / f"unit-{500000 + i}.txt"
        path.write_text(text.replace("353302", str(500000 + i)), "utf-8")
        doc = perfkg.read(path)
        files.append(str(path))
        expected[doc.source.sha256] = len(set(to_quads(doc)))
    return files, expected


def _check_whole(store_dir: Path, expected: dict[str, int]) -> int:
    """Every stored document has exactly its quads; returns how many are stored."""
    store = Store(store_dir)  # opening also recovers from a crash between add and drop
    try:
        records = store.documents()
        graphs = {g.value for g in store.db.named_graphs()} - {META_GRAPH}
        assert graphs == {r.graph for r in records}, "a graph without its record, or a record without its graph"
        for r in records:
            assert r.triples == expected[r.sha256], f"{r.path} is stored in part: {r.triples} of {expected[r.sha256]}"
        return len(records)
    finally:
        store.close()


def test_sigkill_at_random_points_never_leaves_half_a_document(tmp_path: Path, corpus) -> None:
    files, expected = corpus
    # How long a whole ingest takes here and now (machines are shared): the kills land across it.
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "perfkg", "ingest", *files, "--store", str(tmp_path / "timing")],
                   cwd=ROOT, check=True, capture_output=True, timeout=600)
    whole = time.monotonic() - started
    store_dir = tmp_path / "store"
    rng = random.Random(1125)
    survived = []
    for attempt in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "perfkg", "ingest", *files, "--store", str(store_dir)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.1, 0.95) * whole)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        stored = _check_whole(store_dir, expected)
        survived.append((attempt, killed, stored))
    assert any(killed for _, killed, _ in survived), "the kills must land while ingest runs"
    assert len({stored for _, _, stored in survived}) > 1 or KILLS < 3, f"kill points all alike: {survived}"
    done = subprocess.run(
        [sys.executable, "-m", "perfkg", "ingest", *files, "--store", str(store_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert _check_whole(store_dir, expected) == len(files)


def test_readers_alongside_a_writer_see_whole_documents(tmp_path: Path, corpus) -> None:
    # All 120 documents: several bulk loads and the compaction after them, under which a reader
    # that opened the store itself once hung (Oxigraph: undefined); readers now read the
    # writer's views (perfkg.views).
    files = corpus[0]
    store_dir = tmp_path / "store"
    Store(store_dir).close()
    writer = subprocess.Popen(
        [sys.executable, "-m", "perfkg", "ingest", *files, "--store", str(store_dir)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    seen = []
    try:
        while writer.poll() is None:
            run = subprocess.run(
                [sys.executable, "-m", "perfkg", "info", "--json", "--store", str(store_dir)],
                cwd=ROOT, capture_output=True, text=True, timeout=60,
            )
            assert run.returncode in (0, 2), run.stderr
            assert "Traceback" not in run.stderr
            if run.returncode == 0:
                import json

                counts = json.loads(run.stdout)
                # whole documents only: 8 projects and 71 indicators each
                assert counts["projects"] == 8 * counts["documents"]
                assert counts["indicators"] == 71 * counts["documents"]
                seen.append(counts["documents"])
    finally:
        writer.wait(timeout=300)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert seen, "info ran while the writer worked"
    assert seen == sorted(seen), "no reader saw fewer documents than one before it"
    assert not (store_dir / "perfkg-views").exists() or not any((store_dir / "perfkg-views").iterdir())


def test_raw_store_is_a_valid_oxigraph_database_after_kills(tmp_path: Path) -> None:
    """Independently of perfkg's code: pyoxigraph opens the directory and answers a query."""
    store_dir = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "perfkg", "ingest", str(SAMPLE), "--store", str(store_dir)], cwd=ROOT)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if store_dir.exists():
        db = ox.Store(str(store_dir))
        assert isinstance(len(db), int)
