"""Import and export at national scale: the embedded store and a real Oxigraph server.

    .venv/bin/python benchmarks/import_export.py [--providers 10000] [--seed 1] [--work DIR]

Writes the demo catalogue as a CSV file in the import template, then measures, each in a fresh
store: the import through the same function the CLI uses (read and map, integrity check, write),
a second import of the same file (nothing changes), a full export in each format, a backup
snapshot, and the same import against ``oxigraph serve`` on a free loopback port. Prints a
Markdown section for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox

from catalogue.backup import snapshot
from catalogue.demo import write_csv
from catalogue.export import export
from catalogue.importing import FileResult, ImportResult, read_file
from catalogue.importing.writer import write_records
from catalogue.loading import load_knowledge
from catalogue.oxigraph_server import oxigraph_server
from catalogue.store import EmbeddedStore, RemoteStore, Store

LIMIT = 2**30


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def import_file(store: Store, path: Path) -> tuple[dict[str, float], ImportResult]:
    """The import of ``catalogue.importing.import_paths``, phase by phase."""
    data = path.read_bytes()
    seconds, result = timed(lambda: read_file(path.name, data, LIMIT))
    assert isinstance(result, FileResult) and result.ok, result.problems[:3]
    written_s, written = timed(lambda: write_records(store, result.records, staging=result.staging))
    return {"read, map, check": seconds, "write": written_s}, ImportResult([result], written)


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB RAM, "
        f"Python {platform.python_version()}, pyoxigraph {ox.__version__}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("var/bench-io"), help="scratch directory")
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    before = machine()
    rows: list[tuple[str, str]] = []

    csv_path = args.work / "providers.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        generated_s, _ = timed(lambda: write_csv(handle, args.providers, args.seed))
    size_mb = csv_path.stat().st_size / 2**20
    rows.append((f"demo CSV generated ({size_mb:.1f} MB)", f"{generated_s:.1f} s"))

    store = EmbeddedStore(args.work / "store")
    load_knowledge(store)
    phases, result = import_file(store, csv_path)
    total = sum(phases.values())
    quads = sum(1 for _ in store.quads())
    rows.append(
        (
            f"import into the embedded store ({result.written} providers, {quads:,} quads)",
            f"**{total:.1f} s** ({', '.join(f'{k} {v:.1f} s' for k, v in phases.items())})",
        )
    )
    again, result = import_file(store, csv_path)
    rows.append(
        (f"same file again ({result.written} graphs changed)", f"{sum(again.values()):.1f} s")
    )
    for fmt in ("nq", "trig", "jsonld", "ttl"):
        target = args.work / f"export.{fmt}"
        with target.open("wb") as handle:
            seconds, _ = timed(lambda h=handle, f=fmt: export(store, h, f))
        what = "providers" if fmt == "ttl" else "full dataset"
        rows.append(
            (f"export {what} as {fmt} ({target.stat().st_size / 2**20:.0f} MB)", f"{seconds:.1f} s")
        )
    seconds, manifest = timed(lambda: snapshot(store, args.work / "backup"))
    rows.append(
        (f"backup snapshot with manifest hash ({manifest.quads:,} quads)", f"{seconds:.1f} s")
    )
    store.close()

    with oxigraph_server(args.work / "server") as url:
        remote = RemoteStore(f"{url}/query", f"{url}/update", f"{url}/store", 600)
        load_knowledge(remote)
        phases, result = import_file(remote, csv_path)
        rows.append(
            (
                f"import into Oxigraph server ({result.written} providers)",
                f"**{sum(phases.values()):.1f} s** "
                f"({', '.join(f'{k} {v:.1f} s' for k, v in phases.items())})",
            )
        )
        out = io.BytesIO()
        seconds, _ = timed(lambda: export(remote, out, "nq"))
        rows.append(
            (
                f"export full dataset from Oxigraph server as nq "
                f"({len(out.getvalue()) / 2**20:.0f} MB)",
                f"{seconds:.1f} s",
            )
        )
        remote.close()

    print("## Import and export\n")
    print(
        f"`benchmarks/import_export.py --providers {args.providers} --seed {args.seed}`, "
        f"{dt.date.today().isoformat()}. Machine: {before} (at the start).\n"
    )
    print("| step | time |\n|---|---|")
    for step, value in rows:
        print(f"| {step} | {value} |")
    print(f"\nLoad average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}.")


if __name__ == "__main__":
    main()
