"""Real SPARQL servers on 127.0.0.1 for the tests: an Oxigraph server (the `oxigraph` CLI of the
`oxigraph` package), and a small HTTP proxy in front of it that asks for credentials or answers
503 a given number of times, so that authentication and retries meet a real network stack.

Import the fixtures into a test module (``from .servers import oxigraph``); a test module that
needs the server and cannot find the CLI fails rather than skips, because CI installs it.
"""

from __future__ import annotations

import base64
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    """The `oxigraph` CLI beside this Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` server CLI is missing: pip install oxigraph (the test extra has it)")
    return found


def wait_until_up(url: str, process: subprocess.Popen | None = None, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                r.read()
                return
        except urllib.error.HTTPError:
            return  # it answers, even if with an error
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@dataclass
class OxigraphServer:
    """`oxigraph serve` on a free port of 127.0.0.1, with its data in ``location``."""

    location: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return self.base + "/query"

    def start(self) -> OxigraphServer:
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}",
             "--union-default-graph"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            wait_until_up(self.base + "/query?query=ASK%7B%7D", self.process)
        except RuntimeError:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stderr:
            self.process.stderr.close()

    def clear(self) -> None:
        request = urllib.request.Request(self.base + "/update", data=b"DROP ALL", method="POST",
                                         headers={"Content-Type": "application/sparql-update"})
        urllib.request.urlopen(request, timeout=10).read()

    def accept(self, query: str, media_type: str) -> tuple[bytes, str]:
        """The server's own answer to ``query`` in ``media_type``: the bytes to compare with."""
        request = urllib.request.Request(
            self.query_url, data=query.encode("utf-8"), method="POST",
            headers={"Content-Type": "application/sparql-query", "Accept": media_type},
        )
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.read(), r.headers.get("Content-Type", "")


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    try:
        yield server
    finally:
        server.stop()


class Proxy:
    """A forwarding proxy on 127.0.0.1 in front of ``upstream``: it can ask for credentials
    (``token`` for bearer, ``basic`` = (user, password)) and fail the next ``fail_next``
    requests with ``fail_status``. It records the requests it saw (method, path, headers)."""

    def __init__(self, upstream: str, *, token: str | None = None, basic: tuple[str, str] | None = None) -> None:
        self.upstream = upstream
        self.token = token
        self.basic = basic
        self.fail_next = 0
        self.fail_status = 503
        self.delay = 0.0
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    proxy.seen.append((self.command, self.path, dict(self.headers)))
                    failing = proxy.fail_next > 0
                    if failing:
                        proxy.fail_next -= 1
                if failing:
                    self._answer(proxy.fail_status, b"temporarily unavailable", "text/plain")
                    return
                if proxy.delay:
                    time.sleep(proxy.delay)
                if not proxy.authorised(self.headers.get("Authorization")):
                    self._answer(401, b"credentials required", "text/plain",
                                 {"WWW-Authenticate": 'Basic realm="perfkg-test"'})
                    return
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "authorization", "content-length", "connection")}
                request = urllib.request.Request(proxy.upstream + self.path, data=body or None,
                                                 method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=30) as r:
                        self._answer(r.status, r.read(), r.headers.get("Content-Type", ""))
                except urllib.error.HTTPError as e:
                    self._answer(e.code, e.read(), e.headers.get("Content-Type", "text/plain"))

            def _answer(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.handle_error = lambda request, address: None  # a client that gave up: fine
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def authorised(self, header: str | None) -> bool:
        if self.token is None and self.basic is None:
            return True
        if header is None:
            return False
        if self.token is not None and header == f"Bearer {self.token}":
            return True
        if self.basic is not None:
            expected = base64.b64encode(f"{self.basic[0]}:{self.basic[1]}".encode()).decode()
            return header == f"Basic {expected}"
        return False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def env_without_credentials() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PERFKG_ENDPOINT")}
