"""Session 8's audit: the product tried as its owner does (hostile and malformed files, a
non-default base IRI, standard SPARQL datasets, odd requests). Each test failed before its fix."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask import Flask

from catalogue import Catalogue, Settings, assessments, importing, need
from catalogue import authority_records as records
from catalogue.cli import main
from catalogue.config import SettingError
from catalogue.criteria_impact import ImpactError, impact
from catalogue.editors import add_editor, load_editors
from catalogue.importing import import_data
from catalogue.importing.problems import Problems
from catalogue.importing.rdffile import MAX_NESTING
from catalogue.importing.writer import Spool
from catalogue.namespaces import BASE, GRAPH
from catalogue.publish import UriSpace
from catalogue.sparql.guard import Limits, QueryRefused, check
from catalogue.store import canonical_hash
from tests.conftest import memory_catalogue
from tests.test_editing import commit, editors_file, make_app, preview, signed_in, store_of
from webapp import create_app
from webapp.serve import CannotListen, serve

__all__ = ["editors_file"]  # the fixture, shared with tests/test_editing.py

CORPUS = Path(__file__).parent / "data" / "import"
LIMIT = 2**20
PUBLIC = "https://data.example.dk/katalog/"
PROVIDER = "id/provider/900102"  # good.ttl's provider, supervised by Socialtilsyn Midt


def _rules(result: object) -> set[str]:
    return {p.rule for p in result.problems}  # type: ignore[attr-defined]


@pytest.fixture
def catalogue() -> Catalogue:
    return memory_catalogue()


# --- hostile and malformed RDF files -------------------------------------------------------------


def test_deeply_nested_json_ld_is_refused_not_a_crash(catalogue: Catalogue) -> None:
    """5,000 nested objects (40 KB) overflowed the JSON-LD parser's stack: the process died
    (SIGSEGV), and a signed-in editor's upload took the whole web server down with it."""
    depth = 5_000
    data = ('{"@id": "' + BASE + PROVIDER + '", "' + BASE + 'ontology#x": ') * depth
    data += "1" + "}" * depth
    before = canonical_hash(catalogue.store.quads())
    result = import_data(catalogue.store, [("deep.jsonld", data.encode())], max_bytes=LIMIT)
    assert not result.ok
    assert _rules(result) == {"dybde"}
    assert canonical_hash(catalogue.store.quads()) == before


def test_a_long_chain_of_json_ld_terms_is_refused_not_a_crash(catalogue: Catalogue) -> None:
    """5,000 terms each defined by the next (``"t0": "t1:x"``, 90 KB, nested 2 deep) overflowed
    the JSON-LD processor's stack (SIGSEGV)."""
    context = {f"t{i}": f"t{i + 1}:x" for i in range(5_000)}
    data = json.dumps({"@context": context, "@id": BASE + PROVIDER, "t0": "1"})
    result = import_data(catalogue.store, [("chain.jsonld", data.encode())], max_bytes=LIMIT)
    assert _rules(result) == {"jsonld-context"}
    assert "more than 1000 terms" in result.problems[0].message_en


@pytest.mark.parametrize("name", ["deep.ttl", "deep.nt"])
def test_deeply_nested_triple_terms_are_refused_not_a_crash(
    catalogue: Catalogue, name: str
) -> None:
    """Triple terms nested 20,000 deep (``<<( s p <<( s p ... )>> )>>``, 1.5 MB) overflowed
    the Turtle and N-Triples parsers' stack (SIGSEGV)."""
    subject, depth = f"<{BASE}{PROVIDER}>", 20_000
    nested = f"<<( {subject} <{BASE}ontology#x> " * depth + "<urn:x:o>" + " )>>" * depth
    data = f"{subject} <{BASE}ontology#x> {nested} .\n"
    result = import_data(catalogue.store, [(name, data.encode())], max_bytes=20 * LIMIT)
    assert _rules(result) == {"dybde"}


