"""Benchmark of the compliance check at national scale, with the naive way side by side.

    .venv/bin/python benchmarks/compliance.py                      # 10,000 providers
    .venv/bin/python benchmarks/compliance.py --providers 500 --naive-timeout 120

Measures, on one demo catalogue in an Oxigraph store (in memory, or on disk with --store disk):
1. a full check (validation with the fast path, placements, reports written): time and the peak
   resident memory of the process during the check. The catalogue is generated and imported by a
   child process that hands it over as an N-Quads dump, so this process holds the store and the
   check, as ``specialekatalog check --all`` does, not what generating the demo data left behind;
2. re-checking one provider after an edit of its record (median and worst of several providers);
3. the naive way on the same data in the same run: pyshacl over the whole catalogue as one rdflib
   graph, in a child process with a time limit (if it does not finish, the limit is reported as a
   lower bound), plus pyshacl's rate per provider on its own record as the reference engine.
Prints a Markdown block for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox
import pyshacl
import rdflib

from catalogue import Catalogue, Settings, load_knowledge
from catalogue.compliance import check
from catalogue.compliance.check import provider_ids, record_quads
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.oracle import validate_record
from catalogue.demo import generate
from catalogue.demo.edit import serve_one_more
from catalogue.importing.writer import write_records

NAIVE = """
import sys, time, rdflib, pyshacl
data = rdflib.Graph(); data.parse(sys.argv[1], format="nt")
shapes = rdflib.Graph(); shapes.parse(sys.argv[2], format="nt")
start = time.perf_counter()
pyshacl.validate(data, shacl_graph=shapes, allow_infos=True, allow_warnings=True, advanced=False,
                 js=False, do_owl_imports=False, inference="none")
