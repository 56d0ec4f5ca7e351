"""SSRF through the public SPARQL service (issue 14, finding 1).

Two independent walls, each tested against a loopback canary that records every request:

- the guard decides on the grammar's own terminals: whatever it accepts, evaluated by the engine
  in this (networked) process, reaches nothing; keywords glued to every kind of neighbouring token
  are fuzzed with Hypothesis;
- the query workers have no network at all: a SERVICE query handed to a worker directly, past the
  guard, reaches nothing either (while the same query in this process does reach the canary).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.sparql.guard import Limits, QueryRefused, check
from catalogue.sparql.pool import WorkerPool
from tests.conftest import Canary, examples

LIMITS = Limits(max_bytes=32768, max_depth=64)
SERVICE_BUDGET_S = 5


# Objects the neighbouring tokens of the fuzz denote, so that the pattern before a glued keyword
# matches and the engine goes on to evaluate whatever follows it (an empty store would stop there).
DATA = """@prefix ex: <http://ex.org/> .
<urn:s> <urn:p> 2e3, 2E-3, 1.5e+2, .5e1, 7, 1.0, +1, -1, ex:a, "s", "s"@da, "s"^^ex:t, true, false .
"""


def _evaluate_here(query: str) -> None:
    """Evaluate in this (networked) process: what the guard lets through must not federate."""
    store = ox.Store()
    store.load(DATA.encode(), ox.RdfFormat.TURTLE)
    try:
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, ox.QuerySolutions):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass


def _guard_lets_through(query: str) -> bool:
    try:
        check(query, LIMITS)
    except QueryRefused:
        return False
    return True


def glued(target: str) -> list[str]:
    """The red team's finding and its relatives: a keyword glued to the token before it."""
    t = f"<{target}/x>"
    return [
        f"SELECT ?c {{ ?s ?p 2e3.SERVICE {t} {{ ?c ?b ?d }} }}",
        f"SELECT ?c {{ ?s ?p 2E+3.SERVICE {t} {{ ?c ?b ?d }} }}",
        f"SELECT ?c {{ ?s ?p .5e1.SERVICE {t} {{ ?c ?b ?d }} }}",
        f"SELECT ?c {{ ?s ?p 7.SERVICE {t} {{ ?c ?b ?d }} }}",
        f"PREFIX ex: <http://ex.org/> SELECT ?c {{ ?s ?p ex:.SERVICE {t} {{ ?c ?b ?d }} }}",
        f"SELECT ?c {{ ?s ?p true SERVICE {t} {{ ?c ?b ?d }} }}",
        f"SELECT ?c {{ ?s ?p _:b SERVICE {t} {{ ?c ?b ?d }} }}",
        f'SELECT ?c {{ ?s ?p "x"@da.SERVICE {t} {{ ?c ?b ?d }} }}',
    ]


@pytest.mark.parametrize("index", range(8))
def test_keywords_glued_to_the_token_before_are_refused(egress_canary: Canary, index: int) -> None:
    query = glued(egress_canary.url)[index]
    with pytest.raises(QueryRefused):
        check(query, LIMITS)
    assert egress_canary.hits == []


def test_the_canary_is_reached_by_an_unguarded_engine(egress_canary: Canary) -> None:
    """The control: without the guard, the engine in a networked process does federate."""
    _evaluate_here(glued(egress_canary.url)[0])
    assert egress_canary.hits


# --- fuzz: keyword spellings glued to every kind of neighbouring token ---------------------------

KEYWORDS = ["SERVICE", "SERVICE SILENT", "LOAD", "FROM", "FROM NAMED", "GRAPH"]
NEIGHBOURS = [
    "2e3.", "2E-3.", "1.5e+2.", ".5e1.", "7.", "7", "1.0", "+1", "-1.",
    "ex:", "ex:.", "ex:a.", "ex:a", ":", ":a.", "_:b.", "_:b",
    "?x", "$x", "?x.", "<http://ex.org/a>", "<http://ex.org/a>.",
    '"s"', '"s".', "'s'", '"""s"""', '"s"@da', '"s"@da.', '"s"^^ex:t.',
    "true", "true.", "false", "a", ")", "}", "]", ";", ",", ".", "*", "(", "{",
    "#c\n", "#c\r", "!", "&&", "||", "^", "/", "|", "=",
]  # fmt: skip
SEPARATORS = ["", " ", "\n", "\t", "\r\n", "#x\n", "  "]


def _spell(word: str, cases: list[bool], escape: list[bool]) -> str:
    out = []
    for i, char in enumerate(word):
        c = char.lower() if cases[i % len(cases)] else char
        out.append(f"\\u{ord(c):04X}" if escape[i % len(escape)] and c != " " else c)
    return "".join(out)


@st.composite
def hostile(draw: st.DrawFn, target: str) -> str:
    keyword = draw(st.sampled_from(KEYWORDS))
    spelled = _spell(
        keyword,
        draw(st.lists(st.booleans(), min_size=1, max_size=8)),
        draw(st.lists(st.booleans(), min_size=1, max_size=8)),
    )
    before = draw(st.sampled_from(NEIGHBOURS))
    sep1, sep2 = draw(st.sampled_from(SEPARATORS)), draw(st.sampled_from(SEPARATORS))
    iri = draw(st.sampled_from([f"<{target}/x>", "?svc"]))
    body = f"{before}{sep1}{spelled}{sep2}{iri} {{ ?c ?b ?d }}"
    frame = draw(
        st.sampled_from(
            [
                "SELECT ?c {{ ?s ?p {} }}",
                "SELECT ?c {{ VALUES ?svc {{ <" + target + "/v> }} ?s ?p {} }}",
                "SELECT ?c {}",
                "ASK {{ FILTER EXISTS {{ ?s ?p {} }} }}",
                "CONSTRUCT {{ ?c ?b ?d }} WHERE {{ ?s ?p ?o OPTIONAL {{ ?s ?p {} }} }}",
            ]
        )
    )
    return "PREFIX ex: <http://ex.org/> " + frame.format(body)


@settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_fuzzed_keyword_spellings_never_reach_the_canary(
    egress_canary: Canary, data: st.DataObject
) -> None:
    query = data.draw(hostile(egress_canary.url))
    if _guard_lets_through(query):
        _evaluate_here(query)
    assert egress_canary.hits == [], query


# --- defence in depth: the workers have no network ------------------------------------------------


def _can_isolate() -> bool:
    code = "from catalogue.sparql.isolation import cut_network; print(cut_network())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip() == "True"


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[WorkerPool]:
    snapshot = tmp_path / "snapshot"
    store = ox.Store(str(snapshot))
    store.flush()
    del store
    workers = WorkerPool(1, lambda: snapshot, timeout_s=SERVICE_BUDGET_S, memory_mb=0)
    yield workers
    workers.close()


def test_a_worker_has_no_network_even_when_the_guard_is_passed(
    pool: WorkerPool, egress_canary: Canary
) -> None:
    if not _can_isolate():
        pytest.skip("this machine allows no network namespace (neither root nor user namespaces)")
    query = f"SELECT * {{ SERVICE <{egress_canary.url}/x> {{ ?s ?p ?o }} }}"
    request = {"query": query, "format": "json", "max_rows": 10, "max_bytes": 10_000}
    header, _ = pool.run(request)
    assert not header.get("ok")
    assert egress_canary.hits == []
    # the worker is still there and answers the next query
    header, body = pool.run({**request, "query": "ASK {}"})
    assert header.get("ok") and b"true" in body
