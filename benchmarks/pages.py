"""Page latency on the national-scale catalogue, measured with a real HTTP client against the
production server (waitress, ``specialekatalog serve``).

    .venv/bin/python benchmarks/pages.py [--providers 10000] [--store var/bench-pages] [--rounds 40]

Builds the catalogue once in ``--store`` (knowledge, demo providers, full compliance check) with
the command line, then starts ``specialekatalog serve`` on a free loopback port and requests each
page type ``--rounds`` times with one keep-alive client, one request at a time. The time per
request is the client's wall time on loopback: server time plus a fraction of a millisecond.
The first request of each page type (cold: templates compiled, national aggregates built) is
reported apart; it comes after the server has built its national aggregates in the background at
start-up (webapp.browse.warm), which the script waits for (server CPU idle). Prints a Markdown
section for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

from catalogue.oxigraph_server import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from catalogue.cli import main; main()"]
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


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(CLI + args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def build(store: Path, providers: int, env: dict[str, str]) -> dict[str, float]:
    """Knowledge, demo providers and the full compliance check, timed."""
    times = {}
    commands = subprocess.run(CLI + ["--help"], env=env, cwd=ROOT, capture_output=True, text=True)
    for step, args in (
        ("load", ["load"]),
        ("demo", ["demo", "--providers", str(providers), "--seed", "1", "--load"]),
        ("check", ["check", "--all"]),
    ):
        if args[0] not in commands.stdout:
            print(f"(no '{args[0]}' command: step skipped)", file=sys.stderr)
            continue
        started = time.perf_counter()
        try:
            run(args, env)
        except subprocess.CalledProcessError as exc:
            if step != "check" or exc.returncode != 1:  # 1: some provider does not conform
                raise
        times[step] = time.perf_counter() - started
    return times


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        CLI + ["serve"],
        env={**env, "SPECIALEKATALOG_PORT": str(port)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_ready(base + "/static/site.css", server, timeout_s=120)  # not a page
    settle(psutil.Process(server.pid))
    return server, base


def settle(process: psutil.Process, limit_s: float = 600) -> float:
    """Wait until the server has built its page aggregates (webapp.browse.warm): CPU idle."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if process.cpu_percent(interval=2.0) < 5:
            break
    return time.monotonic() - started


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


def timed(get: Callable[[str], httpx.Response], url: str) -> float:
    started = time.perf_counter()
    response = get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code}")
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = psutil.virtual_memory().total / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.1f} GB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench-pages")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true", help="Build the store again.")
    options = parser.parse_args()

    env = {**os.environ, "SPECIALEKATALOG_STORE": str(options.store)}
    built = {}
    if options.rebuild and options.store.exists():
        shutil.rmtree(options.store)
    if not options.store.exists():
        built = build(options.store, options.providers, env)
    urls = sample_urls(options.store, options.rounds, seed=1)
    server, base = start_server(env)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            load_before = os.getloadavg()
            cold = {kind: timed(client.get, batch[0]) for kind, batch in urls.items()}
            figures = {
                kind: [timed(client.get, url) for url in batch[1:]] for kind, batch in urls.items()
            }
            load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)

    print("## Pages\n")
    command = f"benchmarks/pages.py --providers {options.providers} --rounds {options.rounds}"
    print(
        f"`.venv/bin/python {command}`, "
        f"{time.strftime('%Y-%m-%d')}. Machine: {machine()}. Load average (1/5/15 min) before: "
        f"{load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, after: "
        f"{load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}.\n"
    )
    if built:
        print(
            "Store built by the command line: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in built.items())
            + ".\n"
        )
    print("| page | requests | median ms | p95 ms | max ms | first (cold) ms | target p95 |")
    print("|---|---|---|---|---|---|---|")
    for kind, values in figures.items():
        target = f"< {TARGETS_MS[kind]} ms" if kind in TARGETS_MS else ""
        print(
            f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {p95(values):.1f} | "
            f"{max(values):.1f} | {cold[kind]:.0f} | {target} |"
        )


if __name__ == "__main__":
    main()