print(time.perf_counter() - start)
"""


SERVICES = "SELECT ?s WHERE { ?s a <https://specialekatalog.example/ontology#TargetGroupService> }"


class Peak:
    """The peak resident memory of this process while the block runs (sampled every 20 ms)."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.start = self.peak = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self) -> Peak:
        self.start = self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def naive(catalogue: Catalogue, criteria: Criteria, folder: Path, limit: float) -> str:
    """pyshacl over the whole catalogue in a child process; the time, or the limit exceeded."""
    data, shapes = folder / "data.nt", folder / "shapes.nt"
    with data.open("wb") as out:
        for tpid in provider_ids(catalogue.store):
            ox.serialize(
                (q.triple for q in record_quads(catalogue.store, tpid)),
                out,
                ox.RdfFormat.N_TRIPLES,
            )
        ox.serialize((q.triple for q in criteria.reference), out, ox.RdfFormat.N_TRIPLES)
    shapes.write_bytes(criteria.shapes.serialize(format="nt", encoding="utf-8"))
    try:
        done = subprocess.run(
            [sys.executable, "-c", NAIVE, str(data), str(shapes)],
            capture_output=True,
            text=True,
            timeout=limit,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return f"> {limit:.0f} s (stopped at the limit)"
    return f"{float(done.stdout.strip()):.1f} s"


def build(dump: Path, providers: int, seed: int) -> None:
    """Generate and import the demo catalogue into a scratch store; write it to ``dump``."""
    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    load_knowledge(catalogue.store)
    written = write_records(catalogue.store, generate(providers, seed))
    with dump.open("wb") as out:
        catalogue.store.dump(out, ox.RdfFormat.N_QUADS)
    print(written)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rechecks", type=int, default=20)
    parser.add_argument("--naive-timeout", type=float, default=900.0)
    parser.add_argument("--oracle-sample", type=int, default=20)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # the child's step
    parser.add_argument(
        "--store",
        choices=("memory", "disk"),
        default="memory",
        help="in-memory Oxigraph, or an on-disk (RocksDB) store in a temporary directory",
    )
    args = parser.parse_args()
    if args.build:
        build(args.build, args.providers, args.seed)
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        where = "memory" if args.store == "memory" else str(folder / "store")
        dump = folder / "catalogue.nq"
        child = [sys.executable, __file__, "--build", str(dump)]
        built, made = timed(
            lambda: subprocess.run(
                [*child, "--providers", str(args.providers), "--seed", str(args.seed)],
                check=True,
                capture_output=True,
                text=True,
            )
        )
        written = int(made.stdout.split()[-1])
        catalogue = Catalogue.open(Settings.from_env({"store": where}))
        catalogue.store.oxigraph.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        dump.unlink()
        quads = sum(1 for _ in catalogue.store.quads())
        services = len(catalogue.store.select(SERVICES))
        with Peak() as peak:
            full, checks = timed(lambda: check(catalogue.store))
        conforming = sum(bool(c.conforms) for c in checks)
        levels = Counter(
            lv.value.rsplit("/", 1)[-1]
            for c in checks
            if c.outcome
            for lv in c.outcome.placements.values()
        )
        qualified = sum(q.meets for c in checks if c.outcome for q in c.outcome.qualifications)
        report_quads = sum(
            1
            for g in catalogue.store.graph_names()
            if "/graph/report/" in g.value
            for _ in catalogue.store.quads(g)
        )
        again, _ = timed(lambda: check(catalogue.store))
        tpids = provider_ids(catalogue.store)
        step = max(1, len(tpids) // args.rechecks)
        one = []
        for tpid in tpids[::step][: args.rechecks]:
            serve_one_more(catalogue.store, tpid)
            seconds, (result,) = timed(lambda t=tpid: check(catalogue.store, [t]))  # type: ignore[misc]
            assert result.checked
            one.append(seconds)
        criteria = Criteria.from_store(catalogue.store)
        sample = tpids[: args.oracle_sample]
        oracle, _ = timed(
            lambda: [validate_record(criteria, record_quads(catalogue.store, t)) for t in sample]
        )
        naive_time = naive(catalogue, criteria, folder, args.naive_timeout)
        catalogue.close()
    load_after = os.getloadavg()
    ratio = (
        f"{float(naive_time.split()[0]) / full:.0f}x"
        if naive_time[0].isdigit()
        else f"more than {args.naive_timeout / full:.0f}x"
    )
    memory = psutil.virtual_memory().total / 2**30
    kind = "in-memory" if args.store == "memory" else "on-disk (RocksDB)"
    before = " / ".join(f"{x:.1f}" for x in load_before)
    after = " / ".join(f"{x:.1f}" for x in load_after)
    median, worst = statistics.median(one) * 1000, max(one) * 1000
    rows = [
        (
            f"full check (validate all, place, write {len(checks):,} reports, "
            f"{report_quads:,} report quads)",
            f"{full:.1f} s",
        ),
        (
            "peak resident memory of the process during the full check (when it began: the "
            "loaded store)",
            f"{peak.peak / 2**30:.2f} GB ({peak.start / 2**30:.2f} GB)",
        ),
        ("check again, nothing changed (hashes compared, nothing validated)", f"{again:.1f} s"),
        (
            f"re-check one provider after an edit of its record (median / worst of {len(one)})",
            f"{median:.0f} ms / {worst:.0f} ms",
        ),
        (
            f"naive: pyshacl over the whole catalogue as one graph (child process, limit "
            f"{args.naive_timeout:.0f} s)",
            naive_time,
        ),
        ("full check compared with the naive way", f"{ratio} faster"),
        (
            f"pyshacl on one provider record at a time (reference engine, {len(sample)} providers)",
            f"{oracle / len(sample) * 1000:.0f} ms per provider",
        ),
    ]
    lines = [
        f"Command: `.venv/bin/python benchmarks/compliance.py --providers {args.providers} "
        f"--store {args.store}` ({time.strftime('%Y-%m-%d')})",
        "",
        f"Machine: {os.cpu_count()} cores (nproc), {memory:.0f} GB RAM, {platform.platform()}; "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, "
        f"pyshacl {pyshacl.__version__}, rdflib {rdflib.__version__}. Shared with other work: "
        f"load average {before} before, {after} after.",
        "",
        f"Catalogue: {written} demo providers (seed {args.seed}), {services} target-group "
        f"services, {quads:,} quads in an {kind} Oxigraph store (demo generated and imported "
        f"by a child process in {built:.0f} s, handed over as N-Quads; not counted below).",
        "",
        "| what | result |",
        "|---|---|",
        *(f"| {what} | {result} |" for what, result in rows),
        "",
        f"Outcome: {conforming:,} of {len(checks):,} providers conform; placements "
        f"{dict(sorted(levels.items()))}; {qualified:,} qualifications met.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
