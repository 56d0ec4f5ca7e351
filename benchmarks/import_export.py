"""Import and export at national scale: the embedded store and a real Oxigraph server.

    .venv/bin/python benchmarks/import_export.py [--providers 10000] [--seed 1] [--work DIR]

Writes the demo catalogue as a CSV file in the import template, and an update of it (every
provider changed: an import replaces every graph). Then measures: ``specialekatalog import`` as a
user runs it (a child process, on a fresh on-disk store holding the knowledge; wall time and the
child's peak resident memory) for the file, the same file again (nothing changes) and the update;
the import phase by phase in this process (read and map, integrity check, write); a full export in
each format; a backup snapshot; and the import against ``oxigraph serve`` on a free loopback port.
Prints a Markdown section for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox

from catalogue.backup import snapshot
from catalogue.demo import generate_rows, write_csv
from catalogue.demo.vocabulary import knowledge_vocabulary
from catalogue.export import export
from catalogue.importing import FileResult, ImportResult, read_file
from catalogue.importing.template import COLUMNS
from catalogue.importing.writer import Spool, write_graphs
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
    with Spool() as spool:
        seconds, result = timed(
            lambda: read_file(
                path.name, data, LIMIT, records=False, spool=spool, existing=store.graph_names()
            )
        )
        assert isinstance(result, FileResult) and result.ok, result.problems[:3]
        written_s, written = timed(lambda: write_graphs(store, spool))
    return {"read, map, check": seconds, "write": written_s}, ImportResult([result], written)


def cli_import(store: Path, path: Path) -> tuple[float, int]:
    """``specialekatalog import`` in a child process: wall time and its peak resident memory."""
    env = {
        **os.environ,
        "SPECIALEKATALOG_STORE": str(store),
        "SPECIALEKATALOG_MAX_UPLOAD_MB": str(LIMIT // 2**20),
    }
    command = [str(Path(sys.executable).with_name("specialekatalog")), "import", str(path)]
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
    if child.returncode != 0:
        raise RuntimeError(child.stderr.read().decode() if child.stderr else "import failed")
    return seconds, peak


def write_update(path: Path, providers: int, seed: int) -> None:
    """The demo providers, each changed (name and capacity): an import replaces every graph."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([c.name for c in COLUMNS])
        for rows in generate_rows(providers, seed, knowledge_vocabulary()):
            capacity = str(int(rows[0]["capacity"]) + 1)
            for row in rows:
                changed = {**row, "name": row["name"] + " II", "capacity": capacity}
                writer.writerow([changed.get(c.key, "") for c in COLUMNS])


def load_now() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


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
    update_path = args.work / "update.csv"
    write_update(update_path, args.providers, args.seed)

    cli_store = args.work / "cli-store"
    prepared = EmbeddedStore(cli_store)
    load_knowledge(prepared)
    prepared.close()
    for what, path in (
        ("`specialekatalog import` of the file into a new on-disk store", csv_path),
        ("the same file again (nothing changes)", csv_path),
        ("an update of every provider (every graph replaced)", update_path),
    ):
        load = load_now()
        seconds, peak = cli_import(cli_store, path)
        rows.append(
            (f"{what}; load {load}", f"**{seconds:.1f} s**, peak **{peak / 2**30:.2f} GB**")
        )
    shutil.rmtree(cli_store)

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
            seconds, _ = timed(lambda h=handle, f=fmt: export(store, h, f))  # type: ignore[misc]
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
