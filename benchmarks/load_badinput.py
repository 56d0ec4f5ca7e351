"""Bad-input counts of RELIABILITY.md: every hostile input a clear refusal, nothing changed, no
request to the outside.

    .venv/bin/python benchmarks/load_badinput.py [--queries 2000] [--csv 500] [--seed 1]

1. Hostile SPARQL: ``--queries`` random spellings of SERVICE / LOAD / FROM / GRAPH glued to every
   kind of neighbouring token (the lists of tests/test_sparql_ssrf.py), sent to ``/sparql`` of the
   app (worker pool, network namespace); counted by status, with a loopback canary counting the
   requests that reach it. What the guard lets through is also evaluated by the engine in this
   (networked) process, against the canary.
2. The bad-file corpus (``tests/data/import``, every file but the ``good*`` ones) imported into a
   catalogue: counted as refused with problems, and the store's canonical hash compared.
3. Fuzzed CSV: ``--csv`` mutations of ``tests/data/import/good.csv`` (cells replaced by formulas,
   control characters, huge numbers, other rows' cells; lines cut, doubled, dropped; bytes
   flipped), imported: counted as imported, refused with problems, or failed (an exception, which
   would be a bug); the store must be written only when the import succeeded (its write count).
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalogue.importing import import_paths  # noqa: E402
from catalogue.sparql.guard import Limits, QueryRefused, check  # noqa: E402
from catalogue.store import canonical_hash  # noqa: E402
from tests.conftest import memory_catalogue  # noqa: E402
from tests.test_sparql_ssrf import KEYWORDS, NEIGHBOURS, SEPARATORS, _evaluate_here  # noqa: E402
from webapp import create_app  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "import"
CELLS = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\x00", "\r", "9" * 40, "", "æøå", '"']


def canary() -> tuple[str, list[str], ThreadingHTTPServer]:
    hits: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def _record(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_GET = do_POST = _record

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", hits, server


def hostile_query(rng: random.Random, target: str) -> str:
    word = rng.choice(KEYWORDS)
    spelled = "".join(
        (f"\\u{ord(c):04X}" if rng.random() < 0.2 and c != " " else c)
        for c in (ch.lower() if rng.random() < 0.5 else ch for ch in word)
    )
    iri = rng.choice([f"<{target}/x>", "?svc"])
    body = (
        f"{rng.choice(NEIGHBOURS)}{rng.choice(SEPARATORS)}{spelled}{rng.choice(SEPARATORS)}"
        f"{iri} {{ ?c ?b ?d }}"
    )
    frame = rng.choice(
        [
            "SELECT ?c {{ ?s ?p {} }}",
            "SELECT ?c {}",
            "ASK {{ FILTER EXISTS {{ ?s ?p {} }} }}",
            "CONSTRUCT {{ ?c ?b ?d }} WHERE {{ ?s ?p ?o OPTIONAL {{ ?s ?p {} }} }}",
        ]
    )
    return "PREFIX ex: <http://ex.org/> " + frame.format(body)


def queries(count: int, rng: random.Random) -> None:
    target, hits, server = canary()
    app = create_app({"TESTING": True}, catalogue=memory_catalogue())
    client = app.test_client()
    statuses: Counter[int] = Counter()
    through = 0
    for _ in range(count):
        query = hostile_query(rng, target)
        response = client.post(
            "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
        statuses[response.status_code] += 1
        try:
            check(query, Limits(32768, 64))
        except QueryRefused:
            continue
        through += 1
        _evaluate_here(query)
    app.extensions["sparql"].close()
    server.shutdown()
    print(
        f"hostile SPARQL: {count} sent, statuses {dict(sorted(statuses.items()))}, "
        f"{through} passed the guard (harmless spellings), canary requests {len(hits)}"
    )


def corpus() -> None:
    outcomes: Counter[str] = Counter()
    for path in sorted(CORPUS.iterdir()):
        if path.name.startswith("good"):
            continue
        catalogue = memory_catalogue()
        before = canonical_hash(catalogue.store.quads())
        try:
            result = import_paths(catalogue.store, [path], max_bytes=20 * 2**20)
        except Exception as exc:  # a bug: counted and named
            outcomes[f"failed ({type(exc).__name__}: {path.name})"] += 1
            continue
        same = canonical_hash(catalogue.store.quads()) == before
        if result.ok:
            outcomes[f"accepted: {path.name}"] += 1
        else:
            outcomes["refused, store unchanged" if same else f"refused, CHANGED: {path.name}"] += 1
    print(f"bad-file corpus: {dict(outcomes)}")


def mutate(lines: list[str], rng: random.Random) -> bytes:
    lines = list(lines)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        row = rng.randrange(len(lines))
        if kind == 0:
            cells = lines[row].split(";")
            cells[rng.randrange(len(cells))] = rng.choice(CELLS)
            lines[row] = ";".join(cells)
        elif kind == 1:
            lines[row] = lines[row][: rng.randrange(len(lines[row]) + 1)]
        elif kind == 2:
            lines.insert(row, lines[row])
        elif kind == 3 and len(lines) > 1:
            del lines[row]
        else:
            data = bytearray("\n".join(lines).encode())
            data[rng.randrange(len(data))] = rng.randrange(256)
            return bytes(data)
    return "\n".join(lines).encode()


def fuzzed_csv(count: int, rng: random.Random, work: Path) -> None:
    lines = (CORPUS / "good.csv").read_text(encoding="utf-8").splitlines()
    outcomes: Counter[str] = Counter()
    catalogue = memory_catalogue()
    for n in range(count):
        path = work / f"fuzz-{n}.csv"
        path.write_bytes(mutate(lines, rng))
        before = catalogue.store.generation  # counts every write: cheaper than a hash
        try:
            result = import_paths(catalogue.store, [path], max_bytes=20 * 2**20)
        except Exception as exc:  # a bug: counted and named
            outcomes[f"failed ({type(exc).__name__})"] += 1
            continue
        finally:
            path.unlink()
        same = catalogue.store.generation == before
        if result.ok:
            outcomes["imported"] += 1
        elif same:
            outcomes["refused, store unchanged"] += 1
        else:
            outcomes["refused but the store CHANGED"] += 1
    print(f"fuzzed CSV: {count} files, {dict(outcomes)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--csv", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench-badinput")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    queries(args.queries, rng)
    corpus()
    fuzzed_csv(args.csv, rng, args.work)


if __name__ == "__main__":
    main()