def test_a_string_cannot_hide_triple_term_nesting(catalogue: Catalogue) -> None:
    """``>>`` in a literal before the nesting never lowers the depth counted."""
    subject, depth = f"<{BASE}{PROVIDER}>", MAX_NESTING + 1
    hiding = f'{subject} <{BASE}ontology#name> "{">> " * 500}" .\n'
    nested = f"<<( {subject} <{BASE}ontology#x> " * depth + "<urn:x:o>" + " )>>" * depth
    data = hiding + f"{subject} <{BASE}ontology#x> {nested} .\n"
    result = import_data(catalogue.store, [("hide.ttl", data.encode())], max_bytes=LIMIT)
    assert _rules(result) == {"dybde"}


def test_json_ld_nesting_is_counted_outside_strings(catalogue: Catalogue) -> None:
    """Brackets inside strings are text, not nesting: good.jsonld with a name full of them."""
    data = json.loads((CORPUS / "good.jsonld").read_text(encoding="utf-8"))
    name = BASE + "ontology#name"
    provider = next(node for node in data if node["@id"] == BASE + PROVIDER and name in node)
    provider[name] = [{"@value": '"{[' * (MAX_NESTING + 5) + '\\"'}]
    result = import_data(
        catalogue.store, [("good.jsonld", json.dumps(data).encode())], max_bytes=LIMIT
    )
    assert result.ok, result.problems


def test_deeply_nested_rdf_xml_is_refused_at_once(catalogue: Catalogue) -> None:
    """RDF/XML parsing time grew with the square of the depth (100,000 levels, 3.5 MB: more than
    two minutes); the depth is now refused before the RDF parser sees the file."""
    depth = MAX_NESTING + 1
    data = (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        f' xmlns:sk="{BASE}ontology#"><rdf:Description rdf:about="{BASE}{PROVIDER}">'
        + "<sk:x><rdf:Description>" * depth
        + "<sk:y>1</sk:y>"
        + "</rdf:Description></sk:x>" * depth
        + "</rdf:Description></rdf:RDF>"
    )
    result = import_data(catalogue.store, [("deep.rdf", data.encode())], max_bytes=LIMIT)
    assert _rules(result) == {"dybde"}


@pytest.mark.parametrize("name", ["good.ttl", "good.nt", "good.trig", "good.rdf"])
def test_a_utf8_byte_order_mark_is_read_like_the_file_without_it(
    catalogue: Catalogue, name: str
) -> None:
    """Notepad writes a BOM: the CSV and JSON-LD readers took it, Turtle, N-Triples and TriG
    refused the file with a parser error about an invisible character."""
    data = (CORPUS / name).read_bytes()
    plain = import_data(catalogue.store, [(name, data)], max_bytes=LIMIT, dry_run=True)
    marked = import_data(
        catalogue.store, [(name, b"\xef\xbb\xbf" + data)], max_bytes=LIMIT, dry_run=True
    )
    assert plain.ok and marked.ok, marked.problems
    assert marked.files[0].records == plain.files[0].records


@pytest.mark.parametrize("name", ["good.ttl", "good.jsonld", "good.rdf", "good.csv"])
def test_a_utf16_file_is_refused_by_its_encoding(catalogue: Catalogue, name: str) -> None:
    """A UTF-16 file was refused as 'RDF/XML with a DTD', a Turtle syntax error, or a CSV 'read
    as Windows-1252' with control characters: now one problem that names the encoding."""
    data = (CORPUS / name).read_text(encoding="utf-8").encode("utf-16")
    result = import_data(catalogue.store, [(name, data)], max_bytes=LIMIT, dry_run=True)
    assert [(p.rule, p.severity) for p in result.problems] == [("tegnsaet", "error")]
    assert "UTF-16" in result.problems[0].message_en


# --- a non-default base IRI ----------------------------------------------------------------------


def _public(data: bytes) -> bytes:
    return UriSpace(PUBLIC).public_bytes(data)


