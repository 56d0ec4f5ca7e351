"""Backing up a store that a running catalogue holds open, and saying clearly that it is held.

RocksDB lets one process open a store read-write, so ``specialekatalog backup`` cannot open it
while ``specialekatalog serve`` runs. The serving process therefore holds an exclusive lock
(``flock``) on a lock file next to the store for as long as it lives, with its process id written in
it, and on ``SIGUSR1`` makes the snapshot itself (``Store.backup``: consistent, hard links) into
the directory named in a request file beside the store. Only someone who can write next to the
store and signal the server's process can ask for a backup: the same people who could copy it.

The lock, not the file, says whether a catalogue is serving: the kernel releases it when the
process ends in any way (``kill -9`` too), so a left-over file never names a process that is gone
or, worse, an unrelated process that got the same id (issue 14, finding 6). Other commands that find
the store held (``import``, ``check``, ``load``, ``export``) say so in one line
(``explain_open_error``) instead of a RocksDB ``LOCK`` traceback.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import IO

from catalogue.backup import Manifest, snapshot
from catalogue.store import Store, StoreError

_held: list[IO[str]] = []  # the serving process's lock file, open for its lifetime


def _beside(store_dir: Path, suffix: str) -> Path:
    return store_dir.with_name(store_dir.name + suffix)


def lock_file(store_dir: Path) -> Path:
    return _beside(store_dir, ".serve.lock")


def request_file(store_dir: Path) -> Path:
    return _beside(store_dir, ".backup-request")


def failure_file(target: Path) -> Path:
    return target.with_name(target.name + ".failed")


def serving_pid(store_dir: Path) -> int | None:
    """The id of the process serving this store, if one is (it holds the lock); else None."""
    try:
        handle = lock_file(store_dir).open(encoding="utf-8")
    except OSError:
        return None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = handle.read().strip()
            return int(text) if text.isdigit() else None
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None


def hold(store_dir: Path) -> None:
    """In the serving process: take the lock (raises ``StoreError`` if another process has it)."""
    handle = lock_file(store_dir).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreError(f"another catalogue is already serving {store_dir}") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    _held.append(handle)


def listen(store: Store) -> None:
    """In the serving process: hold the lock and answer backup requests on SIGUSR1 (on-disk
    stores only)."""
    if store.directory is None:
        return
    hold(store.directory)
    requests = request_file(store.directory)

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


def explain_open_error(exc: OSError, store_dir: Path) -> str | None:
    """One clear line for a store that could not be opened: a process holds it, or the setting
    names a file or a folder that cannot be made."""
    if exc.filename is not None and Path(exc.filename) in (store_dir, store_dir.parent):
        return (
            f"the store {store_dir} cannot be opened ({exc.strerror}): SPECIALEKATALOG_STORE names "
            "a directory (made if missing), memory or remote / "
            "lageret kan ikke åbnes"
        )
    if "LOCK" not in str(exc):
        return None
    pid = serving_pid(store_dir)
    if pid is not None:
        return (
            f"the store {store_dir} is held by the running catalogue (specialekatalog serve, "
            f"pid {pid}): stop it first ('specialekatalog backup' works while it runs) / "
            "lageret bruges af det kørende katalog: stop det først"
        )
    return f"the store {store_dir} is in use by another process / lageret bruges af en anden proces"


def ask_server(store_dir: Path, target: Path, timeout_s: float = 900.0) -> Manifest:
    """From another process: have the running catalogue back up its store into ``target``."""
    pid = serving_pid(store_dir)
    if pid is None:
        raise StoreError("the store is in use, but no running catalogue answers for it")
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
