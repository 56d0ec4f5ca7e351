"""Fault runs of RELIABILITY.md: ``kill -9`` at random moments, then the store's canonical hash.

    .venv/bin/python benchmarks/load_faults.py [--providers 1000] [--trials 5] [--seed 1]

Prepares a store with the knowledge and ``--providers`` demo providers (CSV import), checked,
and two files: ``update.csv`` (every provider with one more place, so an import replaces every
graph) and ``new.csv`` (other providers). Then, per operation and trial, copies the prepared
store, starts the command, kills it with SIGKILL after a random share of its normal duration,
and reads the store's canonical hash (RDFC-1.0 over every quad): it must be the state before or
the state after the whole operation. The operations: ``import`` of new providers, ``import`` of
the update (each provider graph written as its difference), ``check --all --force`` (every
report held, so each is written as its difference too), and ``serve`` killed under requests
(then started again: it must answer at once, the serve lock gone with the process). Prints a
Markdown table for RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib.namespace import XSD

from catalogue.oxigraph_server import free_port, wait_until_ready
from catalogue.store import EmbeddedStore, canonical_hash

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from catalogue.cli import main; main()"]


def cli(args: list[str], store: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SPECIALEKATALOG_STORE": str(store)}
    env.update({k: str(v) for k, v in kwargs.items()})
    return subprocess.Popen(
        CLI + args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def finish(process: subprocess.Popen[bytes]) -> int:
    return process.wait()


PROV_TIMES = {
    ox.NamedNode("http://www.w3.org/ns/prov#startedAtTime"),
    ox.NamedNode("http://www.w3.org/ns/prov#endedAtTime"),
}
ACTIVITY = re.compile(r"#check-\d{8}T\d+Z$")  # a check's activity, named by its time
WHEN = ox.Literal("2000-01-01T00:00:00Z", datatype=ox.NamedNode(str(XSD.dateTime)))


def _untimed(
    term: ox.NamedNode | ox.BlankNode | ox.Literal,
) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, ox.NamedNode) and ACTIVITY.search(term.value):
        return ox.NamedNode(ACTIVITY.sub("#check-T", term.value))
    return term


def state(store: Path) -> str:
    """The store's canonical hash, with the time of each check taken out: two runs of the same
    check write the same reports but name their activity by the moment they ran, so a run killed
    after its journal was committed could otherwise never equal the separate full run."""
    opened = EmbeddedStore(store)
    try:
        return canonical_hash(
            ox.Quad(
                _untimed(q.subject),  # type: ignore[arg-type]
                q.predicate,
                WHEN if q.predicate in PROV_TIMES else _untimed(q.object),  # type: ignore[arg-type]
                q.graph_name,
            )
            for q in opened.quads()
        )
    finally:
        opened.close()


def prepare(work: Path, providers: int, seed: int) -> tuple[Path, Path, Path]:
    from catalogue.demo import write_csv

    base = work / "base"
    first, new, update = work / "first.csv", work / "new.csv", work / "update.csv"
    with first.open("w", encoding="utf-8", newline="") as out:
        write_csv(out, providers, seed)
    with new.open("w", encoding="utf-8", newline="") as out:
        write_csv(out, providers, seed + 1)
    rows = list(csv.reader(first.open(encoding="utf-8"), delimiter=";"))
    places = rows[0].index("Pladser")
    for row in rows[1:]:
        if row[places].isdigit():
            row[places] = str(int(row[places]) + 1)
    with update.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=";").writerows(rows)
    shutil.rmtree(base, ignore_errors=True)
    for args in (["load"], ["import", str(first)], ["check", "--all"]):
        assert finish(cli(args, base)) in (0, 1), args  # check: 1 when some does not conform
    return base, new, update


def timed(args: list[str], base: Path, work: Path) -> tuple[float, str]:
    """The operation's duration and after-state on a copy of the prepared store."""
    copy = work / "full"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(base, copy)
    started = time.monotonic()
    code = finish(cli(args, copy))
    assert code in (0, 1), (args, code)  # check: 1 means some provider does not conform
    return time.monotonic() - started, state(copy)


def killed(args: list[str], base: Path, work: Path, after_s: float, trial: int) -> str:
    copy = work / f"trial-{trial}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(base, copy)
    process = cli(args, copy)
    time.sleep(after_s)
    process.send_signal(signal.SIGKILL)
    process.wait()
    found = state(copy)
    shutil.rmtree(copy, ignore_errors=True)
    return found


def _requests(url: str, stop: threading.Event) -> None:
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            try:
                client.get(url + "/search?q=autisme")
            except httpx.HTTPError:
                pass


def serve_under_load(base: Path, work: Path, trials: int, rng: random.Random) -> list[str]:
    """Kill -9 serve while a client loops requests; it must start and answer again at once."""
    copy = work / "serve"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(base, copy)
    before = state(copy)
    outcomes = []
    for _ in range(trials):
        port = free_port()
        server = cli(["serve"], copy, SPECIALEKATALOG_PORT=port)
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(url + "/-/health", server, timeout_s=120)
        stop = threading.Event()
        client = threading.Thread(target=_requests, args=(url, stop))
        client.start()
        time.sleep(rng.uniform(0.5, 3.0))
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        client.join()
        again = cli(["serve"], copy, SPECIALEKATALOG_PORT=port)
        started = time.monotonic()
        try:
            wait_until_ready(url + "/-/health", again, timeout_s=120)
            outcomes.append(f"restarted in {time.monotonic() - started:.1f} s")
        finally:
            again.terminate()
            again.wait(timeout=30)
    outcomes.append("hash unchanged" if state(copy) == before else "hash CHANGED")
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=1000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-faults")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    base, new, update = prepare(work, args.providers, args.seed)
    before = state(base)
    rows = [
        "| operation | full run s | trials | before | after | neither |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, command in (
        ("import new providers", ["import", str(new)]),
        ("import an update of every provider", ["import", str(update)]),
        (
            "check --all --force (every report held: written as differences)",
            ["check", "--all", "--force"],
        ),
    ):
        duration, after = timed(command, base, work)
        counts = {"before": 0, "after": 0, "neither": 0}
        for trial in range(args.trials):
            found = killed(command, base, work, rng.uniform(0.05, 0.95) * duration, trial)
            counts["before" if found == before else "after" if found == after else "neither"] += 1
        rows.append(
            f"| {name} | {duration:.1f} | {args.trials} | {counts['before']} | "
            f"{counts['after']} | {counts['neither']} |"
        )
        print(rows[-1], file=sys.stderr)
    print("\n".join(rows))
    print()
    print("serve killed under requests:", "; ".join(serve_under_load(base, work, 3, rng)))


if __name__ == "__main__":
    main()
