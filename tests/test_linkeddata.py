"""Dereferenceable URIs, the ontology documentation, exports and instance pages."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from catalogue import Catalogue, Settings, queries
from catalogue.namespaces import BASE, GRAPH, SK
from catalogue.store import canonical_hash
from tests.conftest import examples
from webapp import create_app
from webapp.negotiation import FORMATS, GRAPH_FORMATS

ACCEPT = {key: FORMATS[key].media_type for key in GRAPH_FORMATS}
EXTENSIONS = {key: FORMATS[key].extension for key in GRAPH_FORMATS}


@pytest.fixture(scope="module")
def ld(knowledge_catalogue: Catalogue) -> FlaskClient:
    return create_app({"TESTING": True}, catalogue=knowledge_catalogue).test_client()


def parsed(data: bytes, fmt: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(data, FORMATS[fmt].rdf)}


# (path, IRI whose statements the RDF must hold)
RESOURCES = [
    ("/ontology/Provider", f"{SK}Provider"),
    ("/ontology/citizensServed", f"{SK}citizensServed"),
    ("/vocab/level", f"{BASE}vocab/level"),
    ("/vocab/level/hoej", f"{BASE}vocab/level/hoej"),
    ("/vocab/municipality/101", f"{BASE}vocab/municipality/101"),
    ("/id/specialist-group/autisme", f"{BASE}id/specialist-group/autisme"),
]


@pytest.mark.parametrize(("path", "iri"), RESOURCES)
def test_browsers_get_html(ld: FlaskClient, path: str, iri: str) -> None:
    response = ld.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.vary
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    alternates = {link["type"] for link in page.select("link[rel=alternate]")}
    assert {FORMATS[k].media_type for k in GRAPH_FORMATS} <= alternates


@pytest.mark.parametrize(("path", "iri"), RESOURCES)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_rdf_by_accept_and_by_extension_round_trips(
    ld: FlaskClient, knowledge_catalogue: Catalogue, path: str, iri: str, fmt: str
) -> None:
    by_accept = ld.get(path, headers={"Accept": ACCEPT[fmt]})
    by_extension = ld.get(f"{path}.{EXTENSIONS[fmt]}")
    for response in (by_accept, by_extension):
        assert response.status_code == 200
        assert response.mimetype == FORMATS[fmt].media_type
        assert "Accept" in response.vary
    got = parsed(by_accept.get_data(), fmt)
    assert got == parsed(by_extension.get_data(), fmt)
    own = set(queries.construct(knowledge_catalogue.store, "browse_describe", resource=iri))
    assert own and own <= got


@pytest.mark.parametrize(("path", "iri"), RESOURCES)
def test_unacceptable_is_406(ld: FlaskClient, path: str, iri: str) -> None:
    response = ld.get(path, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "Accept" in response.vary


def test_unknown_resources_are_404(ld: FlaskClient) -> None:
    for path in ("/ontology/NoSuchTerm", "/vocab/no-such-scheme", "/id/nothing/here", "/shapes/x"):
        assert ld.get(path).status_code == 404


def test_ontology_documentation_has_a_page_per_class_and_property(
    ld: FlaskClient, knowledge_catalogue: Catalogue
) -> None:
    index = BeautifulSoup(ld.get("/ontology").get_data(as_text=True), "html.parser")
    terms = queries.run(knowledge_catalogue.store, "ontology_terms", lang="da")
    assert len(terms) > 50
    for row in terms:
        name = row["term"].value.removeprefix(str(SK))
        assert index.find(id=name) is not None, name
        page = ld.get(f"/ontology/{name}")
        assert page.status_code == 200, name
        heading = BeautifulSoup(page.get_data(as_text=True), "html.parser").h1
        assert row["label"].value in heading.get_text()


def test_class_page_names_its_properties(ld: FlaskClient) -> None:
    page = BeautifulSoup(ld.get("/ontology/Provider?lang=en").get_data(as_text=True), "html.parser")
    links = {a["href"].split("?")[0] for a in page.select("dl.facts a")}
    assert "/ontology/cvr" in links
    assert "/ontology/serves" in links


def test_every_concept_scheme_page_lists_its_concepts(
    ld: FlaskClient, knowledge_catalogue: Catalogue
) -> None:
    schemes = queries.run(knowledge_catalogue.store, "concept_schemes", lang="da")
    assert len(schemes) >= 15
    for row in schemes:
        path = row["scheme"].value.removeprefix(BASE)
        response = ld.get(f"/{path}")
        assert response.status_code == 200, path
        page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
        assert len(page.select("table.terms")[0].select("tbody tr")) == int(row["concepts"].value)


def test_the_ontology_index_is_linked_from_the_front_end(ld: FlaskClient) -> None:
    home = BeautifulSoup(ld.get("/").get_data(as_text=True), "html.parser")
    assert home.select_one('nav a[href^="/ontology"]') is not None


def test_whole_ontology_and_graphs_and_shapes(
    ld: FlaskClient, knowledge_catalogue: Catalogue
) -> None:
    model = set(
        knowledge_catalogue.store.construct(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }".replace(
                "?g", f"<{GRAPH}ontology/model>"
            )
        )
    )
    assert parsed(ld.get("/ontology.nt").get_data(), "ntriples") == model
    levels = ld.get("/graph/ontology/levels.ttl")
    assert levels.status_code == 200
    shapes = ld.get("/shapes/knowledge/ontology-checks", headers={"Accept": "text/turtle"})
    assert shapes.status_code == 200 and shapes.mimetype == "text/turtle"
    assert ld.get("/shapes/knowledge/ontology-checks").mimetype == "text/html"


def test_uri_space_mapping(knowledge_catalogue: Catalogue) -> None:
    public = "https://data.example.dk/specialekatalog/"
    settings_ = Settings.from_env({"store": "memory", "base_iri": public})
    client = create_app(catalogue=Catalogue(settings_, knowledge_catalogue.store)).test_client()
    for path in ("/ontology/Provider.nt", "/vocab/level/hoej.nt", "/vocab/level.nt"):
        body = client.get(path).get_data(as_text=True)
        assert f"<{public}" in body, path
        assert BASE not in body, path


TERMS = st.one_of(
    st.builds(
        lambda t, lang: ox.Literal(t, language=lang),
        st.text(max_size=30),
        st.sampled_from(["da", "en", "en-GB", "de-1996"]),
    ),
    st.builds(ox.Literal, st.text(max_size=30)),
    st.builds(lambda n: ox.NamedNode(f"{BASE}id/x/{n}"), st.integers(0, 99)),
)
PREDICATES = st.builds(
    lambda local: ox.NamedNode(f"http://example.org/p/{local}"),
    st.sampled_from(["name", "1st", "a-b", "ø", "x_1", "9"]),
)


@settings(max_examples=examples(150), deadline=None)
@given(
    triples=st.lists(
        st.builds(
            ox.Triple,
            st.builds(lambda n: ox.NamedNode(f"{BASE}id/s/{n}"), st.integers(0, 9)),
            PREDICATES,
            TERMS,
        ),
        max_size=12,
    ),
    fmt=st.sampled_from(GRAPH_FORMATS),
)
def test_every_offered_format_round_trips(triples: list[ox.Triple], fmt: str) -> None:
    """THREATS.md D6: parse(serialize(g)) is g, for every graph format offered."""
    from flask import Flask

    from webapp.negotiation import serialize

    app = Flask(__name__)
    with app.app_context():
        data = serialize(triples, fmt)
    assert parsed(data, fmt) == set(triples)


@pytest.mark.parametrize(
    "name", ["catalogue.nq.gz", "catalogue.trig.gz", "catalogue.nq", "catalogue.trig"]
)
def test_dumps_round_trip_to_the_same_dataset(
    ld: FlaskClient, knowledge_catalogue: Catalogue, name: str
) -> None:
    response = ld.get(f"/-/dumps/{name}")
    assert response.status_code == 200
    data = response.get_data()
    response.close()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    fmt = ox.RdfFormat.N_QUADS if ".nq" in name else ox.RdfFormat.TRIG
    assert canonical_hash(ox.parse(data, fmt)) == canonical_hash(knowledge_catalogue.store.quads())


def test_void_describes_the_dataset(ld: FlaskClient, knowledge_catalogue: Catalogue) -> None:
    response = ld.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = parsed(response.get_data(), "turtle")
    void = "http://rdfs.org/ns/void#"
    dataset = ox.NamedNode(f"{BASE}id/dataset/catalogue")
    values = {t.predicate.value: t.object for t in triples if t.subject == dataset}
    assert values[void + "sparqlEndpoint"] == ox.NamedNode(f"{BASE}sparql")
    # exact statistics where they are cheap: each knowledge file's statements, the number of records
    counts = {
        t.subject.value: int(t.object.value)
        for t in triples
        if t.predicate.value == void + "triples"
    }
    ontology = f"{GRAPH}ontology/model"
    assert counts[ontology] == sum(
        1 for _ in knowledge_catalogue.store.quads(ox.NamedNode(ontology))
    )
    entities = {
        t.subject.value: int(t.object.value)
        for t in triples
        if t.predicate.value == void + "entities"
    }
    graphs = knowledge_catalogue.store.graph_names()
    providers = [g for g in graphs if g.value.startswith(f"{GRAPH}provider/")]
    assert entities[f"{BASE}id/dataset/providers"] == len(providers)
    dumps = {
        t.object.value
        for t in triples
        if t.predicate.value == void + "dataDump" and t.subject == dataset
    }
    assert dumps == {f"{BASE}-/dumps/catalogue.nq.gz", f"{BASE}-/dumps/catalogue.trig.gz"}


def test_instance_pages(ld: FlaskClient) -> None:
    assert ld.get("/-/health").get_json() == {"status": "ok", "store": True}
    assert "pyoxigraph" in ld.get("/-/version").get_json()
    names = {q["name"] for q in ld.get("/-/queries").get_json()}
    assert names == set(queries.registry())
    config = ld.get("/-/config").get_json()
    assert "secret_key" not in config
    assert config["sparql_max_rows"] > 0


def test_config_hides_secrets_and_credentials(knowledge_catalogue: Catalogue) -> None:
    settings_ = Settings.from_env(
        {
            "store": "memory",
            "secret_key": "s3cret",
            "query_endpoint": "http://user:pw@db.example:7878/q",
        }
    )
    client = create_app(catalogue=Catalogue(settings_, knowledge_catalogue.store)).test_client()
    text = client.get("/-/config").get_data(as_text=True)
    assert "s3cret" not in text and "pw@" not in text
    assert "db.example:7878/q" in text
