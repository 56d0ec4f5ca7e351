"""The Python interpreter set for batch work beside Oxigraph's threads (``batch_work()``).

Two settings of the interpreter cost a national check (10,000 providers) a third of its time,
measured in BENCHMARKS.md (session 10):

- the cyclic garbage collector. A check makes about 200,000 solution rows and results, an import
  as many terms; none form reference cycles, and reference counting frees them. The collector
  still runs every few hundred allocations and, as the live objects grow, scans them all again:
  5 of 29 s of the check in memory;
- the GIL's switch interval (5 ms by default). pyoxigraph releases the GIL in each call (a
  dump, a graph lookup, each solution of a query) and takes it back after; a thread calling it
  while another thread runs Python waits for that thread to give the GIL up. 20,000 graph lookups
  took 3 ms alone and 6 s beside a busy thread; with a 0.5 ms interval, 0.18 s.

``batch_work()`` turns the collector off and shortens the interval for its duration. Pauses may
nest and overlap across threads: the last one to end restores both as the first found them.
Cycles made meanwhile are collected afterwards, as usual.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL_S = 0.0005  # the GIL's switch interval during batch work


class _Settings:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.collect = False  # the collector was on when the first batch began
        self.interval = sys.getswitchinterval()

    @contextmanager
    def batch_work(self) -> Iterator[None]:
        with self.lock:
            if not self.open:
                self.collect, self.interval = gc.isenabled(), sys.getswitchinterval()
                gc.disable()
                sys.setswitchinterval(min(self.interval, SWITCH_INTERVAL_S))
            self.open += 1
        try:
            yield
        finally:
            with self.lock:
                self.open -= 1
                if not self.open:
                    sys.setswitchinterval(self.interval)
                    if self.collect:
                        gc.enable()


batch_work = _Settings().batch_work
