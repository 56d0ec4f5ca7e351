"""The audit trail (PROV-O in graph/audit), approvals as the data model says, the editors file."""

from __future__ import annotations

import datetime as dt
import json
import stat
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue import Catalogue
from catalogue.approvals import NewApproval, UnknownProvider, add_approval, check, choices
from catalogue.audit import (
    AUDIT_GRAPH,
    Activity,
    Busy,
    Stale,
    UploadedFile,
    audited,
    graph_hashes,
    history,
)
from catalogue.cli import main
from catalogue.editors import Editor, EditorsError, add_editor, authenticate, load_editors
from catalogue.importing import import_data
from catalogue.namespaces import BASE, VOCAB
from catalogue.store import EmbeddedStore, RemoteStore, canonical_hash

GOOD_CSV = Path(__file__).parent / "data" / "import" / "good.csv"
LARS = Editor("lars", "oest", "unused")
PROVIDER_GRAPH = ox.NamedNode(f"{BASE}graph/provider/900101")
PROV = "http://www.w3.org/ns/prov#"
SK = f"{BASE}ontology#"
FUNCTION = f"{BASE}id/specialty-function/autisme-udviklingshaemning-voksne"


def _triples(n: int) -> list[ox.Triple]:
    subject = ox.NamedNode(f"{BASE}id/provider/900101")
    return [
        ox.Triple(subject, ox.NamedNode(f"{SK}capacity"), ox.Literal(str(i), datatype=None))
        for i in range(n)
    ]


def test_a_change_is_recorded_as_one_prov_activity(any_store: EmbeddedStore | RemoteStore) -> None:
    any_store.replace_graphs({PROVIDER_GRAPH: _triples(2)})
    activity = Activity(
        LARS,
        "Import af a.csv",
        "Import of a.csv",
        graphs=[PROVIDER_GRAPH],
        files=[UploadedFile.of("a.csv", b"data")],
    )
    before = canonical_hash(any_store.quads(PROVIDER_GRAPH))
    with audited(any_store, activity, expected=graph_hashes(any_store, [PROVIDER_GRAPH])):
        any_store.replace_graphs({PROVIDER_GRAPH: _triples(3)})
    after = canonical_hash(any_store.quads(PROVIDER_GRAPH))

    [entry] = history(any_store, PROVIDER_GRAPH, "en")
    assert entry.activity == activity.iri.value
    assert (entry.editor, entry.label, entry.files) == ("lars", "Import of a.csv", ["a.csv"])
    assert (entry.hash_before, entry.hash_after) == (before, after)
    assert (entry.triples_before, entry.triples_after) == (2, 3)
    assert entry.changed and entry.started <= entry.ended
    audit = {q.triple for q in any_store.quads(AUDIT_GRAPH)}
    agent = ox.NamedNode(f"{BASE}id/editor/lars")
    assert ox.Triple(activity.iri, ox.NamedNode(f"{PROV}wasAssociatedWith"), agent) in audit
    assert (
        ox.Triple(
            agent,
            ox.NamedNode(f"{PROV}actedOnBehalfOf"),
            ox.NamedNode(f"{VOCAB}supervisory-authority/oest"),
        )
        in audit
    )
    file_hash = UploadedFile.of("a.csv", b"data").sha256
    assert any(t.object == ox.Literal(file_hash) for t in audit)


def test_history_is_newest_first_and_per_provider(any_store: EmbeddedStore | RemoteStore) -> None:
    other = ox.NamedNode(f"{BASE}graph/provider/900102")
    for label, graph in (("first", PROVIDER_GRAPH), ("second", PROVIDER_GRAPH), ("x", other)):
        with audited(any_store, Activity(LARS, label, label, graphs=[graph])):
            any_store.replace_graphs({graph: _triples(len(label))})
    entries = history(any_store, PROVIDER_GRAPH, "da")
    assert [e.label for e in entries] == ["second", "first"]
    assert entries[0].hash_before == entries[1].hash_after


