"""Benchmark of `criteria impact` at national scale, against a full check of the same catalogue.

    .venv/bin/python benchmarks/criteria_impact.py                  # 10,000 providers
    .venv/bin/python benchmarks/criteria_impact.py --providers 500

On one demo catalogue in an in-memory Oxigraph store (built by a child process and handed over as
N-Quads, as benchmarks/compliance.py does): a forced full check (validation, placements, reports
written), then the impact of two changed guides (autism: a stricter moderat active practice and
one method fewer in its list; acquired brain injury: an unreachable highly specialised active
practice), with time and peak resident memory of each. The impact run must take no longer than
the full check (issue 11). Prints a Markdown block for BENCHMARKS.md with the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pyoxigraph as ox

from catalogue import Catalogue, Settings, load_knowledge
from catalogue.compliance import check
from catalogue.criteria_impact import impact
from catalogue.demo import generate
from catalogue.importing.writer import write_records

ROOT = Path(__file__).resolve().parent.parent


class Peak:
    """The peak resident memory of this process while the block runs (sampled every 20 ms)."""

    def __enter__(self) -> Peak:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def build(dump: Path, providers: int, seed: int) -> None:
    """The child's step: generate and import the demo catalogue, write it to ``dump``."""
    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    load_knowledge(catalogue.store)
    write_records(catalogue.store, generate(providers, seed))
    with dump.open("wb") as out:
        catalogue.store.dump(out, ox.RdfFormat.N_QUADS)


def drafts(folder: Path) -> list[Path]:
    """Two changed guides, written to ``folder`` under their loaded names."""

    def threshold(text: str, guide: str, shape: str, value: int) -> str:
        pattern = rf"(<shapes/guides/{guide}#{shape}> a sh:NodeShape ;.*?sk:minimum )\d+ ;"
        return re.sub(pattern, rf"\g<1>{value} ;", text, count=1, flags=re.S)

    autism = (ROOT / "shapes/guides/autisme.ttl").read_text()
    autism = threshold(autism, "autisme", "AktivPraksisModerat", 9)
    autism = re.sub(r"<vocab/method/teacch> ,\n\s*", "", autism, count=1)
    brain = (ROOT / "shapes/guides/erhvervet-hjerneskade.ttl").read_text()
    brain = threshold(brain, "erhvervet-hjerneskade", "AktivPraksisHoej", 1000)
    paths = [folder / "autisme.ttl", folder / "erhvervet-hjerneskade.ttl"]
    for path, text in zip(paths, (autism, brain), strict=True):
        path.write_text(text.replace('owl:versionInfo "3"', 'owl:versionInfo "4"'))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # the child's step
    args = parser.parse_args()
    if args.build:
        build(args.build, args.providers, args.seed)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        dump = folder / "catalogue.nq"
        child = [sys.executable, __file__, "--build", str(dump)]
        subprocess.run(
            [*child, "--providers", str(args.providers), "--seed", str(args.seed)],
            check=True,
            capture_output=True,
        )
        catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
        catalogue.store.oxigraph.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)  # type: ignore[attr-defined]
        dump.unlink()
        load_before = os.getloadavg()
        with Peak() as check_peak:
            check_s, _ = timed(lambda: check(catalogue.store, force=True))
        files = drafts(folder)
        with Peak() as impact_peak:
            impact_s, found = timed(lambda: impact(catalogue.store, files))
        load_after = os.getloadavg()
    mb = 2**20
    print(f"### criteria impact at {args.providers:,} providers (seed {args.seed})\n")
    print(f"- load average before / after: {load_before[0]:.1f} / {load_after[0]:.1f} (2 cores)")
    print(
        f"- full check (forced): {check_s:.1f} s, peak RSS {check_peak.peak / mb:,.0f} MB "
        f"(from {check_peak.start / mb:,.0f} MB)"
    )
    print(
        f"- impact of 2 changed guides: {impact_s:.1f} s, peak RSS {impact_peak.peak / mb:,.0f} MB "
        f"(from {impact_peak.start / mb:,.0f} MB); {len(found.placements)} placements and "
        f"{len(found.qualifications)} qualifications would change"
    )
    print(f"- impact / full check: {impact_s / check_s:.2f}")


if __name__ == "__main__":
    main()
