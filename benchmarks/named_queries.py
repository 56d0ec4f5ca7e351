"""Latency of every named query (queries/*.rq) on the national-scale catalogue: the embedded store
(pyoxigraph on disk) and, in the same run, rdflib's in-memory store holding the same dataset.

    .venv/bin/python benchmarks/named_queries.py [--providers 10000] [--store var/bench-pages]
        [--rounds 30] [--query-budget-s 20] [--rdflib-rounds 5] [--rdflib-budget-s 900]

The store is the one benchmarks/pages.py builds (knowledge, demo providers, full compliance check);
it is built the same way when missing. Each query runs ``--rounds`` times with parameter values
drawn from the catalogue itself (one warm-up run first); a query that has used ``--query-budget-s``
stops early, so slow queries are measured on fewer runs (the table says how many). rdflib loads an
N-Quads dump of the same store into a ``Dataset`` with the union default graph and runs each query
``--rdflib-rounds`` times; it runs in a child process that is killed at ``--rdflib-budget-s``, so
queries it has not finished by then are reported as such. Prints a Markdown section for
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pages import ROOT, build, machine, p95  # benchmarks/pages.py: same store, same machine line

TARGET_MS = 100


def samples(store: Any, rng: random.Random) -> dict[str, list[str]]:
    """Parameter values per parameter name, from the catalogue's own data."""
    from catalogue import queries
    from catalogue.browse.search import municipality_iris
    from catalogue.namespaces import BASE, GRAPH, SK, VOCAB

    municipalities = municipality_iris(store)
    providers = [
        r["provider"].value
        for m in municipalities
        for r in queries.run(store, "search_providers", municipality=m)
    ]
    plan = queries.run(store, "specialty_plan", lang="da")
    functions = sorted({r["function"].value for r in plan if "function" in r})
    specialities = sorted({r["speciality"].value for r in plan})
    schemes = [r["scheme"].value for r in queries.run(store, "concept_schemes", lang="da")]
    terms = [r["term"].value for r in queries.run(store, "ontology_terms", lang="da")]
    graphs = [r["g"].value for r in queries.run(store, "knowledge_graphs")]
    target_groups, levels = (
        [r["concept"].value for r in queries.run(store, "browse_scheme", scheme=s, lang="da")]
        for s in (f"{VOCAB}target-group", f"{VOCAB}level")
    )
    picked = rng.sample(providers, min(200, len(providers)))
    services = [
        r["service"].value
        for p in picked[:20]
        for r in queries.run(store, "browse_provider_services", provider=p, lang="da")
    ]
    return {
        "provider": picked,
        "report": [p.replace(f"{BASE}id/provider/", f"{GRAPH}report/") for p in picked],
        "graph": [p.replace(f"{BASE}id/", f"{GRAPH}") for p in picked] + graphs,
        "function": functions,
        "resource": functions + specialities,
        "concept": functions + target_groups,
        "targetGroup": target_groups,
        "service": services,
        "scheme": schemes,
        "kind": [f"{VOCAB}parameter-kind/{k}" for k in ("provider", "target-group")],
        "region": [f"{VOCAB}region/{code}" for code in range(1081, 1086)],
        "municipality": municipalities,
        "level": levels,
        "term": terms or [f"{SK}Provider"],
        "lang": ["da", "en"],
    }


def plan(pools: dict[str, list[str]], rounds: int, rng: random.Random) -> list[dict[str, Any]]:
    """For each query: its text, form and ``rounds + 1`` parameter sets (name -> (type, value))."""
    from catalogue import queries

    out = []
    for query in queries.registry().values():
        missing = [
            p.name
            for p in query.params
            if p.type == "iri" and not p.optional and not pools.get(p.name)
        ]
        if missing:  # every named query is measured: a new parameter needs sample values here
            raise SystemExit(
                f"{query.name}: no sample values for {', '.join(missing)} in samples()"
            )
        runs = []
        for _ in range(rounds + 1):
            values = {}
            for param in query.params:
                pool = pools.get(param.name)
                if pool:
                    values[param.name] = (param.type, rng.choice(pool))
                elif not param.optional:
                    values[param.name] = (param.type, "x")
            runs.append(values)
        out.append({"name": query.name, "text": query.text, "form": query.form, "runs": runs})
    return out


def time_embedded(
    store: Any, entries: list[dict[str, Any]], budget_s: float
) -> dict[str, list[float]]:
    """Each query's runs, stopping early once it has used ``budget_s`` (slow queries)."""
    from catalogue import queries

    results: dict[str, list[float]] = {}
    for entry in entries:
        named = queries.get(entry["name"])
        timings: list[float] = []
        spent = time.perf_counter()
        for index, run in enumerate(entry["runs"]):
            if index > 1 and time.perf_counter() - spent > budget_s:
                break
            bindings = named.bindings({k: v for k, (_, v) in run.items()})
            started = time.perf_counter()
            if named.form == "SELECT":
                store.select(named.text, bindings)
            elif named.form == "ASK":
                store.ask(named.text, bindings)
            else:
                store.construct(named.text, bindings)
            if index:  # the first run warms up
                timings.append((time.perf_counter() - started) * 1000)
        results[entry["name"]] = timings
        print(f"{entry['name']}: {len(timings)} runs", file=sys.stderr, flush=True)
    return results


