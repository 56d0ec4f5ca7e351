"""Benchmark of the compliance check at national scale, with the reference ways side by side.

    .venv/bin/python benchmarks/compliance.py                      # 10,000 providers, every figure
    .venv/bin/python benchmarks/compliance.py --providers 500 --naive-timeout 60 --disk-direct

One command prints every figure of issue 12 item 4 for one demo catalogue (generated and imported by
a child process, handed over as N-Quads, so the measured process holds only the store and the check,
as ``specialekatalog check --all`` does):
1. in memory, in this process: the full check (validate, place, write every report) with its peak
   resident memory; the check again with nothing changed; the re-check of one provider after an
   edit of its record (median and p95); the compiled constraint queries alone (the floor);
2. on disk (RocksDB), through the CLI as a user runs it: ``specialekatalog check --all`` (wall time
   and the child's peak resident memory), then again with nothing changed; with ``--disk-direct``
   also the full check in this process on the on-disk store itself, without the in-memory working
   copy (the measurement behind ``check.COPY_ON_DISK``);
3. the reference ways on the same data in the same run: pyshacl over the whole catalogue as one
   graph (child process, stopped at ``--naive-timeout``: then a lower bound) and pyshacl per record
   (a sample, extrapolated to every provider); the ratios of each to the full check are the
   headline, and the full check's ratio to the floor.
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

from catalogue import load_knowledge
from catalogue.compliance import check
from catalogue.compliance.check import engine_for, provider_ids, record_quads
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.oracle import validate_record
from catalogue.compliance.results import same_results
from catalogue.demo import generate
from catalogue.demo.edit import serve_one_more
from catalogue.importing.writer import write_records
from catalogue.interpreter import batch_work
from catalogue.store import EmbeddedStore, Store

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
PLACED = "SELECT ?level WHERE { ?s <https://specialekatalog.example/ontology#placedAt> ?level }"


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


def naive(store: Store, criteria: Criteria, folder: Path, limit: float) -> str:
    """pyshacl over the whole catalogue in a child process; the time, or the limit exceeded."""
    data, shapes = folder / "data.nt", folder / "shapes.nt"
    with data.open("wb") as out:
        for tpid in provider_ids(store):
            ox.serialize(
                (q.triple for q in record_quads(store, tpid)),
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
    store = EmbeddedStore()
    load_knowledge(store)
    written = write_records(store, generate(providers, seed))
    with dump.open("wb") as out:
        store.dump(out, ox.RdfFormat.N_QUADS)
    print(written)


def write_floor(store: EmbeddedStore) -> float:
    """The report graphs' N-Quads loaded into an empty in-memory store: what writing the reports
    costs Oxigraph alone (the check hands them over as text, parsed in Rust)."""
    lines = [
        line
        for line in store.oxigraph.dump(format=ox.RdfFormat.N_QUADS).split(b"\n")
        if b"/graph/report/" in line
    ]
    text = b"\n".join(lines) + b"\n"
    del lines
    empty = ox.Store()
    seconds, _ = timed(lambda: empty.load(text, ox.RdfFormat.N_QUADS, lenient=True))
    return seconds


def cli_check(store: Path, *extra: str) -> tuple[float, int]:
    """``specialekatalog check --all`` on an on-disk store: wall time and the child's peak RSS."""
    env = {**os.environ, "SPECIALEKATALOG_STORE": str(store)}
    command = [str(Path(sys.executable).with_name("specialekatalog")), "check", "--all", *extra]
    started = time.perf_counter()
    child = psutil.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, child.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if child.returncode not in (0, 1):  # 1: some providers do not conform
        raise RuntimeError(f"check failed: {child.stderr.read().decode() if child.stderr else ''}")
    return seconds, peak


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load_text() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rechecks", type=int, default=40)
    parser.add_argument("--naive-timeout", type=float, default=600.0)
    parser.add_argument("--oracle-sample", type=int, default=20)
    parser.add_argument(
        "--disk-direct",
        action="store_true",
        help="also check the on-disk store itself, without the in-memory working copy (slow)",
    )
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # the child's step
    args = parser.parse_args()
    if args.build:
        build(args.build, args.providers, args.seed)
        return
    load_before = load_text()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
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

        # 1. in memory, in this process
        memory_store = EmbeddedStore()
        memory_store.oxigraph.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        quads = sum(1 for _ in memory_store.quads())
        services = len(memory_store.select(SERVICES))
        engine = engine_for(memory_store)
        with batch_work():  # as in the check (catalogue.interpreter)
            floor, _ = timed(lambda: engine.fast.compiled(memory_store))
        load = load_text()
        with Peak() as peak:
            full, checks = timed(lambda: check(memory_store, details=False))
        conforming = sum(bool(c.conforms) for c in checks)
        report_quads = sum(
            1
            for g in memory_store.graph_names()
            if "/graph/report/" in g.value
            for _ in memory_store.quads(g)
        )
        placed = Counter(r["level"].value.rsplit("/", 1)[-1] for r in memory_store.select(PLACED))
        writing = write_floor(memory_store)
        again, _ = timed(lambda: check(memory_store))
        tpids = provider_ids(memory_store)
        step = max(1, len(tpids) // args.rechecks)
        one = []
        for tpid in tpids[::step][: args.rechecks]:
            serve_one_more(memory_store, tpid)
            seconds, (result,) = timed(lambda t=tpid: check(memory_store, [t]))  # type: ignore[misc]
            assert result.checked
            one.append(seconds * 1000)
        rows += [
            (
                f"full check in memory (validate, place, write {len(checks):,} reports, "
                f"{report_quads:,} report quads)",
                f"**{full:.1f} s**",
                load,
            ),
            (
                "peak resident memory during it (at its start: the loaded store)",
                f"**{peak.peak / 2**30:.2f} GB** ({peak.start / 2**30:.2f} GB)",
                load,
            ),
            ("floor: the compiled constraint queries alone, in memory", f"{floor:.1f} s", load),
            ("full check / floor", f"{full / floor:.1f}x", ""),
            (
                "floor of the writing: the report quads loaded into an empty in-memory store",
                f"{writing:.1f} s",
                load_text(),
            ),
            ("check again in memory, nothing changed", f"**{again:.2f} s**", load_text()),
            (
                f"re-check one provider after an edit of its record (median / p95 / worst of "
                f"{len(one)})",
                f"{statistics.median(one):.0f} ms / **{percentile(one, 0.95):.0f} ms** / "
                f"{max(one):.0f} ms",
                load_text(),
            ),
        ]

        # 3. the reference ways (the data as it was checked, in this process's store)
        criteria = Criteria.from_store(memory_store)
        sample = tpids[:: max(1, len(tpids) // args.oracle_sample)][: args.oracle_sample]
        oracle, references = timed(
            lambda: [validate_record(criteria, record_quads(memory_store, t)) for t in sample]
        )
        per_record = oracle / len(sample) * len(tpids)
        identical = sum(
            same_results(reference, engine.fast.run_record(record_quads(memory_store, t)))
            == (Counter(), Counter())
            for t, reference in zip(sample, references, strict=True)
        )
        load = load_text()
        naive_time = naive(memory_store, criteria, folder, args.naive_timeout)
        memory_store.close()
        naive_s = float(naive_time.split()[0]) if naive_time[0].isdigit() else None
        rows += [
            (
                f"naive: pyshacl over the whole catalogue as one graph (child process, limit "
                f"{args.naive_timeout:.0f} s)",
                naive_time,
                load,
            ),
            (
                "full check compared with the naive way",
                f"**{naive_s / full:.0f}x** faster"
                if naive_s
                else f"**more than {args.naive_timeout / full:.0f}x** faster",
                "",
            ),
            (
                f"pyshacl per record (reference engine; {len(sample)} records, "
                f"{oracle / len(sample) * 1000:.0f} ms each, extrapolated to {len(tpids):,})",
                f"{per_record:.0f} s",
                load,
            ),
            ("full check compared with pyshacl per record", f"**{per_record / full:.0f}x**", ""),
            (
                "the same results as pyshacl on those records (the six SHACL fields, compared "
                "record by record)",
                f"{identical} of {len(sample)}",
                "",
            ),
        ]

        # 2. on disk, through the CLI
        disk = folder / "store"
        store = EmbeddedStore(disk)
        store.oxigraph.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        store.close()
        load = load_text()
        cli_full, cli_peak = cli_check(disk, "--force")
        rows.append(
            (
                "on disk: `specialekatalog check --all --force` (CLI, in-memory working copy)",
                f"**{cli_full:.1f} s**, peak **{cli_peak / 2**30:.2f} GB**",
                load,
            )
        )
        load = load_text()
        cli_again, _ = cli_check(disk)
        rows.append(
            (
                "on disk: `specialekatalog check --all`, nothing changed (CLI)",
                f"{cli_again:.1f} s",
                load,
            )
        )
        load = load_text()
        cli_over, cli_over_peak = cli_check(disk, "--force")
        rows.append(
            (
                "on disk: `specialekatalog check --all --force` again, every report in the store "
                "(each written as its difference) (CLI)",
                f"**{cli_over:.1f} s**, peak **{cli_over_peak / 2**30:.2f} GB**",
                load,
            )
        )
        if args.disk_direct:
            store = EmbeddedStore(disk)
            load = load_text()
            direct, _ = timed(lambda: check(store, force=True, details=False, copy=False))
            store.close()
            rows.append(
                (
                    "on disk, in this process, the queries on RocksDB itself (no working copy)",
                    f"{direct:.1f} s",
                    load,
                )
            )
            store = EmbeddedStore(disk)
            load = load_text()
            copied, _ = timed(lambda: check(store, force=True, details=False, copy=True))
            store.close()
            rows.append(
                (
                    "on disk, in this process, with the in-memory working copy",
                    f"{copied:.1f} s",
                    load,
                )
            )
    memory = psutil.virtual_memory().total / 2**30
    lines = [
        f"Command: `.venv/bin/python benchmarks/compliance.py --providers {args.providers} "
        f"--naive-timeout {args.naive_timeout:.0f}{' --disk-direct' if args.disk_direct else ''}`"
        f" ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        "",
        f"Machine: {os.cpu_count()} cores (nproc), {memory:.0f} GB RAM, {platform.platform()}; "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, "
        f"pyshacl {pyshacl.__version__}, rdflib {rdflib.__version__}. Load average (1 / 5 / 15 "
        f"min) {load_before} at the start, {load_text()} at the end; beside each figure the load "
        "when that step began.",
        "",
        f"Catalogue: {written:,} demo providers (seed {args.seed}), {services:,} target-group "
        f"services, {quads:,} quads (generated and imported by a child process in {built:.0f} s, "
        "handed over as N-Quads; not counted).",
        "",
        "| what | result | load |",
        "|---|---|---|",
        *(f"| {what} | {result} | {load} |" for what, result, load in rows),
        "",
        f"Outcome: {conforming:,} of {len(checks):,} providers conform; placements "
        f"{dict(sorted(placed.items()))}.",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
