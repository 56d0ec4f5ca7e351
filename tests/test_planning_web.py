"""The planning view after a write: the decisions on /capacity and the supply they change are keyed
by the store's state, so a decision recorded by an authority is on the very next request (no stale
list while a background refresh runs)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from catalogue import Catalogue, need
from catalogue.browse import cache
from catalogue.compliance import check
from catalogue.namespaces import BASE, DECISIONS_GRAPH, PROV, RDF, XSD, sk, term
from tests.conftest import memory_catalogue
from tests.test_planning import FUNCTION, SJAELLAND, figure, provider, service_of
from webapp import create_app


class FakeStore:
    generation: int | None = 0


def test_a_fresh_entry_is_rebuilt_on_the_first_request_after_a_change() -> None:
    store = FakeStore()
    assert cache.cached(store, "k", lambda: "old", fresh=True) == "old"
    assert cache.cached(store, "k", lambda: "unused", fresh=True) == "old"
    store.generation = 1
    assert cache.cached(store, "k", lambda: "new", fresh=True) == "new"


@pytest.fixture
def planned() -> Iterator[Catalogue]:
    """One provider that meets the function, checked, with no decision yet."""
    catalogue = memory_catalogue()
    catalogue.store.oxigraph.extend(provider("950001", places=24))
    list(check(catalogue.store))
    need.write(catalogue.store, 2027, [figure(SJAELLAND, 20)])
    yield catalogue
    catalogue.close()


def _decide(catalogue: Catalogue, tpid: str) -> None:
    """A decision in force, written as the authority-record module writes it: one atomic
    ``extend_graph`` on the store (which counts the change)."""
    decision = ox.NamedNode(service_of(tpid) + "/decision/1")
    authority = ox.NamedNode(f"{BASE}vocab/supervisory-authority/oest")
    catalogue.store.extend_graph(
        ox.NamedNode(DECISIONS_GRAPH + tpid),
        [
            ox.Triple(decision, term(RDF, "type"), sk("PlacementDecision")),
            ox.Triple(decision, sk("decisionFor"), ox.NamedNode(service_of(tpid))),
            ox.Triple(decision, sk("decidedBy"), authority),
            ox.Triple(
                decision, sk("decidedOn"), ox.Literal("2026-12-01", datatype=term(XSD, "date"))
            ),
            ox.Triple(decision, sk("decidedLevel"), ox.NamedNode(f"{BASE}vocab/level/moderat")),
            ox.Triple(
                decision,
                term(PROV, "generatedAtTime"),
                ox.Literal("2026-12-01T10:00:00Z", datatype=term(XSD, "dateTime")),
            ),
        ],
    )


def test_a_decision_is_on_the_next_capacity_page(planned: Catalogue) -> None:
    client: FlaskClient = create_app(catalogue=planned).test_client()
    slug = FUNCTION.iri.rsplit("/", 1)[-1]
    before = client.get(f"/capacity?function={slug}&lang=da")
    assert before.status_code == 200
    assert "/provider/950001" not in before.get_data(as_text=True).split('id="decisions"')[1]
    _decide(planned, "950001")
    after = client.get(f"/capacity?function={slug}&lang=da").get_data(as_text=True)
    decided = after.split('id="decisions"')[1].split("</section>")[0]
    assert "/provider/950001" in decided
    # decided below the function's level: its 24 places leave the supply on the same request
    assert _supply(before.get_data(as_text=True)) == 24
    assert _supply(after) == 0


def _supply(page: str) -> int:
    row = page.split('data-region="1085"')[1].split("</tr>")[0]
    return int(row.split('<td class="num">')[2].split()[0])
