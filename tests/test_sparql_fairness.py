"""Fair service under a scripted hostile load (issue 14, "fair service"): the real service under
waitress with the production worker count (one shared worker plus the kept one) and thread count,
a few hostile clients, each from its own loopback address, looping queries that run into the
budget or that the guard refuses (the crash inputs), while ordinary users behind one address send
small queries. Counted, not timed: at least 99 % of the ordinary users' small queries are answered
(the pass criterion of RELIABILITY.md), and a refused one gets a clear 503.

The load run of RELIABILITY.md (benchmarks/load.py) measures the same at scale.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from catalogue import Catalogue, Settings
from tests.conftest import serving
from webapp import create_app
from webapp.sparql import prepare

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CRASH = "SELECT ?x { BIND(" + "!" * 20_000 + "true AS ?x) }"
SMALL = [
    "ASK { ?s a <http://www.w3.org/2004/02/skos/core#Concept> }",
    "SELECT ?s WHERE { ?s a <http://www.w3.org/2004/02/skos/core#Concept> } LIMIT 5",
]
JSON = {"Accept": "application/sparql-results+json"}
HEAVY_CLIENTS = 4
ORDINARY_USERS = 4
QUERIES_EACH = 25  # 100 small queries: the 99 % criterion of RELIABILITY.md allows one refusal


@pytest.fixture(scope="module")
def url(knowledge_catalogue: Catalogue) -> Iterator[str]:
    settings = Settings.from_env({"store": "memory", "sparql_timeout_s": "3"})  # workers: 1 + 1
    app = create_app(catalogue=Catalogue(settings, knowledge_catalogue.store))
    prepare(app)
    with serving(app, threads=settings.threads) as served:
        yield served
    app.extensions["sparql"].close()


def _client(address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(transport=transport, headers=JSON, timeout=30)


def _hostile(url: str, address: str, query: str, stop: threading.Event, seen: Counter[int]) -> None:
    with _client(address) as client:
        while not stop.is_set():
            seen[client.post(f"{url}/sparql", data={"query": query}).status_code] += 1


# slow: a load test wants the machine to itself; beside another pytest-xdist worker's tests on two
# cores, 2 of 100 small queries waited out their WAIT_S once (make test, session 6), and once
# inside the whole serial run of a CI rehearsal (session 7): `make test-all` runs it in a pytest
# process of its own
@pytest.mark.slow
def test_ordinary_small_queries_are_answered_while_hostile_clients_loop(url: str) -> None:
    stop = threading.Event()
    hostile_seen: Counter[int] = Counter()
    hostile = [
        threading.Thread(
            target=_hostile, args=(url, f"127.0.0.{20 + n}", CARTESIAN, stop, hostile_seen)
        )
        for n in range(HEAVY_CLIENTS)
    ] + [threading.Thread(target=_hostile, args=(url, "127.0.0.30", CRASH, stop, hostile_seen))]
    ordinary: Counter[int] = Counter()

    def user(number: int) -> None:
        with _client("127.0.0.1") as client:
            for i in range(QUERIES_EACH):
                query = SMALL[(number + i) % len(SMALL)]
                ordinary[client.get(f"{url}/sparql", params={"query": query}).status_code] += 1
                time.sleep(0.05)

    users = [threading.Thread(target=user, args=(n,)) for n in range(ORDINARY_USERS)]
    for thread in hostile + users:  # together: the hostile clients are newcomers at first
        thread.start()
    for thread in users:
        thread.join()
    deadline = time.monotonic() + 30
    while hostile_seen[504] < HEAVY_CLIENTS and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    for thread in hostile:
        thread.join()

    sent = ORDINARY_USERS * QUERIES_EACH
    # The pass criterion of issue 14 and RELIABILITY.md: at least 99 % answered; a small query that
    # is not answered is refused with a clear 503 (it waited its WAIT_S), never anything else.
    assert ordinary[200] >= 0.99 * sent, (ordinary, hostile_seen)
    assert set(ordinary) <= {200, 503}, (ordinary, hostile_seen)
    assert hostile_seen[504] >= HEAVY_CLIENTS  # the heavy queries did run into the budget
    assert hostile_seen[400] > 0  # the crash inputs were refused
    assert set(hostile_seen) <= {400, 503, 504}
