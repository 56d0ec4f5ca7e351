"""Capacity planning pages at national scale, measured with a real HTTP client against the
production server (waitress, ``specialekatalog serve``), as benchmarks/pages.py does.

    .venv/bin/python benchmarks/planning.py [--providers 10000] [--rounds 40]
                                            [--store var/bench-planning]

Builds the catalogue once in ``--store`` with the command line (knowledge with the competence
profiles, demo providers, full compliance check: the build time of the check is the national
cost of checking the profiles with everything else), then requests the capacity view of every
specialfunktion (need against supply and the development ranking), its CSV and the competence-gap
pages of near-miss services. The first request of each page type is reported apart (cold). Prints
a Markdown section for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from pages import build, machine, p95, start_server, timed  # benchmarks/pages.py, run as a script

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150


def sample_urls(store: Path, rounds: int, seed: int) -> dict[str, list[str]]:
    """URLs per page type, drawn from the catalogue (read before the server opens it)."""
    from catalogue import Catalogue, Settings, planning
    from catalogue.browse.concepts import specialty_plan

    catalogue = Catalogue.open(Settings.from_env({"store": str(store)}))
    try:
        functions = [f for s in specialty_plan(catalogue.store, "da") for f in s.functions]
        gaps = [
            (m.service, f.code)
            for f in functions
            for m in planning.near_miss_services(catalogue.store, f.iri, "da")[0]
        ]
    finally:
        catalogue.close()
    rng = random.Random(seed)
    codes = [f.code for f in functions]
    return {
        "capacity (planning)": [f"/capacity?function={rng.choice(codes)}" for _ in range(rounds)],
        "development CSV": [f"/capacity.csv?function={rng.choice(codes)}" for _ in range(rounds)],
        "competence gaps": [
            "/capacity/gaps?" + urlencode({"service": s, "function": c})
            for s, c in (rng.choice(gaps) for _ in range(rounds))
        ],
    }


def profile_cost(providers: int) -> None:
    """CPU seconds of a full check with and without the competence profiles."""
    import tempfile

    from catalogue import Catalogue, Settings
    from catalogue.compliance import check
    from catalogue.demo import generate
    from catalogue.importing.writer import write_records
    from catalogue.loading import load_knowledge

    records = list(generate(providers, 1))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "ontology", root / "ontology")
        shutil.copytree(
            ROOT / "shapes", root / "shapes", ignore=shutil.ignore_patterns("competence-profiles")
        )
        for label, knowledge in (("with profiles", None), ("without profiles", root)):
            catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
            load_knowledge(catalogue.store, knowledge)
            write_records(catalogue.store, records)
            started, wall = time.process_time(), time.perf_counter()
            checked = list(check(catalogue.store))
            cpu, elapsed = time.process_time() - started, time.perf_counter() - wall
            load = os.getloadavg()[0]
            print(f"| {label} | {len(checked)} | {cpu:.1f} | {elapsed:.1f} | {load:.2f} |")
            catalogue.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench-planning")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true", help="Build the store again.")
    parser.add_argument("--profile-cost", type=int, metavar="N", help="See the module docstring.")
    options = parser.parse_args()
    if options.profile_cost:
        print("| knowledge | providers checked | CPU s | wall s | load (1 min) after |")
        print("|---|---|---|---|---|")
        profile_cost(options.profile_cost)
        return

    env = {**os.environ, "SPECIALEKATALOG_STORE": str(options.store)}
    built = {}
    load_build = os.getloadavg()
    if options.rebuild and options.store.exists():
        shutil.rmtree(options.store)
    if not options.store.exists():
        built = build(options.store, options.providers, env)
    urls = sample_urls(options.store, options.rounds, seed=1)
    server, base = start_server(env)
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            load_before = os.getloadavg()
            cold = {kind: timed(client.get, batch[0]) for kind, batch in urls.items()}
            figures = {
                kind: [timed(client.get, url) for url in batch[1:]] for kind, batch in urls.items()
            }
            load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)

    command = f"benchmarks/planning.py --providers {options.providers} --rounds {options.rounds}"
    print("## Capacity planning and competence profiles\n")
    print(
        f"`.venv/bin/python {command}`, {time.strftime('%Y-%m-%d %H:%M')}. Machine: {machine()}. "
        f"Load average (1/5/15 min) at the start of the build: {load_build[0]:.2f}/"
        f"{load_build[1]:.2f}/{load_build[2]:.2f}; before the requests: {load_before[0]:.2f}/"
        f"{load_before[1]:.2f}/{load_before[2]:.2f}, after: {load_after[0]:.2f}/"
        f"{load_after[1]:.2f}/{load_after[2]:.2f}.\n"
    )
    if built:
        print(
            "Store built by the command line (the check includes the competence-profile criteria): "
            + ", ".join(f"{k} {v:.0f} s" for k, v in built.items())
            + ".\n"
        )
    print("| page | requests | median ms | p95 ms | max ms | first (cold) ms | target p95 |")
    print("|---|---|---|---|---|---|---|")
    for kind, values in figures.items():
        print(
            f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {p95(values):.1f} | "
            f"{max(values):.1f} | {cold[kind]:.0f} | < {TARGET_MS} ms |"
        )


if __name__ == "__main__":
    main()
