"""Read replicas: an Oxigraph store directory made from the writer's data, served read-only.

``specialekatalog replica snapshot DIR`` reads the whole dataset from the writer over the Graph
Store Protocol (one consistent read on Oxigraph) and bulk-loads it into a new Oxigraph directory,
the store's own change counter included: a catalogue whose query endpoint is
``oxigraph serve-read-only --location DIR`` then knows how current its answers are
(``/-/health``: the replica's last change against the writer's). Refreshing a replica is taking a
new snapshot and restarting the read-only server on it; staleness is at most the time between
refreshes plus the time one snapshot takes.

(``oxigraph backup`` of a running server's directory is no substitute: it misses the writes the
server has not flushed yet.)
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from catalogue.config import Settings
from catalogue.store import StoreError
from catalogue.store.remote import ChunkReader


@dataclass(frozen=True)
class Snapshot:
    directory: Path
    quads: int
    seconds: float


def snapshot(settings: Settings, target: Path) -> Snapshot:
    """The writer's whole dataset (GSP ``GET``, N-Quads) as a new Oxigraph directory ``target``."""
    if settings.store != "remote":
        raise StoreError("a replica snapshot is taken from a SPARQL server (STORE=remote)")
    if target.exists():
        raise StoreError(f"{target} exists already: give a new directory")
    started = time.monotonic()
    store = ox.Store(str(target))
    try:
        with httpx.stream(
            "GET",
            settings.gsp_endpoint,
            headers={"Accept": "application/n-quads"},
            timeout=httpx.Timeout(settings.remote_timeout_s, connect=2.0),
        ) as response:
            if response.status_code != 200:
                raise StoreError(f"the writer answered {response.status_code} to a download")
            store.bulk_load(
                io.BufferedReader(ChunkReader(response.iter_bytes())), ox.RdfFormat.N_QUADS
            )
        store.flush()
        quads = len(store)
    except (httpx.HTTPError, SyntaxError) as exc:
        raise StoreError(f"the snapshot failed: {exc}") from exc
    finally:
        del store
    return Snapshot(target, quads, time.monotonic() - started)