def test_a_stale_change_writes_nothing(any_store: EmbeddedStore | RemoteStore) -> None:
    any_store.replace_graphs({PROVIDER_GRAPH: _triples(2)})
    expected = graph_hashes(any_store, [PROVIDER_GRAPH])
    any_store.replace_graphs({PROVIDER_GRAPH: _triples(1)})  # someone else changed it
    before = canonical_hash(any_store.quads())
    with (
        pytest.raises(Stale),
        audited(any_store, Activity(LARS, "x", "x", graphs=[PROVIDER_GRAPH]), expected=expected),
    ):
        any_store.replace_graphs({PROVIDER_GRAPH: _triples(5)})
    assert canonical_hash(any_store.quads()) == before


def test_a_failed_change_is_not_recorded() -> None:
    store = EmbeddedStore()
    with (
        pytest.raises(RuntimeError),
        audited(store, Activity(LARS, "x", "x", graphs=[PROVIDER_GRAPH])),
    ):
        raise RuntimeError("the import found errors")
    assert not list(store.quads(AUDIT_GRAPH))


def test_a_second_change_waits_then_is_refused_as_busy() -> None:
    store = EmbeddedStore()
    inside, release = threading.Event(), threading.Event()

    def first() -> None:
        with audited(store, Activity(LARS, "first", "first", graphs=[PROVIDER_GRAPH])):
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    with (
        pytest.raises(Busy),
        audited(store, Activity(LARS, "second", "second", graphs=[PROVIDER_GRAPH]), wait_s=0),
    ):
        pass
    release.set()
    thread.join(10)
    assert [e.label for e in history(store, PROVIDER_GRAPH, "da")] == ["first"]


# --- approvals ----------------------------------------------------------------------------------


@pytest.fixture
def imported(knowledge_catalogue: Catalogue) -> EmbeddedStore:
    store = EmbeddedStore()
    store.oxigraph.extend(knowledge_catalogue.store.quads())
    lines = GOOD_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    data = "".join([lines[0], *(line for line in lines[1:] if line.startswith("900101;"))])
    assert import_data(store, [("a.csv", data.encode())], max_bytes=2**20).ok
    return store


def _approval(**changes: object) -> NewApproval:
    values: dict[str, object] = {
        "status": f"{VOCAB}approval-status/godkendt-med-vilkaar",
        "valid_from": dt.date(2025, 6, 1),
        "valid_until": dt.date(2028, 6, 1),
        "conditions": "Faglig supervision hver måned",
        "function": FUNCTION,
        "duty_to_advise": True,
    }
    values.update(changes)
    return NewApproval(**values)  # type: ignore[arg-type]


def test_an_approval_is_written_as_the_data_model_says(imported: EmbeddedStore) -> None:
    authority = f"{VOCAB}supervisory-authority/oest"
    iri, problems = add_approval(imported, "900101", _approval(), authority)
    assert problems == [] and iri is not None
    assert iri.value == f"{BASE}id/provider/900101/approval/2"  # the file brought approval 1
    triples = {
        (q.predicate.value, q.object) for q in imported.quads(PROVIDER_GRAPH) if q.subject == iri
    }
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert triples == {
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(f"{SK}Approval")),
        (f"{SK}approvedBy", ox.NamedNode(authority)),
        (f"{SK}approvalStatus", ox.NamedNode(f"{VOCAB}approval-status/godkendt-med-vilkaar")),
        (f"{SK}validFrom", ox.Literal("2025-06-01", datatype=ox.NamedNode(f"{xsd}date"))),
        (f"{SK}validUntil", ox.Literal("2028-06-01", datatype=ox.NamedNode(f"{xsd}date"))),
        (f"{SK}conditions", ox.Literal("Faglig supervision hver måned")),
        (f"{SK}forSpecialtyFunction", ox.NamedNode(FUNCTION)),
        (f"{SK}dutyToAdvise", ox.Literal("true", datatype=ox.NamedNode(f"{xsd}boolean"))),
    }
    provider = ox.NamedNode(f"{BASE}id/provider/900101")
    assert ox.Quad(provider, ox.NamedNode(f"{SK}hasApproval"), iri, PROVIDER_GRAPH) in set(
        imported.quads(PROVIDER_GRAPH)
    )
    second, _ = add_approval(
        imported, "900101", _approval(function=None, duty_to_advise=False), authority
    )
    assert second is not None and second.value.endswith("/approval/3")


