"""The Python interpreter set for batch work beside Oxigraph's threads (``batch_work()``).

Two settings of the interpreter cost a national check (10,000 providers) a third of its time,
measured in BENCHMARKS.md (session 10):

- the cyclic garbage collector's frequency. A check makes about 200,000 solution rows and results;
  none form reference cycles, and reference counting frees them. The collector still ran every
  700 allocations and, as the live objects grew, rescanned them all: 5 of 29 s of the check in
  memory. Running it every 20,000 allocations (``COLLECT_EVERY``) gave the same time as turning it
  off (20.3 and 20.4 s), and cycles are still collected (pyshacl's graphs, for a refused shape,
  make them);
- the GIL's switch interval (5 ms by default). pyoxigraph releases the GIL in each call (a
  dump, a graph lookup, each solution of a query) and takes it back after; a thread calling it
  while another thread runs Python waits for that thread to give the GIL up. 20,000 graph lookups
  took 3 ms alone and 6 s beside a busy thread; with a 0.5 ms interval, 0.18 s.

``batch_work()`` sets both for its duration. Batches may nest and overlap across threads: the last
one to end restores both as the first found them.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL_S = 0.0005  # the GIL's switch interval during batch work
COLLECT_EVERY = 20_000  # allocations between the collector's runs of its youngest generation


class _Settings:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.thresholds = gc.get_threshold()  # as the first batch found them
        self.interval = sys.getswitchinterval()

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
                self.open -= 1
                if not self.open:
                    sys.setswitchinterval(self.interval)
                    gc.set_threshold(*self.thresholds)


batch_work = _Settings().batch_work
