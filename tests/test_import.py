"""Import: good files land; bad files are refused with clear errors, the store left unchanged."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.cli import main
from catalogue.demo import generate
from catalogue.importing import import_data, import_paths
from catalogue.importing.writer import write_records
from catalogue.loading import load_knowledge
from catalogue.namespaces import BASE, PROVIDER_GRAPHS
from catalogue.store import EmbeddedStore, RemoteStore, canonical_hash
from tests.conftest import Canary, examples

CORPUS = Path(__file__).parent / "data" / "import"
LIMIT = 2**20
Store = EmbeddedStore | RemoteStore

# file, rules that must be reported, and (line, field) of a problem where the file has lines
BAD_FILES = [
    ("malformed.ttl", {"syntaks"}, (6, None)),
    ("truncated.ttl", {"syntaks"}, (20, None)),
    ("invalid-utf8.ttl", {"syntaks"}, (39, None)),
    ("not-text.csv", {"tegnsaet"}, (2, None)),
    ("wrong-delimiter.csv", {"overskrifter"}, (1, None)),
    ("missing-columns.csv", {"mangler-kolonne"}, (1, "Kommunekode")),
    ("duplicate-columns.csv", {"dobbelt-kolonne"}, (1, "Borgere")),
    (
        "unknown-codes.csv",
        {"Provider-municipality", "TargetGroupService-targetGroup"},
        (4, "Målgruppe"),
    ),
    (
        "negative-counts.csv",
        {"TargetGroupService-staffCount", "TargetGroupService-citizensServed"},
        (3, "Medarbejdere"),
    ),
    ("formula.csv", {"formel"}, (4, "Adresse")),
    ("duplicate-target-group.csv", {"dobbelt-maalgruppe"}, (5, "Målgruppe")),
    ("inconsistent-provider.csv", {"uens-tilbud"}, (3, "Pladser")),
    ("bad-values.csv", {"heltal", "dato", "ja-nej"}, (3, "Dækningsordning")),
    ("entity-bomb.rdf", {"dtd"}, None),
    ("xxe.rdf", {"dtd"}, None),
    ("remote-context.jsonld", {"jsonld-context"}, None),
    ("blank-nodes.ttl", {"blank-knude"}, None),
    ("outside-provider.trig", {"graf", "uden-for-leverandoer"}, None),
]
GOOD_FILES = [
    "good.csv",
    "good-bom-comma.csv",
    "cp1252.csv",
    "good.ttl",
    "good.nt",
    "good.rdf",
    "good.jsonld",
    "good.trig",
]


@pytest.fixture
def store(any_store: Store) -> Store:
    """Knowledge and a few demo providers, on each backend."""
    load_knowledge(any_store)
    write_records(any_store, generate(5, 7))
    return any_store


def _hash(store: Store) -> str:
    return canonical_hash(store.quads())


@pytest.mark.parametrize(("name", "rules", "where"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_refused_and_store_unchanged(
    store: Store, name: str, rules: set[str], where: tuple[int, str | None] | None
) -> None:
    before = _hash(store)
    result = import_paths(store, [CORPUS / name], max_bytes=LIMIT)
    assert not result.ok and result.written == 0
    errors = [p for p in result.problems if p.severity == "error"]
    assert rules <= {p.rule for p in errors}
    assert all(p.file == name and p.message_da and p.message_en for p in errors)
    if where is not None:
        line, field = where
        assert any(p.line == line and (field is None or p.field == field) for p in errors), errors
    assert _hash(store) == before


def test_all_problems_of_a_file_are_reported_at_once(store: Store) -> None:
    result = import_paths(store, [CORPUS / "bad-values.csv"], max_bytes=LIMIT)
    found = {(p.line, p.field) for p in result.problems}
    assert {(2, "Medarbejdere"), (2, "Godkendt fra"), (3, "Dækningsordning")} <= found


@pytest.mark.parametrize("name", GOOD_FILES)
def test_good_file_imports_and_reimport_changes_nothing(store: Store, name: str) -> None:
    result = import_paths(store, [CORPUS / name], max_bytes=LIMIT)
    assert result.ok, [str(p) for p in result.problems]
    assert result.written == (2 if name.endswith(".csv") else 1)
    after = _hash(store)
    again = import_paths(store, [CORPUS / name], max_bytes=LIMIT)
    assert again.ok and again.written == 0
    assert _hash(store) == after


def test_csv_and_rdf_give_the_same_graph() -> None:
    graph = ox.NamedNode(BASE + "graph/provider/900102")
    from_csv, from_ttl = EmbeddedStore(), EmbeddedStore()
    import_paths(from_csv, [CORPUS / "good.csv"], max_bytes=LIMIT)
    import_paths(from_ttl, [CORPUS / "good.ttl"], max_bytes=LIMIT)
    assert canonical_hash(from_csv.quads(graph)) == canonical_hash(from_ttl.quads(graph))


def test_blank_nodes_of_two_files_stay_two_nodes() -> None:
    """The same blank-node label in two files names two nodes (one write holds both files)."""
    good = (CORPUS / "good.ttl").read_text(encoding="utf-8")
    blank = "<http://www.w3.org/2000/01/rdf-schema#seeAlso> _:b0 ."
    files = [
        (f"{t}.ttl", f"{good.replace('900102', t)}\n<{BASE}id/provider/{t}> {blank}\n".encode())
        for t in ("900102", "900777")
    ]
    store = EmbeddedStore()
    load_knowledge(store)
    assert import_data(store, files, max_bytes=LIMIT).written == 2
    nodes = {
        q.object
        for q in store.quads()
        if isinstance(q.object, ox.BlankNode) and PROVIDER_GRAPHS in str(q.graph_name)
    }
    assert len(nodes) == 2


def test_cp1252_keeps_danish_letters_and_warns() -> None:
    store = EmbeddedStore()
    result = import_paths(store, [CORPUS / "cp1252.csv"], max_bytes=LIMIT)
    assert result.ok
    assert any(p.rule == "tegnsaet" and p.severity == "warning" for p in result.problems)
    literals = {q.object.value for q in store.quads() if isinstance(q.object, ox.Literal)}
    assert {"Bofællesskabet Åbrinken", "Region Sjælland, psykiatrien", "Ålykken 12"} <= literals


def test_reimport_replaces_the_provider_graph() -> None:
    store = EmbeddedStore()
    import_paths(store, [CORPUS / "good.csv"], max_bytes=LIMIT)
    changed = (CORPUS / "good.csv").read_text(encoding="utf-8").replace(";24;", ";30;")
    result = import_data(store, [("changed.csv", changed.encode())], max_bytes=LIMIT)
    assert result.ok
    capacity = ox.NamedNode(BASE + "ontology#capacity")
    values = {q.object.value for q in store.quads() if q.predicate == capacity}
    assert values == {"30", "8"}


def test_a_bad_file_stops_the_good_one_in_the_same_import(store: Store) -> None:
    before = _hash(store)
    result = import_paths(
        store, [CORPUS / "good.csv", CORPUS / "negative-counts.csv"], max_bytes=LIMIT
    )
    assert not result.ok and result.files[0].ok and result.written == 0
    assert _hash(store) == before


def test_dry_run_writes_nothing(store: Store) -> None:
    before = _hash(store)
    result = import_paths(store, [CORPUS / "good.csv"], max_bytes=LIMIT, dry_run=True)
    assert result.ok and result.written == 0 and result.files[0].providers
    assert _hash(store) == before


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    store = EmbeddedStore()
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (LIMIT + 1))
    result = import_paths(store, [big], max_bytes=LIMIT)
    assert [p.rule for p in result.problems] == ["stoerrelse"]
    result = import_data(store, [("big.ttl", b"#" * (LIMIT + 1))], max_bytes=LIMIT)
    assert [p.rule for p in result.problems] == ["stoerrelse"]
    assert list(store.quads()) == []


def test_field_over_the_csv_limit_is_an_error() -> None:
    lines = (CORPUS / "good.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Bostedet Kastanjen", "K" * 131_073)
    result = import_data(
        EmbeddedStore(), [("long.csv", "\n".join(lines).encode())], max_bytes=LIMIT
    )
    assert not result.ok
    assert any(p.rule == "csv" and p.line == 2 for p in result.problems)


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", b"   \n\n"], ids=str)
def test_empty_and_binary_files(content: bytes) -> None:
    result = import_data(EmbeddedStore(), [("x.csv", content)], max_bytes=LIMIT)
    assert not result.ok and result.problems


def test_unknown_extension() -> None:
    result = import_data(EmbeddedStore(), [("x.xlsx", b"PK")], max_bytes=LIMIT)
    assert [p.rule for p in result.problems] == ["filtype"]


def test_remote_jsonld_context_is_never_fetched(egress_canary: Canary) -> None:
    url, hits = egress_canary.url, egress_canary.hits
    document = (
        f'{{"@context": "{url}/context.jsonld", '
        f'"@id": "{BASE}id/provider/900103", "name": "Bostedet"}}'
    )
    result = import_data(EmbeddedStore(), [("x.jsonld", document.encode())], max_bytes=LIMIT)
    assert [p.rule for p in result.problems] == ["jsonld-context"]
    xxe = (CORPUS / "xxe.rdf").read_text().replace("file:///etc/passwd", f"{url}/secret")
    result = import_data(EmbeddedStore(), [("x.rdf", xxe.encode())], max_bytes=LIMIT)
    assert [p.rule for p in result.problems] == ["dtd"]
    assert hits == []


def test_cli_import_reports_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    bad = runner.invoke(main, ["import", str(CORPUS / "negative-counts.csv")])
    assert bad.exit_code == 1
    assert "negative-counts.csv: linje/line 3: Medarbejdere" in bad.output
    dry = runner.invoke(main, ["import", "--dry-run", str(CORPUS / "good.csv")])
    assert dry.exit_code == 0 and "nothing written" in dry.output
    good = runner.invoke(main, ["import", str(CORPUS / "good.csv"), str(CORPUS / "good.ttl")])
    assert good.exit_code == 1 and "900102" in good.output  # the same provider in two files
    good = runner.invoke(main, ["import", str(CORPUS / "good.csv")])
    assert good.exit_code == 0 and "2 provider(s) imported" in good.output


@pytest.mark.parametrize("name", ["negative-counts.csv", "unknown-codes.csv", "bad-values.csv"])
def test_fast_integrity_check_agrees_with_pyshacl(name: str) -> None:
    from catalogue.compliance.oracle import validate as pyshacl_validate
    from catalogue.compliance.results import rdflib_graph, same_results
    from catalogue.importing import read_file
    from catalogue.importing.records import stage
    from catalogue.importing.validation import check, integrity, staging_store

    records = read_file(name, (CORPUS / name).read_bytes(), LIMIT).records
    records += list(generate(20, 5))
    data = rdflib_graph(integrity().reference)
    rdflib_graph((t for r in records for t in r.triples), data)
    oracle = pyshacl_validate(data, integrity().shapes)
    staging = staging_store()
    stage(staging, [r.text() for r in records])
    fast = check(staging)
    assert fast and same_results(fast, oracle) == (Counter(), Counter())


def test_the_template_document_lists_every_column() -> None:
    from catalogue.importing.template import COLUMNS

    document = (Path(__file__).parent.parent / "docs" / "IMPORT-TEMPLATE.md").read_text("utf-8")
    rows = {line.split("|")[1].strip() for line in document.splitlines() if line.startswith("| ")}
    assert {c.name for c in COLUMNS} <= rows
    required = {
        line.split("|")[1].strip()
        for line in document.splitlines()
        if line.startswith("| ") and line.split("|")[3].strip() == "ja"
    }
    assert required == {c.name for c in COLUMNS if c.required}


def test_quoted_line_breaks_keep_line_numbers_right() -> None:
    lines = (CORPUS / "good.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(
        ";Tilbuddet skal styrke sin faglige supervision;", ';"Første linje\nanden linje";'
    )
    text = "\n".join([*lines, lines[1]]) + "\n"
    result = import_data(EmbeddedStore(), [("breaks.csv", text.encode())], max_bytes=LIMIT)
    assert [(p.rule, p.line) for p in result.problems] == [("dobbelt-maalgruppe", 6)]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600) | st.text(max_size=600).map(str.encode))
def test_arbitrary_bytes_never_crash_and_never_write(data: bytes) -> None:
    store = EmbeddedStore()
    names = ("x.csv", "x.ttl", "x.jsonld", "x.rdf")
    results = [import_data(store, [(name, data)], max_bytes=LIMIT) for name in names]
    assert all(r.ok or (r.written == 0 and r.problems) for r in results)
    if not any(r.ok for r in results):
        assert list(store.quads()) == []


def _record_approval(store: Store, tpid: str) -> ox.NamedNode:
    """An approval recorded through the editing area: written to the graph, audited."""
    from catalogue.approvals import NewApproval, add_approval
    from catalogue.audit import Activity, audited
    from catalogue.editors import Editor

    approval = NewApproval(
        status=f"{BASE}vocab/approval-status/godkendt-med-vilkaar",
        valid_from=dt.date(2025, 6, 1),
        valid_until=None,
        conditions="Faglig supervision hver måned",
        function=f"{BASE}id/specialty-function/autisme-udviklingshaemning-voksne",
        duty_to_advise=True,
    )
    graph = ox.NamedNode(f"{BASE}graph/provider/{tpid}")
    activity = Activity(Editor("lars", "oest", "unused"), "Godkendelse", "Approval", graphs=[graph])
    with audited(store, activity):
        iri, problems = add_approval(
            store, tpid, approval, f"{BASE}vocab/supervisory-authority/oest"
        )
        assert iri is not None, problems
        activity.generated.append(iri)
    return iri


def _about(store: Store, tpid: str, approval: ox.NamedNode) -> set[ox.Triple]:
    graph = ox.NamedNode(f"{BASE}graph/provider/{tpid}")
    return {q.triple for q in store.quads(graph) if approval in (q.subject, q.object)}


def test_a_reimport_keeps_approvals_recorded_in_editing(any_store: Store) -> None:
    from catalogue.editing import warn_lost_approvals

    load_knowledge(any_store)
    data = (CORPUS / "good.csv").read_bytes()
    assert import_data(any_store, [("good.csv", data)], max_bytes=LIMIT).written == 2
    recorded = _record_approval(any_store, "900101")
    assert recorded.value.endswith("/approval/2")  # the file brought approval 1
    kept = _about(any_store, "900101", recorded)
    before = _hash(any_store)

    preview = import_data(any_store, [("good.csv", data)], max_bytes=LIMIT, dry_run=True)
    warn_lost_approvals(any_store, preview.files[0])
    assert preview.ok and "godkendelser" not in {p.rule for p in preview.problems}

    again = import_data(any_store, [("good.csv", data)], max_bytes=LIMIT)
    assert again.ok and again.written == 0 and _hash(any_store) == before
    assert _about(any_store, "900101", recorded) == kept


def test_a_csv_approval_is_numbered_around_a_recorded_one(any_store: Store) -> None:
    load_knowledge(any_store)
    data = (CORPUS / "good.csv").read_bytes()
    import_data(any_store, [("good.csv", data)], max_bytes=LIMIT)
    recorded = _record_approval(any_store, "900101")  # approval/2
    kept = _about(any_store, "900101", recorded)
    # the file now approves a specialty function as well: its approval/2 becomes approval/3
    more = data.replace(b"2027-03-01;;;", b"2027-03-01;;autisme-udviklingshaemning-voksne;")
    result = import_data(any_store, [("good.csv", more)], max_bytes=LIMIT)
    assert result.ok and result.written == 1, [str(p) for p in result.problems]
    assert _about(any_store, "900101", recorded) == kept
    provider = ox.NamedNode(f"{BASE}id/provider/900101")
    approvals = {
        str(q.object).strip("<>").rsplit("/", 1)[-1]
        for q in any_store.quads(ox.NamedNode(f"{BASE}graph/provider/900101"))
        if q.subject == provider and q.predicate == ox.NamedNode(f"{BASE}ontology#hasApproval")
    }
    assert approvals == {"1", "2", "3"}
    after = _hash(any_store)
    again = import_data(any_store, [("good.csv", more)], max_bytes=LIMIT)
    assert again.written == 0 and _hash(any_store) == after
