"""Backing up a store that a running catalogue holds open.

RocksDB lets one process open a store read-write, so ``specialekatalog backup`` cannot open it
while ``specialekatalog serve`` runs. The server therefore writes its process id next to the store
and, on ``SIGUSR1``, makes the snapshot itself (``Store.backup``: consistent, hard links) into the
directory named in a request file beside the store. Only someone who can write next to the store and
signal the server's process can ask for a backup: the same people who could copy the store.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType

from catalogue.backup import Manifest, snapshot
from catalogue.store import Store, StoreError


def _beside(store_dir: Path, suffix: str) -> Path:
    return store_dir.with_name(store_dir.name + suffix)


def pid_file(store_dir: Path) -> Path:
    return _beside(store_dir, ".serve.pid")


def request_file(store_dir: Path) -> Path:
    return _beside(store_dir, ".backup-request")


def failure_file(target: Path) -> Path:
    return target.with_name(target.name + ".failed")


def listen(store: Store) -> None:
    """In the serving process: answer backup requests on SIGUSR1 (on-disk stores only)."""
    if store.directory is None:
        return
    pids, requests = pid_file(store.directory), request_file(store.directory)
    pids.write_text(str(os.getpid()), encoding="utf-8")
    atexit.register(pids.unlink, missing_ok=True)

    def run(target: Path) -> None:
        try:
            snapshot(store, target)
        except (OSError, StoreError) as exc:
            failure_file(target).write_text(str(exc), encoding="utf-8")

    def handle(_signum: int, _frame: FrameType | None) -> None:
        try:
            target = Path(requests.read_text(encoding="utf-8").strip())
            requests.unlink()
        except OSError:
            return
        threading.Thread(target=run, args=(target,), name="backup", daemon=True).start()

    signal.signal(signal.SIGUSR1, handle)


def ask_server(store_dir: Path, target: Path, timeout_s: float = 900.0) -> Manifest:
    """From another process: have the running catalogue back up its store into ``target``."""
    try:
        pid = int(pid_file(store_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError("the store is in use, but no running catalogue answers for it") from exc
    target = target.resolve()
    if target.exists():
        raise StoreError(f"{target} exists already: give a new directory")
    request_file(store_dir).write_text(str(target), encoding="utf-8")
    try:
        os.kill(pid, signal.SIGUSR1)
    except ProcessLookupError as exc:
        raise StoreError(f"the catalogue that held the store (pid {pid}) is gone") from exc
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if failure_file(target).exists():
            raise StoreError(failure_file(target).read_text(encoding="utf-8"))
        try:
            manifest = Manifest.read(target)
        except json.JSONDecodeError:  # being written
            manifest = None
        if manifest is not None:
            return manifest
        time.sleep(0.2)
    raise StoreError(f"the running catalogue made no backup within {timeout_s:.0f} s")
