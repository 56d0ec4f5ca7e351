"""The attack corpus of THREATS.md A1-A8 against the public endpoint, under waitress.

Every attack is refused before evaluation (400) or bounded (504 at the budget, truncated at the
caps); the egress canary records zero requests; the store is unchanged; and the same worker, or its
replacement, answers a normal query right after.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from SPARQLWrapper import POSTDIRECTLY

from catalogue import Catalogue, Settings
from catalogue.sparql import QueryService
from catalogue.store import canonical_hash
from tests.conftest import Canary, serving
from webapp import create_app
from webapp.sparql import query_service

BUDGET_S = 2
MAX_ROWS = 50
JSON = {"Accept": "application/sparql-results+json"}
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Live:
    url: str
    service: QueryService
    catalogue: Catalogue

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def send(self, query: str, transport: str = "GET") -> httpx.Response:
        if transport == "GET":
            return httpx.get(self.sparql, params={"query": query}, headers=JSON, timeout=30)
        if transport == "POST":
            return httpx.post(self.sparql, data={"query": query}, headers=JSON, timeout=30)
        headers = {**JSON, "Content-Type": "application/sparql-query"}
        return httpx.post(self.sparql, content=query.encode(), headers=headers, timeout=30)

    def normal_query_works(self) -> None:
        response = self.send("ASK { ?s ?p ?o }")
        assert response.status_code == 200, response.text
        assert response.json()["boolean"] is True


@pytest.fixture(scope="module")
def live(knowledge_catalogue: Catalogue) -> Iterator[Live]:
    settings = Settings.from_env(
        {
            "store": "memory",
            "sparql_timeout_s": str(BUDGET_S),
            "sparql_max_rows": str(MAX_ROWS),
            "sparql_worker_memory_mb": "2048",
            # one client may use every worker here, so the pool's own limit (503) is what turns the
            # extra query away (the per-client limit, 429, is tested in test_sparql_clients.py)
            "sparql_workers_per_client": "2",
        }
    )
    catalogue = Catalogue(settings, knowledge_catalogue.store)
    app = create_app(catalogue=catalogue)
    with app.app_context():
        service = query_service(app)
    with serving(app) as url:
        yield Live(url, service, catalogue)
    service.close()


@pytest.fixture
def store_hash(live: Live) -> Iterator[None]:
    before = canonical_hash(live.catalogue.store.quads())
    yield
    assert canonical_hash(live.catalogue.store.quads()) == before


TRANSPORTS = ["GET", "POST", POSTDIRECTLY]


def service_corpus(target: str) -> list[str]:
    """SERVICE in every position and spelling (THREATS.md A1)."""
    t = f"<{target}/sparql>"
    return [
        f"SELECT * WHERE {{ SERVICE {t} {{ ?s ?p ?o }} }}",
        f"select * where {{ service {t} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SeRvIcE {t} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE {t} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\U00000053ERVICE {t} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {t} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE {t} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ ?x ?y ?z }} UNION {{ SERVICE {t} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z MINUS {{ SERVICE {t} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE {t} {{ ?s ?p ?o }} }} }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE {t} {{ ?s ?p ?o }} }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z FILTER NOT EXISTS {{ SERVICE {t} {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {t} {{ ?s ?p ?o }} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE {t} {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE {t} {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?svc {{ {t} }} SERVICE ?svc {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # comment\nSERVICE\n{t}\t{{ ?s ?p ?o }} }}",
        f"PREFIX c: <{target}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_service_is_refused_in_every_position(
    live: Live, egress_canary: Canary, store_hash: None, transport: str
) -> None:
    pids = live.service.worker_pids()
    for query in service_corpus(egress_canary.url):
        response = live.send(query, transport)
        assert response.status_code == 400, query
        assert "SERVICE is not allowed" in response.text
    assert egress_canary.hits == []
    live.normal_query_works()
    assert not pids or set(pids) <= set(live.service.worker_pids())


def test_from_and_dataset_parameters_may_not_reach_outside(
    live: Live, egress_canary: Canary, store_hash: None, tmp_path: Path
) -> None:
    canary_file = tmp_path / "canary.nt"
    canary_file.write_text('<urn:x:s> <urn:x:p> "canary-file" .\n')
    sources = [canary_file.as_uri(), f"{egress_canary.url}/data.ttl", "file:///etc/passwd"]
    for source in sources:
        for query in (
            f"SELECT * FROM <{source}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{source}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"PREFIX x: <{source}#> SELECT * FROM x: WHERE {{ ?s ?p ?o }}",
        ):
            for transport in TRANSPORTS:
                response = live.send(query, transport)
                assert response.status_code == 400, query
                assert "canary-file" not in response.text
        for parameter in ("default-graph-uri", "named-graph-uri"):
            response = httpx.get(
                live.sparql, params={"query": "ASK {}", parameter: source}, headers=JSON
            )
            assert response.status_code == 400
    assert egress_canary.hits == []
    live.normal_query_works()


def update_corpus(target: str, local_file: str) -> list[str]:
    return [
        f"LOAD <{target}/data.ttl>",
        f"LOAD SILENT <{local_file}> INTO GRAPH <urn:x:g>",
        "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }",
        "DELETE WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "WITH <urn:x:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP ALL",
        "CREATE GRAPH <urn:x:g>",
        "ADD DEFAULT TO <urn:x:g>",
        "MOVE DEFAULT TO <urn:x:g>",
        "COPY DEFAULT TO <urn:x:g>",
        "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    ]


def test_updates_and_load_are_refused(
    live: Live, egress_canary: Canary, store_hash: None, tmp_path: Path
) -> None:
    local = (tmp_path / "canary.nt").as_uri()
    for update in update_corpus(egress_canary.url, local):
        for transport in TRANSPORTS:
            assert live.send(update, transport).status_code == 400, update
        as_update = [
            httpx.get(live.sparql, params={"update": update}),
            httpx.post(live.sparql, data={"update": update}),
            httpx.post(
                live.sparql,
                content=update.encode(),
                headers={"Content-Type": "application/sparql-update"},
            ),
        ]
        assert [r.status_code for r in as_update] == [400, 400, 400], update
    assert egress_canary.hits == []
    live.normal_query_works()


NESTING = {
    "braces": lambda n: "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n,
    "parens": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "path groups": lambda n: "SELECT * WHERE { ?s " + "(" * n + "<urn:x:p>" + ")" * n + " ?o }",
    "brackets": lambda n: "SELECT * WHERE { ?s <urn:x:p> " + "[ <urn:x:p> " * n + "]" * n + " }",
}


@pytest.mark.parametrize("kind", sorted(NESTING))
def test_deep_nesting_is_refused_before_any_parser(live: Live, kind: str) -> None:
    live.normal_query_works()
    pids = live.service.worker_pids()
    for depth in (100, 1_000, 2_500, 5_000, 100_000):
        response = live.send(NESTING[kind](depth), "POSTDIRECTLY")
        assert response.status_code == 400
        assert "nested too deeply" in response.text or "too long" in response.text
    live.normal_query_works()
    assert live.service.worker_pids() == pids  # the same worker, alive


def test_moderate_nesting_is_still_answered(live: Live) -> None:
    response = live.send(NESTING["braces"](40))
    assert response.status_code == 200


def _gone_or_idle(pid: int) -> bool:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return True
        before = sum(process.cpu_times()[:2])
        time.sleep(1)
        return sum(process.cpu_times()[:2]) - before < 0.2
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize(
    ("query", "statuses"),
    [
        (CARTESIAN, {504}),
        # a sort materialises everything: killed at the budget or stopped by the memory limit
        ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i", {400, 504}),
        (
            "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x:none>|^!<urn:x:none>)* ?b . ?c ?d ?e }",
            {400, 504},
        ),
    ],
)
def test_expensive_queries_are_killed_at_the_budget(
    live: Live, query: str, statuses: set[int]
) -> None:
    live.normal_query_works()
    (old,) = live.service.worker_pids()
    response = live.send(query)
    assert response.status_code in statuses
    assert "took longer than" in response.text or "memory" in response.text
    assert _gone_or_idle(old)
    live.normal_query_works()
    assert old not in live.service.worker_pids()


def test_memory_bomb_is_bounded(live: Live) -> None:
    doubling = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(40))
    query = f'SELECT (STRLEN(?v40) AS ?n) WHERE {{ BIND("0123456789" AS ?v0) {doubling} }}'
    response = live.send(query)
    assert response.status_code in (400, 504)
    live.normal_query_works()


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
        ("SELECT * WHERE { ?s ?p ?o }", "text/csv"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
        ("DESCRIBE ?s WHERE { ?s ?p ?o }", "application/n-triples"),
    ],
)
def test_huge_results_are_capped_and_flagged(live: Live, query: str, accept: str) -> None:
    response = httpx.get(live.sparql, params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["x-result-truncated"] == "true"
    assert response.headers["x-result-rows"] == str(MAX_ROWS)
    lines = [line for line in response.text.splitlines() if line.strip()]
    if accept == "application/sparql-results+json":
        assert len(response.json()["results"]["bindings"]) == MAX_ROWS
    elif accept == "text/csv":
        assert len(lines) == MAX_ROWS + 1
    else:
        assert len(lines) == MAX_ROWS
    for pid in live.service.worker_pids():  # the cap holds memory down too (A6)
        assert psutil.Process(pid).memory_info().rss < 1024**3


def test_site_and_small_queries_answer_while_a_hostile_query_runs(live: Live) -> None:
    """The hostile query holds the workers open to anybody; the one kept for light clients
    answers a small query meanwhile (the fair order itself: tests/test_sparql_clients.py)."""
    live.normal_query_works()
    results: list[httpx.Response] = []
    hostile = threading.Thread(target=lambda: results.append(live.send(CARTESIAN)))
    hostile.start()
    deadline = time.monotonic() + BUDGET_S
    while not live.service._fair._busy_heavy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert live.service._fair._busy_heavy
    health = httpx.get(f"{live.url}/-/health", timeout=30)
    page = httpx.get(f"{live.url}/queries/", timeout=30)
    small = live.send("ASK {}")
    hostile.join()
    assert health.status_code == 200
    assert page.status_code == 200
    assert small.status_code == 200, small.text
    assert results[0].status_code == 504
    live.normal_query_works()
