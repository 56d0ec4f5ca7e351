"""The Python interpreter set for batch work beside Oxigraph's threads (``batch_work()``).

Two settings of the interpreter cost a national check (10,000 providers) a quarter of its time,
measured in BENCHMARKS.md (session 10):

- the cyclic garbage collector's frequency. A check makes about 226,000 solution rows and results;
  none form reference cycles, and reference counting frees them. The collector still ran every
  700 allocations, and its collections of the older generations scanned the growing set of live
  objects again: 5 of 29 s of the check in memory. Running its youngest generation every 20,000
  allocations (``COLLECT_EVERY``) gave the same time as turning it off (20.3 and 20.4 s), and
  cycles are still collected (pyshacl's graphs, for a refused shape, make them);
- the GIL's switch interval (5 ms by default). pyoxigraph releases the GIL in each call (a
  dump, a graph lookup, each solution of a query) and takes it back after; a thread calling it
  while another thread runs Python waits for that thread to give the GIL up. 20,000 graph lookups
  took 3 ms alone and 6 s beside a busy thread; with a 0.5 ms interval, 0.18 s.

``batch_work()`` sets both for its duration. Batches may nest and overlap across threads: the last
one to end restores both as the first found them.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL_S = 0.0005  # the GIL's switch interval during batch work
COLLECT_EVERY = 20_000  # allocations between the collector's runs of its youngest generation


class _Settings:
    thresholds: tuple[int, int, int]  # as the first open batch found them
    interval: float

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0

    @contextmanager
    def batch_work(self) -> Iterator[None]:
        with self.lock:
            if not self.open:
                self.thresholds, self.interval = gc.get_threshold(), sys.getswitchinterval()
                youngest, *older = self.thresholds
                gc.set_threshold(max(youngest, COLLECT_EVERY), *older)
                sys.setswitchinterval(min(self.interval, SWITCH_INTERVAL_S))
            self.open += 1
        try:
            yield
        finally:
            with self.lock:
                self.open = max(self.open - 1, 0)  # (a child forked inside this batch: 0 already)
                if not self.open:
                    self._restore()

    def _restore(self) -> None:
        sys.setswitchinterval(self.interval)
        gc.set_threshold(*self.thresholds)

    def forked(self) -> None:
        """In a child forked while another thread's batch was open: that thread is not there to
        end it, so the settings are restored now."""
        self.lock = threading.Lock()
        if self.open:
            self.open = 0
            self._restore()


_SETTINGS = _Settings()
batch_work = _SETTINGS.batch_work
os.register_at_fork(after_in_child=_SETTINGS.forked)
