"""Page latency on the national-scale catalogue, measured with a real HTTP client against the
production server (waitress, ``specialekatalog serve``).

    .venv/bin/python benchmarks/pages.py [--providers 10000] [--store var/bench-pages] [--rounds 40]

Builds the catalogue once in ``--store`` (knowledge, demo providers, full compliance check) with
the command line, then starts ``specialekatalog serve`` on a free loopback port and requests each
page type ``--rounds`` times with one keep-alive client, one request at a time (benchmarks/
harness.py, shared with benchmarks/planning.py). Prints a Markdown section for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import (  # noqa: E402 (benchmarks/harness.py; build and start_server for load.py)
    ROOT,
    build,
    machine,
    measure,
    p95,
    report,
    start_server,
)

__all__ = ["ROOT", "build", "machine", "p95", "sample_urls", "start_server"]

TARGETS_MS = {"home": 300, "provider": 150, "specialfunktion": 150, "search": 150}
REGIONS = ["1081", "1082", "1083", "1084", "1085"]
SEARCHES = [
    f"/search?q={q}" for q in ("autisme", "hjerneskade", "botilbud", "Aarhus", "syn", "108")
] + [
    "/search",
    "/search?level=hoej",
    "/search?q=autisme&level=hoej&region=1085",
    "/search?region=1082&offer_type=botilbud&page=3",
]


def sample_urls(store: Path, rounds: int, seed: int) -> dict[str, list[str]]:
    """URLs per page type, drawn from the catalogue itself (read before the server opens it)."""
    from catalogue import Catalogue, Settings, queries
    from catalogue.browse.search import municipality_iris

    catalogue = Catalogue.open(Settings.from_env({"store": str(store)}))
    try:
        providers = [
            r["provider"].value
            for m in municipality_iris(catalogue.store)
            for r in queries.run(catalogue.store, "search_providers", municipality=m)
        ]
        plan = queries.run(catalogue.store, "specialty_plan", lang="da")
    finally:
        catalogue.close()
    functions = sorted({r["function"].value for r in plan if "function" in r})
    rng = random.Random(seed)

    def path(iri: str) -> str:
        return "/" + iri.split("/", 3)[3]

    def function_page() -> str:
        variant = rng.choice(["", "?region=" + rng.choice(REGIONS), "?sort=region"])
        return path(rng.choice(functions)) + variant

    return {
        "home": ["/"] * rounds,
        "provider": [path(rng.choice(providers)) for _ in range(rounds)],
        "specialfunktion": [function_page() for _ in range(rounds)],
        "search": [rng.choice(SEARCHES) for _ in range(rounds)],
        "report": [path(rng.choice(providers)) + "/report" for _ in range(rounds)],
        "capacity": ["/capacity"] * rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench-pages")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true", help="Build the store again.")
    options = parser.parse_args()
    measured = measure(
        options.store, options.providers, options.rounds, sample_urls, options.rebuild
    )
    command = f"benchmarks/pages.py --providers {options.providers} --rounds {options.rounds}"
    report("Pages", command, measured, TARGETS_MS)


if __name__ == "__main__":
    main()
