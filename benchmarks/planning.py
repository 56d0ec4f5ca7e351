"""Issue 13's figures in one command: the capacity planning pages at national scale and the cost of
the competence-profile checks.

    .venv/bin/python benchmarks/planning.py [--providers 10000] [--rounds 40]
        [--store var/bench-planning] [--rebuild] [--profile-providers N (default: --providers)]

1. Pages (benchmarks/harness.py, the loop benchmarks/pages.py uses): builds the catalogue once in
   ``--store`` with the command line (knowledge with the competence profiles, demo providers with
   their illustrative need figures, full compliance check), serves it with ``specialekatalog
   serve`` and requests the capacity view of random specialfunktioner (need against supply, the
   development ranking, the decisions), its CSV and the competence-gap pages of near-miss
   services, one at a time; median, p95, max and the first (cold) request per page type.
2. The profile checks: the same demo providers checked in one process with and without
   ``shapes/competence-profiles/`` (CPU and wall seconds); ``--profile-providers 0`` skips it.

Prints a Markdown section for BENCHMARKS.md with the load average beside each figure.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))
from harness import ROOT, measure, report  # noqa: E402 (benchmarks/harness.py)

TARGETS_MS = {"capacity (planning)": 150, "development CSV": 150, "competence gaps": 150}


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
    parser.add_argument("--profile-providers", type=int, metavar="N", help="See the docstring.")
    options = parser.parse_args()
    measured = measure(
        options.store, options.providers, options.rounds, sample_urls, options.rebuild
    )
    command = f"benchmarks/planning.py --providers {options.providers} --rounds {options.rounds}"
    report("Capacity planning and competence profiles", command, measured, TARGETS_MS)
    checked = options.providers if options.profile_providers is None else options.profile_providers
    if checked:
        print(f"\nThe competence-profile checks: {checked} demo providers checked in one process")
        print("with and without `shapes/competence-profiles/`:\n")
        print("| knowledge | providers checked | CPU s | wall s | load (1 min) after |")
        print("|---|---|---|---|---|")
        profile_cost(checked)


if __name__ == "__main__":
    main()
