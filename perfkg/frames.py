"""Length-prefixed pickle frames: how perfkg talks to its worker processes over pipes.

Ingest and validate run their workers as fresh interpreters (``python -c …``) fed through
stdin/stdout rather than with multiprocessing, which would re-run the caller's main module in
every worker and, with fork, copy a process holding a store's threads. Each message is 8 bytes
of little-endian length, then the pickle.
"""

from __future__ import annotations

import pickle
import struct
from typing import IO, Any

__all__ = ["EOF", "read_frame", "write_frame"]

#: What ``read_frame`` returns when the other side closed the pipe (or died) mid-frame.
EOF = object()


def write_frame(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    head = stream.read(8)
    if len(head) < 8:
        return EOF
    (size,) = struct.unpack("<Q", head)
    data = stream.read(size)
    if len(data) < size:
        return EOF
    return pickle.loads(data)