def test_an_approval_with_an_unknown_status_code_is_refused_by_the_integrity_rules(
    imported: EmbeddedStore,
) -> None:
    before = canonical_hash(imported.quads())
    iri, problems = add_approval(
        imported,
        "900101",
        _approval(status=f"{VOCAB}approval-status/maaske"),
        f"{VOCAB}supervisory-authority/oest",
    )
    assert iri is None and problems
    assert canonical_hash(imported.quads()) == before


def test_approval_form_checks(imported: EmbeddedStore) -> None:
    known = choices(imported, "da")
    assert FUNCTION in known.function_iris
    assert {s.iri.rsplit("/", 1)[-1] for s in known.statuses} >= {"godkendt", "tilbagekaldt"}
    assert check(_approval(), known, "900101") == []
    rules = {
        p.rule
        for p in check(
            _approval(
                valid_until=dt.date(2025, 1, 1),
                function=None,
                status="urn:x:unknown",
                conditions="x" * 5000,
            ),
            known,
            "900101",
        )
    }
    assert rules == {"gyldighed", "raadgivning", "status", "vilkaar"}
    assert {
        p.rule for p in check(_approval(function=f"{BASE}id/specialty-function/nope"), known, "1")
    } == {"specialfunktion"}


def test_an_approval_for_an_unknown_provider_is_refused(imported: EmbeddedStore) -> None:
    with pytest.raises(UnknownProvider):
        add_approval(imported, "123", _approval(), f"{VOCAB}supervisory-authority/oest")


# --- editors ------------------------------------------------------------------------------------


def test_editors_file_holds_hashes_only_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "editors.json"
    add_editor(path, "Lars Østergaard", "oest", "correct horse")
    add_editor(path, "sofie", "syd", "battery staple")
    add_editor(
        path, "sofie", "midt", "new password"
    )  # a known editor: authority and password reset
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "correct horse" not in path.read_text(encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["editors"][0]["password_hash"].startswith(
        "scrypt:"
    )
    editors = load_editors(path)
    assert sorted(editors) == ["Lars Østergaard", "sofie"] and editors["sofie"].authority == "midt"
    assert authenticate(path, "Lars Østergaard", "correct horse") == editors["Lars Østergaard"]
    assert authenticate(path, "Lars Østergaard", "wrong") is None
    assert authenticate(path, "nobody", "correct horse") is None
    assert authenticate(path, "sofie", "battery staple") is None
    with pytest.raises(EditorsError):
        add_editor(path, "<script>", "oest", "x")
    assert load_editors(tmp_path / "missing.json") == {}


def test_cli_editor_add_prompts_for_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "editors.json"
    monkeypatch.setenv("SPECIALEKATALOG_EDITORS_FILE", str(path))
    result = CliRunner().invoke(
        main, ["editor", "add", "lars", "--authority", "oest"], input="pw1\npw1\n"
    )
    assert result.exit_code == 0, result.output
    assert authenticate(path, "lars", "pw1") is not None
    refused = CliRunner().invoke(
        main, ["editor", "add", "lars", "--authority", "vest"], input="a\na\n"
    )
    assert refused.exit_code == 2 and "oest" in refused.output
    monkeypatch.delenv("SPECIALEKATALOG_EDITORS_FILE")
    unset = CliRunner().invoke(
        main, ["editor", "add", "lars", "--authority", "oest"], input="a\na\n"
    )
    assert unset.exit_code == 2 and "EDITORS_FILE" in unset.output
