"""Full dumps at stable URLs (``/-/dumps/catalogue.nq.gz`` ...), written by ``catalogue.export``
once per state of the store and then served from a file.

``serve`` writes them ahead of the first request (``prepare``, in the warm-up thread). They live in
the catalogue's own directory beside an on-disk store (``<store>.dumps/``), not in the system's
temporary directory; each is written to a ``.partial`` file and renamed into place, and whatever a
killed process left there is removed when the next one starts."""

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
from catalogue.publish import UriSpace
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
    def __init__(self, store: Store, uri_space: UriSpace) -> None:
        self._store = store
        self._uri_space = uri_space
        self._lock = threading.Lock()
        if store.directory is not None:
            self._root = store.directory.with_name(store.directory.name + ".dumps")
            shutil.rmtree(self._root, ignore_errors=True)  # left by a killed process
            self._root.mkdir(parents=True)
        else:
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
                            export(
                                self._store,
                                cast(IO[bytes], zipped),
                                fmt.extension,
                                "public",
                                uri_space=self._uri_space,
                            )
                    else:
                        export(self._store, raw, fmt.extension, "public", uri_space=self._uri_space)
                partial.rename(target)
                for old in self._root.glob(f"*-{name}"):
                    if old != target:
                        old.unlink()
        return target

    def prepare(self) -> None:
        """Write every dump of the store as it is now, ahead of the requests for them."""
        for name in DUMPS:
            self.path(name)

    def close(self) -> None:
        self._finalizer()
