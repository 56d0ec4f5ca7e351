"""Page and SPARQL throughput with one and with three catalogue processes on the same Oxigraph
server, measured side by side in one run (issue 15).

    .venv/bin/python -m benchmarks.multiprocess [--providers 10000] [--store var/bench-multi]
        [--seconds 30] [--clients 6]

Builds the catalogue once in ``--store`` (knowledge, demo providers, full compliance check, as
benchmarks/pages.py does), then serves that directory with ``oxigraph serve`` and measures, for one
process (reached directly) and for three processes behind nginx: ``--clients`` keep-alive clients,
each requesting pages (home, provider, specialfunktion, search, in turn, from the catalogue's own
IRIs) or public SPARQL queries (``/sparql``, a small SELECT) one after another for ``--seconds``.
Reports requests per second, p50 and p95, failures, and the load average; then times one read
replica snapshot of the server (``specialekatalog replica snapshot``). Prints a Markdown table for
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.pages import build, machine, sample_urls
from catalogue.config import Settings
from catalogue.loopback import catalogue_env, catalogue_processes, nginx_proxy
from catalogue.oxigraph_server import oxigraph_server
from catalogue.replica import snapshot

ROOT = Path(__file__).resolve().parent.parent
SPARQL = (
    "PREFIX sk: <https://specialekatalog.example/ontology#> "
    "SELECT ?provider ?name WHERE { ?provider sk:name ?name } LIMIT 20"
)


@dataclass
class Result:
    label: str
    kind: str
    requests: int
    failures: Counter[str]
    seconds: float
    times_ms: list[float]
    load: str

    def row(self) -> str:
        rate = self.requests / self.seconds
        p50 = statistics.median(self.times_ms) if self.times_ms else 0.0
        p95 = statistics.quantiles(self.times_ms, n=20)[-1] if len(self.times_ms) > 1 else 0.0
        return (
            f"| {self.label} | {self.kind} | {rate:.1f} | {p50:.0f} | {p95:.0f} | "
            f"{sum(self.failures.values())} {dict(self.failures) or ''} | {self.load} |"
        )


def hammer(
    base: str, urls: list[str], clients: int, seconds: float
) -> tuple[int, Counter[str], list[float]]:
    """``clients`` threads, each requesting ``urls`` in turn until the time is up."""
    stop = time.monotonic() + seconds
    times: list[float] = []
    failures: Counter[str] = Counter()
    lock = threading.Lock()

    def client(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            n = offset
            while time.monotonic() < stop:
                url = urls[n % len(urls)]
                n += 1
                started = time.perf_counter()
                try:
                    outcome = str(http.get(url).status_code)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if outcome == "200":
                        times.append(elapsed)
                    else:
                        failures[outcome] += 1

    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(times), failures, times


def loadavg() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def measure(label: str, base: str, pages: list[str], clients: int, seconds: float) -> None:
    for url in pages[:4]:  # warm: templates, first aggregates of this process (one per kind)
        httpx.get(base + url, timeout=300)
    sparql = [str(httpx.URL("/sparql", params={"query": SPARQL}))]
    for kind, urls in (("pages", pages), ("SPARQL", sparql)):
        done, failed, times = hammer(base, urls, clients, seconds)
        print(Result(label, kind, done, failed, seconds, times, loadavg()).row(), flush=True)


@contextmanager
def topology(count: int, env: dict[str, str], root: Path) -> Iterator[str]:
    """``count`` catalogue processes; three or more behind nginx."""
    with ExitStack() as stack:
        processes = stack.enter_context(catalogue_processes(count, env))
        if count == 1:
            yield processes[0].url
        else:
            yield stack.enter_context(nginx_proxy([p.url for p in processes], root / "nginx"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench-multi")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args()
    env = {**os.environ, "SPECIALEKATALOG_STORE": str(args.store)}
    built = {} if args.store.exists() else build(args.store, args.providers, env)
    samples = sample_urls(args.store, 40, seed=1)
    pages = [u for kind in ("home", "provider", "specialfunktion", "search") for u in samples[kind]]
    pages = [pages[i] for i in sorted(range(len(pages)), key=lambda i: (i % 40, i))]  # interleaved
    print(f"built: {built or 'reused ' + str(args.store)}; {machine()}", flush=True)
    print("| processes | requests | per second | p50 ms | p95 ms | failed | load 1/5/15 min |")
    print("|---|---|---|---|---|---|---|")
    with oxigraph_server(args.store) as server:
        # every client is 127.0.0.1: let each have a public SPARQL worker (default: one per client)
        remote = catalogue_env(
            server,
            threads="8",
            sparql_workers=str(args.clients),
            sparql_workers_per_client=str(args.clients),
        )
        for count in (1, 3):
            with topology(count, remote, args.store.parent / f"nginx-{os.getpid()}") as base:
                label = "1 (direct)" if count == 1 else f"{count} behind nginx"
                measure(label, base, pages, args.clients, args.seconds)
        # a read replica's refresh: how long one snapshot of the writer takes at this scale
        target = args.store.parent / f"replica-{os.getpid()}"
        made = snapshot(Settings.from_env(dict_settings(remote)), target)
        print(f"\nreplica snapshot: {made.quads} quads in {made.seconds:.1f} s (load {loadavg()})")
        shutil.rmtree(target)


def dict_settings(env: dict[str, str]) -> dict[str, str]:
    """The SPECIALEKATALOG_* variables of ``env`` as settings overrides."""
    prefix = "SPECIALEKATALOG_"
    return {k.removeprefix(prefix).lower(): v for k, v in env.items() if k.startswith(prefix)}


if __name__ == "__main__":
    main()
