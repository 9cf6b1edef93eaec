"""Running a real `perfkg serve` for the HTTP and browser tests (no tests here).

The server is the real command in a subprocess on 127.0.0.1 and a free port, over a store built
from the bundled sample; it is stopped (by its own process id) when the tests end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .conftest import ROOT, SAMPLE


def build_store(path: Path, *files: Path) -> Path:
    from perfkg.ingest import ingest
    from perfkg.store import Store

    store = Store(path)
    report = ingest(list(files) or [SAMPLE], store)
    store.close()
    assert not report.failed, report.failed
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(store: Path, *extra: str):
    """`perfkg serve --store STORE --port N`; yields its base URL."""
    port = free_port()
    log = open(store.parent / f"serve-{port}.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfkg", "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port), *extra],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"perfkg serve exited with {proc.returncode}: {(store.parent / f'serve-{port}.log').read_text()}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("perfkg serve did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()