def rdflib_child(dump: str, entries: list[dict[str, Any]], rounds: int, out: Any) -> None:
    """Load the dump into rdflib and time each query; results go to ``out`` as they come."""
    import warnings

    from rdflib import Dataset, Literal, URIRef
    from rdflib.namespace import XSD

    warnings.simplefilter("ignore")
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(dump, format="nquads")
    out.put(("load", time.perf_counter() - started, len(dataset)))
    types = {
        "integer": XSD.integer,
        "decimal": XSD.decimal,
        "date": XSD.date,
        "boolean": XSD.boolean,
    }
    for entry in entries:
        timings = []
        for index, run in enumerate(entry["runs"][: rounds + 1]):
            bindings = {
                name: URIRef(value) if kind == "iri" else Literal(value, datatype=types.get(kind))
                for name, (kind, value) in run.items()
            }
            began = time.perf_counter()
            try:
                result = dataset.query(entry["text"], initBindings=bindings)
                if entry["form"] == "ASK":
                    bool(result.askAnswer)
                else:
                    list(result)
            except Exception as exc:  # rdflib cannot evaluate this query: say so, go on
                out.put((entry["name"], [], type(exc).__name__))
                break
            if index:
                timings.append((time.perf_counter() - began) * 1000)
        else:
            out.put((entry["name"], timings, None))
    out.put(("done", 0.0, None))


def time_rdflib(
    dump: Path, entries: list[dict[str, Any]], rounds: int, budget_s: float
) -> tuple[dict[str, list[float]], dict[str, str], float | None, int | None]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=rdflib_child, args=(str(dump), entries, rounds, queue))
    child.start()
    deadline = time.monotonic() + budget_s
    results: dict[str, list[float]] = {}
    failures: dict[str, str] = {}
    load_s = size = None
    try:
        while time.monotonic() < deadline:
            try:
                name, value, extra = queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except Exception:  # the budget ran out while waiting
                break
            if name == "done":
                break
            if name == "load":
                load_s, size = value, extra
            elif extra:
                failures[name] = extra
            else:
                results[name] = value
    finally:
        child.kill()
        child.join()
    return results, failures, load_s, size


def high(values: list[float]) -> float:
    """p95, or the one value there is."""
    return p95(values) if len(values) >= 2 else values[0]


def fmt(values: list[float] | None) -> tuple[str, str]:
    if not values:
        return "n/a", "n/a"
    return f"{statistics.median(values):.1f}", f"{high(values):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench-pages")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--query-budget-s", type=float, default=20)
    parser.add_argument("--rdflib-rounds", type=int, default=5)
    parser.add_argument("--rdflib-budget-s", type=float, default=900)
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from catalogue.export import export
    from catalogue.store import EmbeddedStore

    env = {**os.environ, "SPECIALEKATALOG_STORE": str(options.store)}
    built = {} if options.store.exists() else build(options.store, options.providers, env)
    store = EmbeddedStore(options.store, read_only=True)
    rng = random.Random(1)
    entries = plan(samples(store, rng), options.rounds, rng)
    quads = sum(1 for _ in store.quads())
    load_before = os.getloadavg()
    embedded = time_embedded(store, entries, options.query_budget_s)
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "catalogue.nq"
        with dump.open("wb") as output:
            export(store, output, "nq", "all")
        rdflib, rdflib_failed, rdflib_load_s, rdflib_size = time_rdflib(
            dump, entries, options.rdflib_rounds, options.rdflib_budget_s
        )
    load_after = os.getloadavg()

    print("## Named queries\n")
    command = (
        f"benchmarks/named_queries.py --store {options.store} --rounds {options.rounds} "
        f"--query-budget-s {options.query_budget_s:g} "
        f"--rdflib-rounds {options.rdflib_rounds} --rdflib-budget-s {options.rdflib_budget_s:g}"
    )
    print(
        f"`.venv/bin/python {command}`, {time.strftime('%Y-%m-%d')}. Machine: {machine()}. "
        f"Load average (1/5/15 min) before: {'/'.join(f'{x:.2f}' for x in load_before)}, "
        f"after: {'/'.join(f'{x:.2f}' for x in load_after)}. Dataset: {quads:,} quads.\n"
    )
    if built:
        print("Store built: " + ", ".join(f"{k} {v:.0f} s" for k, v in built.items()) + ".\n")
    if rdflib_load_s is not None:
        print(f"rdflib loaded the N-Quads dump in {rdflib_load_s:.0f} s ({rdflib_size:,} quads).\n")
    else:
        print("rdflib did not finish loading the dump within the budget.\n")
    slow = [name for name, values in embedded.items() if values and high(values) >= TARGET_MS]
    print(
        f"Target: p95 under {TARGET_MS} ms on the embedded store; "
        f"{len(embedded) - len(slow)} of {len(embedded)} queries meet it."
        + (f" Over target: {', '.join(slow)}." if slow else "")
        + "\n"
    )
    print(
        "| query | form | embedded runs | embedded median ms | embedded p95 ms "
        "| rdflib median ms | rdflib p95 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    for entry in entries:
        name = entry["name"]
        e50, e95 = fmt(embedded.get(name))
        if name in rdflib_failed:
            r50, r95 = f"error ({rdflib_failed[name]})", ""
        elif name in rdflib:
            r50, r95 = fmt(rdflib[name])
        else:
            r50, r95 = "not reached in budget", ""
        runs = len(embedded.get(name, []))
        print(f"| {name} | {entry['form']} | {runs} | {e50} | {e95} | {r50} | {r95} |")


if __name__ == "__main__":
    main()
