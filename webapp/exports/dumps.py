"""Full dumps at stable URLs (``/-/dumps/catalogue.nq.gz`` ...), written by ``catalogue.export``
once per state of the store and then served from a file."""

from __future__ import annotations

import gzip
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import IO, cast

from catalogue.export import export
from catalogue.formats import FORMATS, Format
from catalogue.store import Store

# file name -> (format, gzip): the public dataset in the formats that keep named graphs
DUMPS: dict[str, tuple[Format, bool]] = {
    f"catalogue.{FORMATS[key].extension}{'.gz' if compressed else ''}": (FORMATS[key], compressed)
    for compressed in (True, False)
    for key in ("nquads", "trig")
}
REMOTE_MAX_AGE_S = 600  # a store without a change counter: dump again after this long


def state(store: Store) -> int:
    """A number that changes when the store's content may have changed."""
    if store.generation is not None:
        return store.generation
    return int(time.time() // REMOTE_MAX_AGE_S)


class DumpCache:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._root = Path(tempfile.mkdtemp(prefix="specialekatalog-dumps-"))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._root, True)

    def path(self, name: str) -> Path:
        """The dump file for the store as it is now (written on first request)."""
        fmt, compressed = DUMPS[name]
        target = self._root / f"{state(self._store)}-{name}"
        with self._lock:
            if not target.exists():
                partial = target.with_suffix(".partial")
                with partial.open("wb") as raw:
                    if compressed:
                        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
                            export(self._store, cast(IO[bytes], zipped), fmt.extension, "public")
                    else:
                        export(self._store, raw, fmt.extension, "public")
                partial.rename(target)
                for old in self._root.glob(f"*-{name}"):
                    if old != target:
                        old.unlink()
        return target

    def close(self) -> None:
        self._finalizer()
