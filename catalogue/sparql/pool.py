"""A pool of killable query workers with a wall-clock budget (THREATS.md A4-A6).

Each worker is a child process reading a read-only snapshot of the store. A query gets an idle
worker or, when every worker is busy, an immediate ``PoolBusy`` (the client is told to retry). A
worker that overruns the budget is killed with SIGKILL and replaced at once; one that dies by itself
(a crash in the engine) is replaced too. ``SPARES`` workers are started ahead, so a replacement is
usually ready at once (a worker takes a second or more to start on a busy machine, and the next
query, often an ordinary user's small one, would wait for it). When the store has changed since the
snapshot was taken, a new snapshot is made and each worker is moved onto it the next time it is
handed out.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.sparql.wire import WireClosed, WireTimeout, read_message, write_message

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 60.0
SPARES = 2
# A worker starts without running the catalogue package's __init__ (the whole service: about a
# second of imports, several on a busy machine, while a killed worker's successor is awaited): the
# two packages it needs are registered bare, then only the worker's own modules are imported.
_PACKAGES = [
    ("catalogue", Path(__file__).parent.parent),
    ("catalogue.sparql", Path(__file__).parent),
]
BOOT = "\n".join(
    [
        "import sys, types",
        f"for name, path in {[(n, str(p)) for n, p in _PACKAGES]!r}:",
        "    sys.modules[name] = types.ModuleType(name)",
        "    sys.modules[name].__path__ = [path]",
        "from catalogue.sparql.worker import main",
        "main(sys.argv)",
    ]
)


_warned: list[bool] = []


def _warn_not_isolated() -> None:
    if not _warned:
        _warned.append(True)
        log.warning(
            "query workers could not get a network namespace of their own (needs root or "
            "unprivileged user namespaces): only the query guard keeps SERVICE from the network"
        )


class PoolBusy(RuntimeError):
    """Every worker is evaluating a query; try again shortly."""


class QueryTimeout(TimeoutError):
    """The query overran its budget; its worker was killed."""


class WorkerFailed(RuntimeError):
    """The worker died while evaluating (e.g. a crash in the engine); it was replaced."""


@dataclass
class _Worker:
    snapshot: Path
    memory_mb: int
    process: subprocess.Popen[bytes] = field(init=False)
    ready: bool = False

    def __post_init__(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                BOOT,
                str(self.snapshot),
                str(self.memory_mb),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, deadline: float) -> None:
        if not self.ready:
            assert self.process.stdout is not None
            header, _ = read_message(self.process.stdout.fileno(), deadline)
            self.ready = bool(header.get("ready"))
            if not header.get("isolated"):
                _warn_not_isolated()

    def ask(self, request: dict[str, Any], deadline: float) -> tuple[dict[str, Any], bytes]:
        assert self.process.stdin is not None and self.process.stdout is not None
        write_message(self.process.stdin.fileno(), request)
        return read_message(self.process.stdout.fileno(), deadline)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class WorkerPool:
    """``size`` workers on the snapshot that ``snapshot()`` returns for the current generation."""

    def __init__(
        self,
        size: int,
        snapshot: Callable[[], Path],
        *,
        timeout_s: float,
        memory_mb: int,
    ) -> None:
        self._size = max(1, size)
        self._take_snapshot = snapshot
        self._timeout_s = timeout_s
        self._memory_mb = memory_mb
        self._lock = threading.Lock()
        self._snapshot: Path | None = None
        self._idle: list[_Worker] = []
        self._spares: list[_Worker] = []
        self._busy = 0
        self._closed = False

    def _current_snapshot(self) -> Path:
        if self._snapshot is None:
            self._snapshot = self._take_snapshot()
        return self._snapshot

    def refresh(self, snapshot: Path) -> None:
        """Use ``snapshot`` from now on; idle workers on an older one are replaced."""
        with self._lock:
            self._snapshot = snapshot
            stale = [w for w in self._idle if w.snapshot != snapshot]
            self._idle = [w for w in self._idle if w.snapshot == snapshot]
            stale += [w for w in self._spares if w.snapshot != snapshot]
            self._spares = [w for w in self._spares if w.snapshot == snapshot]
        for worker in stale:
            worker.kill()

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise PoolBusy("the query service is shutting down")
            if self._busy >= self._size:
                raise PoolBusy("all query workers are busy")
            self._busy += 1
            snapshot = self._current_snapshot()
            while self._idle:
                worker = self._idle.pop()
                if worker.snapshot == snapshot and worker.process.poll() is None:
                    return worker
                worker.kill()
        try:
            return self._fresh(snapshot)
        except OSError:
            self._release(None)
            raise

    def _fresh(self, snapshot: Path) -> _Worker:
        """A worker on ``snapshot``: the oldest spare (started ahead, so most likely ready) when
        there is one, else a new one; spares are started to make up ``SPARES`` again."""
        with self._lock:
            spares = [w for w in self._spares if w.snapshot == snapshot]
            stale = [w for w in self._spares if w not in spares]
            worker = spares.pop(0) if spares else None
            self._spares = spares
            closed, missing = self._closed, SPARES - len(spares)
        for dead in stale:
            dead.kill()
        if worker is None or worker.process.poll() is not None:
            worker = _Worker(snapshot, self._memory_mb)
        if not closed:
            started = [_Worker(snapshot, self._memory_mb) for _ in range(missing)]
            with self._lock:
                self._spares += started
        return worker

    def _release(self, worker: _Worker | None) -> None:
        with self._lock:
            self._busy -= 1
            if worker is not None and not self._closed:
                self._idle.append(worker)
                return
        if worker is not None:
            worker.kill()

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and start its successor now, so it is warm for the next query."""
        worker.kill()
        successor = None if self._closed else self._fresh(worker.snapshot)
        self._release(successor)

    def run(
        self,
        request: dict[str, Any],
        budget_s: float | None = None,
        started: Callable[[], None] | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        """Send one request to a worker and wait at most the budget (or a shorter ``budget_s``)
        for its answer; ``started`` is called once the worker is ready and has the request."""
        budget = min(budget_s, self._timeout_s) if budget_s is not None else self._timeout_s
        worker = self._acquire()
        try:
            worker.wait_ready(time.monotonic() + READY_TIMEOUT_S)
            if started is not None:
                started()
            header, body = worker.ask(request, time.monotonic() + budget)
        except WireTimeout:
            log.warning("query over budget; killing worker %s", worker.pid)
            self._replace(worker)
            raise QueryTimeout(f"the query took longer than {budget:g} s") from None
        except (WireClosed, BrokenPipeError):
            self._replace(worker)
            log.error("query worker %s died (exit %s)", worker.pid, worker.process.returncode)
            raise WorkerFailed("the query could not be evaluated") from None
        except BaseException:
            self._replace(worker)
            raise
        self._release(worker)
        return header, body

    def prepare(self) -> None:
        """Start the workers on the current snapshot ahead of the first query."""
        with self._lock:
            snapshot = self._current_snapshot()
            missing = self._size - len(self._idle) - self._busy
        workers = [_Worker(snapshot, self._memory_mb) for _ in range(max(0, missing))]
        for worker in workers:
            worker.wait_ready(time.monotonic() + READY_TIMEOUT_S)
        with self._lock:
            self._idle.extend(workers)
            missing_spares = SPARES - len(self._spares)
            self._spares += [_Worker(snapshot, self._memory_mb) for _ in range(missing_spares)]

    @property
    def busy(self) -> bool:
        """True when every worker is evaluating a query."""
        with self._lock:
            return self._busy >= self._size

    def worker_pids(self) -> list[int]:
        with self._lock:
            return [w.pid for w in self._idle]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            idle += self._spares
            self._spares = []
        for worker in idle:
            worker.kill()
