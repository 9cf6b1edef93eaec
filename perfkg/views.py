"""How readers and a writer share one store directory: locks, and read views of a store being written.

Oxigraph leaves undefined what a read-only open sees while another process writes (its RocksDB
compacts, and deletes the files a reader is about to read: a reader was seen to hang). So a
reader never reads a store while a writer has it open:

- ``perfkg-write.lock`` in the store: a writer holds it exclusively while it is open; a second
  writer fails at once (``StoreLocked``).
- ``perfkg-read.lock``: readers of the store itself hold it shared while they read; a writer
  takes it exclusively, first waiting (``WAIT_FOR_READERS`` seconds at most) for the readers
  that came before it.
- While a writer holds the store, readers read its newest *view*: a RocksDB checkpoint of the
  store (hard links, made in milliseconds whatever the size) in ``perfkg-views/``, which the
  writer makes when it opens and after each write, at most every ``VIEW_INTERVAL`` seconds. A
  view holds whole documents only, as the store does between two writes. A reader holds the
  view's ``perfkg-view.lock`` shared while it reads; a view is deleted by whichever process
  finds it superseded and unlocked.

Locks are ``flock`` locks: the kernel releases them when a process dies, however it dies. Where
there is no ``fcntl`` (Windows), every lock is granted: readers then read the store itself.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import IO

try:
    import fcntl

    SH, EX = fcntl.LOCK_SH, fcntl.LOCK_EX
except ImportError:  # not POSIX (Windows): no locks, readers read the store as Oxigraph lets them
    fcntl = None  # type: ignore[assignment]
    SH, EX = 1, 2

__all__ = ["Busy", "Held", "hold_for_writing", "newest_view", "open_for_reading", "publish_view", "sweep_views", "writer_alive"]

WRITE_LOCK = "perfkg-write.lock"
READ_LOCK = "perfkg-read.lock"
VIEWS = "perfkg-views"
VIEW_LOCK = "perfkg-view.lock"
WAIT_FOR_READERS = 30.0  # seconds a writer waits for readers that opened before it
WAIT_FOR_VIEW = 10.0  # seconds a reader waits for a writer's first view
VIEW_INTERVAL = 1.0  # seconds between two views a writer makes


class Busy(Exception):
    """The store cannot be had now; the message says why."""


class Held:
    """Locks a process holds on a store (or a view) until ``release``."""

    def __init__(self, files: list[IO] | None = None, view: Path | None = None) -> None:
        self.files = files or []
        self.view = view  # the view read, when a reader reads one

    def release(self) -> None:
        for f in self.files:
            f.close()  # closing drops the flock
        self.files = []


def _lock(path: Path, mode: int, *, create: bool = True) -> IO | None:
    """``path`` locked with ``mode`` (SH or EX, never blocking), or None when
    another process holds a lock that excludes it. Raises FileNotFoundError when the lock file
    is missing and cannot be made (a read-only directory)."""
    f = open(path, "a+" if create else "r")  # noqa: SIM115 - held until release
    if fcntl is None:
        return f
    try:
        fcntl.flock(f, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        f.close()
        return None
    return f


def hold_for_writing(store: Path) -> Held:
    """The store's locks for a writer: at once, or Busy when another writer holds it or
    readers still read it after WAIT_FOR_READERS seconds."""
    store.mkdir(parents=True, exist_ok=True)
    write = _lock(store / WRITE_LOCK, EX)
    if write is None:
        raise Busy(f"the store {store} is in use by another perfkg process writing to it; wait for it to finish")
    deadline = time.monotonic() + WAIT_FOR_READERS
    while (read := _lock(store / READ_LOCK, EX)) is None:
        if time.monotonic() > deadline:
            write.close()
            raise Busy(f"the store {store} is being read by another perfkg process (a long export or "
                       "query?); try again when it finishes")
        time.sleep(0.05)
    return Held([write, read])


def open_for_reading(store: Path, open_db) -> tuple[object, Held]:
    """``open_db(directory)`` on the store itself, or on the newest view while a writer holds
    the store; with the locks that keep what it reads in place. Busy when a writer holds the
    store and makes no view within WAIT_FOR_VIEW seconds (its directory is not writable)."""
    deadline = time.monotonic() + WAIT_FOR_VIEW
    while True:
        try:
            read = _lock(store / READ_LOCK, SH)
        except OSError:
            # No lock file and no right to make one: a read-only store, which no one writes.
            return open_db(store), Held()
        if read is not None:
            try:
                return open_db(store), Held([read])
            except BaseException:
                read.close()
                raise
        for view in reversed(_views(store)):
            try:
                lock = _lock(view / VIEW_LOCK, SH, create=False)
            except OSError:
                continue  # being deleted
            if lock is None:
                continue
            if (view / "CURRENT").exists():
                try:
                    return open_db(view), Held([lock], view)
                except OSError:
                    pass
            lock.close()
        if time.monotonic() > deadline:
            raise Busy(f"the store {store} is being written by another perfkg process, which offers no view "
                       "to read; try again when it finishes")
        time.sleep(0.05)


def publish_view(store: Path, db) -> Path | None:
    """A new view of ``db`` (the writer's open store at ``store``): a checkpoint made under a
    temporary name, given its lock file, then renamed, so that readers find only whole views.
    None when the store's directory takes no view (read-only, or the disk is full)."""
    views = store / VIEWS
    name = f"{time.time_ns():020d}"
    tmp = views / f".{name}.tmp"
    try:
        views.mkdir(exist_ok=True)
        db.backup(str(tmp))
        (tmp / VIEW_LOCK).touch()
        os.rename(tmp, views / name)
    except (OSError, RuntimeError, ValueError):
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return views / name


def sweep_views(store: Path, *, keep: Path | None = None) -> None:
    """Delete the views no reader holds, except ``keep``; and what a process that died left half
    made or half deleted."""
    views = store / VIEWS
    if not views.is_dir():
        return
    for entry in views.iterdir():
        if entry == keep:
            continue
        if entry.name.startswith("."):
            if entry.name.endswith(".tmp") and writer_alive(store):
                continue  # being made right now
            shutil.rmtree(entry, ignore_errors=True)  # half made, or half deleted
            continue
        try:
            lock = _lock(entry / VIEW_LOCK, EX, create=False)
        except OSError:
            continue
        if lock is None:
            continue  # a reader reads it
        try:
            # Out of readers' sight first, then gone.
            dead = views / f".{entry.name}.dead"
            os.rename(entry, dead)
            shutil.rmtree(dead, ignore_errors=True)
        except OSError:
            pass
        finally:
            lock.close()


def newest_view(store: Path) -> Path | None:
    return max(_views(store), default=None)


def _views(store: Path) -> list[Path]:
    views = store / VIEWS
    if not views.is_dir():
        return []
    return sorted((p for p in views.iterdir() if p.name.isdigit()), key=lambda p: p.name)


def writer_alive(store: Path) -> bool:
    """Whether a writer holds the store: it holds the read lock exclusively (probing the write
    lock instead could make a writer starting that very moment fail)."""
    try:
        probe = _lock(store / READ_LOCK, SH, create=False)
    except OSError:
        return False
    if probe is None:
        return True
    probe.close()
    return False