def test_rdf_under_the_public_base_imports_as_the_stored_resources(catalogue: Catalogue) -> None:
    """The catalogue publishes a provider's RDF under BASE_IRI; that file was refused on import
    ('not part of a provider record' for every statement)."""
    data = _public((CORPUS / "good.ttl").read_bytes())
    assert BASE.encode() not in data
    refused = import_data(catalogue.store, [("p.ttl", data)], max_bytes=LIMIT, dry_run=True)
    assert "uden-for-leverandoer" in _rules(refused)
    result = import_data(
        catalogue.store, [("p.ttl", data)], max_bytes=LIMIT, uri_space=UriSpace(PUBLIC)
    )
    assert result.ok, result.problems
    assert ox.NamedNode(GRAPH["provider/900102"]) in catalogue.store.graph_names()


def test_cli_import_reads_the_public_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(store))
    monkeypatch.setenv("SPECIALEKATALOG_BASE_IRI", PUBLIC)
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    path = tmp_path / "p.ttl"
    path.write_bytes(_public((CORPUS / "good.ttl").read_bytes()))
    result = runner.invoke(main, ["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 provider(s) checked, no errors" in result.output


def test_editing_upload_under_the_public_base(
    knowledge_catalogue: Catalogue, editors_file: Path, tmp_path: Path
) -> None:
    """An editor of the provider's authority uploads the RDF the site publishes: previewed
    without problems and saved under the stored base."""
    app = make_app(
        knowledge_catalogue,
        tmp_path,
        editors_file=str(editors_file),
        secret_key="a-test-secret-that-is-long-enough-" * 2,
        base_iri=PUBLIC,
    )
    client = signed_in(app, "mette")  # Socialtilsyn Midt
    page = preview(client, ("p.ttl", _public((CORPUS / "good.ttl").read_bytes())))
    assert page.status_code == 200, page.text
    assert commit(client, page).status_code == 303
    assert ox.NamedNode(GRAPH["provider/900102"]) in store_of(app).graph_names()


def test_public_dumps_map_literal_datatypes(catalogue: Catalogue) -> None:
    """The dumps left datatypes under the stored base (``"0265"^^sk:DAWAMunicipalityCode``)."""
    quads = [
        q
        for q in catalogue.store.quads()
        if isinstance(q.object, ox.Literal) and q.object.datatype.value.startswith(BASE)
    ][:5]
    assert quads, "the knowledge has literals with the catalogue's own datatypes"
    published = list(UriSpace(PUBLIC).public_quads(quads))
    literals = [(q.object, p.object) for q, p in zip(quads, published, strict=True)]
    for stored, public in literals:
        assert isinstance(public, ox.Literal) and isinstance(stored, ox.Literal)
        assert public.datatype.value == stored.datatype.value.replace(BASE, PUBLIC)
        assert public.value == stored.value


def test_iris_in_query_strings_with_slashes_kept_are_mapped() -> None:
    """``url_for`` writes an IRI parameter as ``https%3A//...``: /capacity's links to the gaps of
    near misses carried the stored base under another BASE_IRI."""
    space = UriSpace(PUBLIC)
    link = b"/capacity/gaps?service=https%3A//specialekatalog.example/id/provider/1/x"
    out = space.public_bytes(link)
    assert out == b"/capacity/gaps?service=https%3A//data.example.dk/katalog/id/provider/1/x"
    assert space.stored_bytes(out) == link


# --- SPARQL datasets: FROM ------------------------------------------------------------------------

LEVELS_GRAPH = GRAPH["ontology/levels"]
COUNT = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"


def _count(app: Flask, dataset: str, **params: str) -> int:
    response = app.test_client().get(
        "/sparql",
        query_string={"query": COUNT.format(dataset), **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_sparql_from_names_the_default_graph(knowledge_catalogue: Catalogue) -> None:
    """`SELECT ... FROM <g>` counted the whole dataset: the workers evaluated every query on the
    union default graph, which overrode the query's own dataset (SPARQL 1.1 Query, 13.2)."""
    settings = Settings.from_env({"store": "memory", "sparql_timeout_s": "10"})
    app = create_app(catalogue=Catalogue(settings, knowledge_catalogue.store))
    try:
        whole = _count(app, "")
        levels = _count(app, f"FROM <{LEVELS_GRAPH}>")
        expected = len(list(knowledge_catalogue.store.quads(graph=ox.NamedNode(LEVELS_GRAPH))))
        assert 0 < levels == expected < whole
        assert _count(app, f"FROM NAMED <{LEVELS_GRAPH}>") == 0  # an empty default graph
        # the protocol's dataset wins over the query's
        assert _count(app, f"FROM <{LEVELS_GRAPH}>", **{"default-graph-uri": GRAPH["none"]}) == 0
        # a relative FROM resolved against the query's BASE names the same graph (it was refused
        # as a graph outside the catalogue)
        relative = "BASE <" + BASE + "> SELECT (COUNT(*) AS ?n) FROM <graph/ontology/levels> "
        response = app.test_client().get(
            "/sparql",
            query_string={"query": relative + "WHERE { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.text
        assert int(response.get_json()["results"]["bindings"][0]["n"]["value"]) == expected
    finally:
        app.extensions["sparql"].close()


def test_a_base_cannot_carry_from_outside_the_catalogue() -> None:
    limits = Limits(32_768, 64)
    for query in (
        f"BASE <{BASE}> SELECT * FROM <//elsewhere.example/graph/x> {{ ?s ?p ?o }}",
        f"BASE <{BASE}> SELECT * FROM <../x> {{ ?s ?p ?o }}",
        f"BASE <{BASE}> BASE <http://elsewhere.example/> SELECT * FROM <graph/x> {{ ?s ?p ?o }}",
        "BASE <http://elsewhere.example/> PREFIX g: <graph/> SELECT * FROM g:x { ?s ?p ?o }",
    ):
        with pytest.raises(QueryRefused):
            check(query, limits)


def test_head_of_a_sparql_query_is_its_get_without_a_body(client: object) -> None:
    """HEAD /sparql answered 415 (a body type was asked of it, as of a POST)."""
    for query in ({"query": "ASK {}"}, {}):
        head = client.head("/sparql", query_string=query)  # type: ignore[attr-defined]
        get = client.get("/sparql", query_string=query)  # type: ignore[attr-defined]
        assert head.status_code == get.status_code == 200
        assert head.headers["Content-Type"] == get.headers["Content-Type"]
        assert head.get_data() == b""


# --- odd requests ---------------------------------------------------------------------------------


def test_a_method_not_allowed_is_a_page_in_danish_with_allow(client: object) -> None:
    response = client.put("/", headers={"Accept": "text/html"})  # type: ignore[attr-defined]
    assert response.status_code == 405
    assert "Metoden er ikke tilladt" in response.text
    assert "GET" in response.headers["Allow"]
    english = client.put("/?lang=en", headers={"Accept": "text/html"})  # type: ignore[attr-defined]
    assert "Method not allowed" in english.text


@pytest.fixture
def demo_app(demo_catalogue: Catalogue) -> Iterator[Flask]:
    """The app on the demo catalogue with SPARQL workers of its own, closed after the test."""
    settings = Settings.from_env({"store": "memory", "sparql_timeout_s": "10"})
    app = create_app({"TESTING": True}, catalogue=Catalogue(settings, demo_catalogue.store))
    yield app
    if "sparql" in app.extensions:
        app.extensions["sparql"].close()


def test_named_query_parameters_are_refused_by_name_in_both_languages(demo_app: Flask) -> None:
    """A bad parameter showed an English-only message on the Danish page, and a bad ``page``
    Werkzeug's generic 400 ("The browser (or proxy) sent a request ...")."""
    client = demo_app.test_client()
    page = client.get("/queries/browse_describe", query_string={"resource": "%FF"})
    assert page.status_code == 400
    assert "Parameteren resource skal være af typen iri" in page.text
    english = client.get("/queries/browse_describe", query_string={"resource": "%FF", "lang": "en"})
    assert "the parameter resource must be of type iri" in english.text
    for path in ("/queries/example_providers", "/queries/example_providers.csv"):
        response = client.get(path, query_string={"page": "abc"})
        assert response.status_code == 400, path
        assert "Parameteren page skal være et helt tal fra 1 til" in response.text, path
    answer = client.get("/queries/example_providers.json", query_string={"page": "0"})
    assert answer.status_code == 400
    assert answer.text.splitlines()[1].startswith("the parameter page must be")


# --- the other CSV and RDF readers: need figures, competence assessments -----------------------

NEED = (
    "function;region;places;source;illustrative\n"
    "autisme-udviklingshaemning-voksne;1081;{};Kilde;ja\n"
)


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (NEED.format("5").encode("utf-16"), "tegnsaet"),  # was UnicodeDecodeError
        (NEED.format("5").encode() + b"x" * 200_000 + b"\n", "csv"),  # was csv.Error
        (NEED.format("²").encode(), "pladser"),  # "²".isdigit(), but int("²") failed
    ],
)
def test_need_figures_refuse_bad_files_with_a_problem_not_a_traceback(
    catalogue: Catalogue, tmp_path: Path, content: bytes, rule: str
) -> None:
    path = tmp_path / "2030.csv"
    path.write_bytes(content)
    with pytest.raises(need.NeedError) as refused:
        need.load_file(catalogue.store, path)
    assert {p.rule for p in refused.value.problems} == {rule}


def test_need_figures_in_windows_1252_are_read(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "2030.csv"
    path.write_bytes(NEED.format("5").replace("Kilde", "Særlig kilde").encode("cp1252"))
    (figure,) = need.load_file(catalogue.store, path)
    assert figure.source == "Særlig kilde"


def test_assessments_from_deep_json_ld_are_refused_not_a_crash() -> None:
    depth = 5_000
    data = ('{"@id": "' + BASE + 'x", "' + BASE + 'ontology#x": ') * depth + "1" + "}" * depth
    with pytest.raises(ValueError, match="nested too deeply"):
        assessments.read_rdf(data.encode(), ox.RdfFormat.JSON_LD)


def test_a_superscript_digit_in_a_number_parameter_is_no_500(demo_app: Flask) -> None:
    """``"²".isdigit()`` is true and ``int("²")`` fails: /queries/...?page=² and
    /capacity?year=² answered 500."""
    client = demo_app.test_client()
    answer = client.get("/queries/example_providers.json", query_string={"page": "²"})
    assert answer.status_code == 400
    function = "autisme-udviklingshaemning-voksne"
    capacity = client.get("/capacity", query_string={"function": function, "year": "²"})
    assert capacity.status_code == 200


def test_capacity_of_an_unknown_function_is_not_found(demo_catalogue: Catalogue) -> None:
    """/capacity?function=<unknown> showed the first function instead, as if it were asked for
    (/capacity.csv answered 404)."""
    app = create_app({"TESTING": True}, catalogue=demo_catalogue)
    client = app.test_client()
    assert client.get("/capacity", query_string={"function": "findes-ikke"}).status_code == 404
    assert client.get("/capacity").status_code == 200


# --- settings and the command line ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "raw"), [("port", "abc"), ("max_upload_mb", "-1"), ("sparql_timeout_s", "nan")]
)
def test_a_bad_setting_is_refused_by_name(name: str, raw: str) -> None:
    """SPECIALEKATALOG_PORT=abc ended every command in a traceback; MAX_UPLOAD_MB=-1 refused
    every file as too large."""
    with pytest.raises(SettingError, match=f"SPECIALEKATALOG_{name.upper()}="):
        Settings.from_env({name: raw})
    assert getattr(Settings.from_env({name: "0"}), name) == 0


def test_the_cli_says_which_setting_is_bad(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_PORT", "abc")
    result = CliRunner().invoke(main, ["load"])
    assert result.exit_code == 1
    assert "SPECIALEKATALOG_PORT='abc'" in result.output
    assert "Traceback" not in result.output


def test_cli_arguments_take_iris_under_the_public_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check --service` (and `placement decide`, `competence assess`) with an IRI copied from the
    site under BASE_IRI answered "no target-group service ... in the store"."""
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("SPECIALEKATALOG_BASE_IRI", PUBLIC)
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    assert runner.invoke(main, ["import", str(CORPUS / "good.ttl")]).exit_code == 0
    service = next(
        line.split("<")[1].split(">")[0]
        for line in (CORPUS / "good.ttl").read_text(encoding="utf-8").splitlines()
        if line.startswith("<id/provider/900102/target-group/")
    )
    result = runner.invoke(main, ["check", "--service", PUBLIC + service])
    assert result.exit_code in (0, 1), result.output
    assert "no target-group service" not in result.output


@pytest.mark.parametrize("fmt", ["ttl", "json", "text"])
def test_cli_check_reports_name_iris_under_the_public_base(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check --format json|ttl` printed the stored base under another BASE_IRI."""
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("SPECIALEKATALOG_BASE_IRI", PUBLIC)
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    assert runner.invoke(main, ["import", str(CORPUS / "good.ttl")]).exit_code == 0
    result = runner.invoke(main, ["check", "--provider", "900102", "--format", fmt])
    assert result.exit_code in (0, 1), result.output
    assert BASE not in result.stdout
    if fmt != "text":
        assert PUBLIC in result.stdout


# --- control characters: text XML cannot carry --------------------------------------------------


def test_control_characters_in_an_rdf_literal_are_refused(catalogue: Catalogue) -> None:
    """A literal with ESC or NUL was stored, and the provider's RDF/XML and every SPARQL XML
    answer holding it were no longer well-formed XML."""
    data = (CORPUS / "good.ttl").read_text(encoding="utf-8")
    data = data.replace('"Bofællesskabet Åbrinken"', '"Bofællesskabet\\u001b Åbrinken"')
    assert "\\u001b" in data
    result = import_data(catalogue.store, [("p.ttl", data.encode())], max_bytes=LIMIT)
    assert not result.ok
    (problem,) = [p for p in result.problems if p.rule == "styretegn"]
    assert problem.node == BASE + PROVIDER
    assert ox.NamedNode(GRAPH["provider/900102"]) not in catalogue.store.graph_names()


def test_control_characters_in_an_approval_are_refused(
    knowledge_catalogue: Catalogue, editors_file: Path, tmp_path: Path
) -> None:
    app = make_app(
        knowledge_catalogue,
        tmp_path,
        editors_file=str(editors_file),
        secret_key="a-test-secret-that-is-long-enough-" * 2,
    )
    client = signed_in(app, "mette")
    page = preview(client, ("p.ttl", (CORPUS / "good.ttl").read_bytes()))
    assert commit(client, page).status_code == 303
    before = canonical_hash(store_of(app).quads())
    form = client.get("/-/editing/provider/900102/approval").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/-/editing/provider/900102/approval",
        data={
            "csrf_token": token,
            "status": BASE + "vocab/approval-status/godkendt",
            "valid_from": "2024-01-01",
            "conditions": "vilkår\x1b[31m og\x00 mere",
        },
    )
    assert response.status_code == 422
    assert "styretegn" in response.text
    assert canonical_hash(store_of(app).quads()) == before


def test_control_characters_in_a_decision_reason_are_refused() -> None:
    problems = Problems("x")
    records.check_texts(problems, ["Samlet vurdering\x07"])
    assert [p.rule for p in problems.items] == ["styretegn"]


def test_serve_on_a_port_in_use_says_so(knowledge_catalogue: Catalogue) -> None:
    """`serve` printed "Specialekatalog on http://127.0.0.1:PORT/" and then died with an OSError
    traceback when another process held the port."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings.from_env({"store": "memory", "port": str(port)})
        with pytest.raises(CannotListen, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(Catalogue(settings, knowledge_catalogue.store))


def test_cli_export_and_iri_arguments_fail_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown graph exported as an empty file with exit code 0; a failed export left an
    empty file behind; a missing folder and a non-IRI service ended in tracebacks."""
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    out = tmp_path / "x.trig"
    for args, says in [
        (["--graph", "graph/nothing-here"], "the store has no graph"),
        (["--graph", "a b"], "names no graph"),
        (["--graph", "all", "--format", "ttl"], "Turtle holds one graph"),
    ]:
        result = runner.invoke(main, ["export", "--format", "trig", "-o", str(out), *args])
        assert result.exit_code == 2 and says in result.output, result.output
        assert not out.exists() and not list(tmp_path.glob("x.trig*"))
    missing = runner.invoke(main, ["export", "-o", str(tmp_path / "no" / "x.nq")])
    assert missing.exit_code == 2 and "no folder" in missing.output
    good = runner.invoke(main, ["export", "--graph", "graph/ontology/levels", "-o", str(out)])
    assert good.exit_code == 0 and out.stat().st_size > 0
    decide = ["placement", "decide", "nonsense", "let", "--by", "oest", "--on", "2026-01-01"]
    decide += ["--guide-version", "2", "--reason", "Samlet vurdering"]
    for args in (["check", "--service", "nonsense"], decide):
        result = runner.invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "not a valid iri: 'nonsense'" in result.output


def test_an_editors_file_saved_with_a_bom_is_read(tmp_path: Path) -> None:
    """An editors file saved by Notepad (UTF-8 with BOM) was 'not a readable editors file'."""
    path = tmp_path / "editors.json"
    add_editor(path, "lars", "oest", "et langt kodeord")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert set(load_editors(path)) == {"lars"}


def test_an_empty_store_setting_is_refused_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPECIALEKATALOG_STORE= (set, empty) opened the working directory as an Oxigraph store and
    left its files there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPECIALEKATALOG_STORE", "")
    result = CliRunner().invoke(main, ["check", "--all"])
    assert result.exit_code == 1
    assert "SPECIALEKATALOG_STORE" in result.output and "empty" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["a-file", "a-file/store"])
def test_a_store_that_cannot_be_opened_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A store setting naming a file, or a folder inside a file, ended in a
    FileExistsError or FileNotFoundError traceback; STORE=remote without endpoints in a
    StoreError traceback."""
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / where))
    result = CliRunner().invoke(main, ["check", "--all"])
    assert result.exit_code == 1, result.output
    assert "cannot be opened" in result.output
    monkeypatch.setenv("SPECIALEKATALOG_STORE", "remote")
    remote = CliRunner().invoke(main, ["check", "--all"])
    assert remote.exit_code == 1 and "needs SPECIALEKATALOG_QUERY_ENDPOINT" in remote.output


def test_an_import_of_many_files_holds_one_spool(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file of an import kept its own temporary file open until the write: 1,100 files
    ran out of descriptors under the usual limit of 1,024 (OSError: Too many open files)."""
    made: list[Spool] = []

    class Counted(Spool):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(importing, "Spool", Counted)
    good = (CORPUS / "good.ttl").read_text(encoding="utf-8")
    files = [(f"p{i}.ttl", good.replace("900102", f"70000{i}").encode()) for i in range(3)]
    result = import_data(catalogue.store, files, max_bytes=LIMIT)
    assert result.ok and result.written == 3
    assert len(made) == 1


def test_a_draft_nested_too_deep_is_refused_by_criteria_impact(tmp_path: Path) -> None:
    """`criteria impact DRAFT.ttl` parsed the draft as it came: nested triple terms crashed it."""
    draft = tmp_path / "synsnedsaettelse.ttl"
    depth = 20_000
    nested = "<<( <urn:x:s> <urn:x:p> " * depth + "<urn:x:o>" + " )>>" * depth
    draft.write_text(f"<urn:x:s> <urn:x:p> {nested} .\n", encoding="utf-8")
    store = memory_catalogue().store
    with pytest.raises(ImpactError, match="nested too deeply"):
        impact(store, [draft])
