"""What the page benchmarks share (benchmarks/pages.py, benchmarks/planning.py): build the
national-scale catalogue once with the command line, start the production server on it, request
each page type's URLs one at a time with a keep-alive client, and print the figures with the load
average beside them.

The time per request is the client's wall time on loopback: server time plus a fraction of a
millisecond. The first request of each page type (cold: templates compiled, aggregates built on
first use) is reported apart; it comes after the server has built its national aggregates in the
background at start-up (webapp.browse.warm), which the harness waits for (server CPU idle).
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from catalogue.oxigraph_server import free_port, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from catalogue.cli import main; main()"]
Load = tuple[float, float, float]
Sampler = Callable[[Path, int, int], dict[str, list[str]]]  # store, rounds, seed -> URLs per kind


def run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(CLI + args, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def build(store: Path, providers: int, env: dict[str, str]) -> dict[str, float]:
    """Knowledge, demo providers (with their illustrative need figures) and the full compliance
    check, timed."""
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


def _busy(process: psutil.Process) -> float:
    """CPU seconds of the server and its worker processes (the SPARQL workers) so far."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def settle(process: psutil.Process, limit_s: float = 900) -> float:
    """Wait until the server has built its page aggregates, its query workers and its dumps
    (the warm-up of ``serve``): the server and its workers idle (under 5 % of a core) for three
    two-second intervals in a row, so a busy machine does not pass for an idle server."""
    started, quiet, last = time.monotonic(), 0, _busy(process)
    while time.monotonic() - started < limit_s and quiet < 3:
        time.sleep(2.0)
        now = _busy(process)
        quiet = quiet + 1 if now - last < 0.1 else 0
        last = now
    return time.monotonic() - started


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


@dataclass(frozen=True)
class Measured:
    built: dict[str, float]  # build step -> seconds (empty: the store was there)
    load_build: Load
    load_before: Load
    load_after: Load
    cold: dict[str, float]  # page kind -> first request, ms
    figures: dict[str, list[float]]  # page kind -> the other requests, ms


def measure(
    store: Path, providers: int, rounds: int, sample: Sampler, rebuild: bool = False
) -> Measured:
    """Build the store unless it is there (or ``rebuild``), sample URLs from it, serve it and
    time every URL."""
    env = {**os.environ, "SPECIALEKATALOG_STORE": str(store)}
    load_build = os.getloadavg()
    if rebuild and store.exists():
        shutil.rmtree(store)
    built = {} if store.exists() else build(store, providers, env)
    urls = sample(store, rounds, 1)
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
    return Measured(built, load_build, load_before, load_after, cold, figures)


def _load(values: Load) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def report(title: str, command: str, measured: Measured, targets: dict[str, int]) -> None:
    """The Markdown section for BENCHMARKS.md: command, machine, load, build times, the table."""
    print(f"## {title}\n")
    print(
        f"`.venv/bin/python {command}`, {time.strftime('%Y-%m-%d %H:%M')}. Machine: {machine()}. "
        f"Load average (1/5/15 min) at the start: {_load(measured.load_build)}; before the "
        f"requests: {_load(measured.load_before)}, after: {_load(measured.load_after)}.\n"
    )
    if measured.built:
        print(
            "Store built by the command line: "
            + ", ".join(f"{k} {v:.0f} s" for k, v in measured.built.items())
            + ".\n"
        )
    print("| page | requests | median ms | p95 ms | max ms | first (cold) ms | target p95 |")
    print("|---|---|---|---|---|---|---|")
    for kind, values in measured.figures.items():
        target = f"< {targets[kind]} ms" if kind in targets else ""
        print(
            f"| {kind} | {len(values)} | {statistics.median(values):.1f} | {p95(values):.1f} | "
            f"{max(values):.1f} | {measured.cold[kind]:.0f} | {target} |"
        )
