"""The framing between the pool and a worker process: length-prefixed JSON headers and bodies."""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import Any

_LENGTH = struct.Struct(">Q")


class WireTimeout(TimeoutError):
    """The other side did not answer before the deadline."""


class WireClosed(EOFError):
    """The other side is gone (a worker that died, or a parent that exited)."""


def write_message(fd: int, header: dict[str, Any], body: bytes = b"") -> None:
    head = json.dumps(header).encode("utf-8")
    data = _LENGTH.pack(len(head)) + head + _LENGTH.pack(len(body)) + body
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WireTimeout("no answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise WireTimeout("no answer in time")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise WireClosed("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None) -> tuple[dict[str, Any], bytes]:
    """One header and its body; ``deadline`` is a ``time.monotonic()`` value."""
    (head_length,) = _LENGTH.unpack(_read_exact(fd, _LENGTH.size, deadline))
    header: dict[str, Any] = json.loads(_read_exact(fd, head_length, deadline))
    (body_length,) = _LENGTH.unpack(_read_exact(fd, _LENGTH.size, deadline))
    return header, _read_exact(fd, body_length, deadline)
