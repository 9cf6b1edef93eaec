"""Readers: one module per input format, each turning bytes into a ``grid.Stream`` list.

``read(path)`` picks the reader by content (a .txt that is really HTML is read as HTML), hands
the streams to the layout interpreter and returns one ``Document``. Reader modules import their
heavy libraries (python-docx, openpyxl, pdfplumber, lxml) only when called.
"""

from __future__ import annotations

import hashlib
import importlib
import signal
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from perfkg.errors import ReadError, UnsupportedFile
from perfkg.grid import Stream
from perfkg.layout import interpret
from perfkg.model import Document, Location, SourceFile

__all__ = ["read", "sniff", "table_files", "FORMATS", "SUFFIXES"]

FORMATS = ("text", "docx", "xlsx", "pdf", "html")
# What a directory is searched for (a file named on its own is read whatever its name).
SUFFIXES = (".txt", ".docx", ".xlsx", ".pdf", ".html", ".htm")

# Bounds that keep a hostile file from taking the machine: perfkg reads tables, not archives.
# A province's 10 000 tables as one text export are about 17 MiB; a workbook of them, 20 MiB
# unpacked. Anything far beyond is not a table, or a bomb.
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_TEXT_BYTES = 64 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200  # deflate packs real XML about 10:1; a bomb packs zeros 1000:1
DEFAULT_TIMEOUT = 120.0


def sniff(data: bytes, name: str = "") -> str:
    """The format of ``data`` by its content; raises UnsupportedFile for what perfkg cannot read."""
    where = Location(name)
    if not data.strip():
        raise UnsupportedFile("the file is empty", where)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                names = set(z.namelist())
                members = z.infolist()
                if sum(i.file_size for i in members) > MAX_UNZIPPED_BYTES:
                    raise UnsupportedFile("the archive unpacks to more than 200 MiB; refusing to open it (a zip bomb?)", where)
                if any(i.file_size > 10 * 2**20 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1) for i in members):
                    raise UnsupportedFile("the archive is packed beyond any real document (a zip bomb?); refusing to open it", where)
        except zipfile.BadZipFile:
            raise UnsupportedFile("a damaged zip archive (a truncated .docx or .xlsx?)", where) from None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnsupportedFile("a zip archive that is neither a .docx nor a .xlsx", where)
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptedPackage".encode("utf-16-le") in data[:65536] or b"EncryptedPackage" in data[:65536]:
            raise UnsupportedFile(
                "a password-protected Office file; remove the password (File → Info) and save it again", where
            )
        raise UnsupportedFile(
            "a legacy Word 97 / Excel 97 file; save it as .docx or .xlsx and read that", where
        )
    head = data[:4096]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[2:].decode(codec, errors="ignore").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<table" in head:
        return "html"
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedFile("a binary file, not a table (no known format matches its content)", where)
    return "text"


def table_files(paths: list[str | Path] | list[Path]) -> list[Path]:
    """``paths`` with each directory replaced by the table files under it (by SUFFIXES, in name
    order, subdirectories included), leaving out hidden files and the ``~$name.docx`` lock files
    Word and Excel leave beside an open document. Files named on their own stay as given, in
    order. A directory without any table file raises ReadError naming it."""
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            out.append(path)
            continue
        found = sorted(
            f for f in path.rglob("*")
            if f.suffix.lower() in SUFFIXES and f.is_file()
            and not any(part.startswith((".", "~$")) for part in f.relative_to(path).parts)
        )
        if not found:
            raise ReadError(f"no table files ({', '.join(SUFFIXES)}) in this directory", Location(str(path)))
        out.extend(found)
    return out


def read(
    path: str | Path, *, encoding: str | None = None, display: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Document:
    """Read one file into a Document. ``encoding`` forces a text encoding (e.g. ``gb18030``);
    ``display`` is the name used in locations (defaults to the path as given); ``timeout``
    bounds the seconds one file may take (None: no bound)."""
    path = Path(path)
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnsupportedFile(f"the file is {size // 2**20} MiB; perfkg reads files up to 256 MiB", Location(name))
        data = path.read_bytes()
    except IsADirectoryError:
        raise ReadError("is a directory, not a file", Location(name)) from None
    except FileNotFoundError:
        raise ReadError("no such file", Location(name)) from None
    except PermissionError:
        raise ReadError("permission denied", Location(name)) from None
    return read_bytes(data, name, encoding=encoding, timeout=timeout)


def read_bytes(data: bytes, name: str, *, encoding: str | None = None, timeout: float | None = DEFAULT_TIMEOUT) -> Document:
    """Read a file's content; ``name`` is used in every location."""
    fmt = sniff(data, name)
    if fmt in ("text", "html") and len(data) > MAX_TEXT_BYTES:
        raise UnsupportedFile(
            f"{len(data) // 2**20} MiB of {fmt} is far more than any table; perfkg reads {fmt} files up to 64 MiB",
            Location(name),
        )
    module = importlib.import_module(f"perfkg.readers.{fmt}")
    with _deadline(timeout, name):
        streams: list[Stream] = module.streams(data, name, encoding=encoding)
        source = SourceFile(path=name, sha256=hashlib.sha256(data).hexdigest(), format=fmt, size=len(data))  # type: ignore[arg-type]
        return interpret(streams, source, name)


class _Timeout(BaseException):
    """BaseException, so that readers catching Exception around a parser do not swallow it."""


@contextmanager
def _deadline(seconds: float | None, name: str) -> Iterator[None]:
    """Bound the time one file may take. A malformed file can send a parser into very long
    work; SIGALRM interrupts pure-Python parsing (pdfminer, openpyxl) between bytecodes.
    Only in the main thread, where signals are delivered; elsewhere, no bound."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):  # noqa: ARG001 - signal handler signature
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Timeout:
        raise UnsupportedFile(
            f"reading took longer than {seconds:g} s; the file is malformed or far larger than a table",
            Location(name),
        ) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
