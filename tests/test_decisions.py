"""Placement decisions: recorded by the provider's authority beside the computed placement, kept in
their own graph (surviving re-imports), replaced and withdrawn with their history, audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue import Catalogue, decisions, queries
from catalogue.audit import AUDIT_GRAPH
from catalogue.browse import decisions as decided
from catalogue.cli import main
from catalogue.compliance import check
from catalogue.editors import Editor
from catalogue.export import export
from catalogue.importing.problems import Problem
from catalogue.importing.writer import write_records
from catalogue.namespaces import BASE, PROV, VOCAB
from catalogue.store import Store
from tests.conftest import demo_catalogue_with

TODAY = dt.date(2026, 3, 1)
LEVEL = f"{VOCAB}level/"


@pytest.fixture(scope="module")
def checked() -> Iterator[Catalogue]:
    catalogue = demo_catalogue_with(12, 7)
    check(catalogue.store)
    yield catalogue
    catalogue.close()


def _placed(store: Store, level: str) -> decisions.Basis:
    """A service of a conforming provider computed at ``level`` (let, moderat, hoej)."""
    for row in queries.run(store, "compliance_placements", lang="da"):
        if "level" in row and row["level"].value == LEVEL + level:
            found = decisions.basis(store, row["service"].value, "da")
            assert found is not None
            return found
    raise AssertionError(f"no service placed at {level} in the fixture")


def _editor(found: decisions.Basis) -> Editor:
    assert found.authority is not None
    return Editor("lars", found.authority.iri.rsplit("/", 1)[-1], "unused")


def _new(found: decisions.Basis, level: str | None, **given: object) -> decisions.NewDecision:
    assert found.authority is not None
    values: dict[str, object] = {
        "service": found.service,
        "level": None if level is None else LEVEL + level,
        "by": found.authority.iri,
        "on": TODAY,
        "reason": "Samlet vurdering efter tilsynsbesøg",
        "guide_version": "1.0",
    }
    return decisions.NewDecision(**(values | given))  # type: ignore[arg-type]


def _rules(problems: list[Problem]) -> set[str]:
    return {p.rule for p in problems}


def test_a_computed_placement_is_never_almenomraadet(checked: Catalogue) -> None:
    rows = queries.run(checked.store, "compliance_placements", lang="da")
    levels = {row["level"].value for row in rows if "level" in row}
    assert levels and f"{LEVEL}almen" not in levels
    below_let = [
        row["service"].value
        for row in rows
        if "service" in row and "level" not in row and row["conforms"].value == "true"
    ]
    assert below_let  # services that meet no level are there, not placed


def test_the_rules_refuse_a_wrong_authority_level_date_and_missing_reasons(
    checked: Catalogue,
) -> None:
    found = _placed(checked.store, "let")
    known = decisions.specialised_levels(checked.store, "da")
    assert [lv.iri.rsplit("/", 1)[-1] for lv in known] == ["let", "moderat", "hoej"]
    other = f"{VOCAB}supervisory-authority/" + (
        "nord" if found.authority and not found.authority.iri.endswith("nord") else "syd"
    )
    assert _rules(decisions.check(_new(found, "let", by=other), found, known, TODAY)) == {
        "myndighed"
    }
    assert _rules(decisions.check(_new(found, "almen"), found, known, TODAY)) == {"niveau"}
    tomorrow = TODAY + dt.timedelta(days=1)
    assert _rules(decisions.check(_new(found, "let", on=tomorrow), found, known, TODAY)) == {"dato"}
    assert _rules(decisions.check(_new(found, "let", reason=" "), found, known, TODAY)) == {
        "begrundelse"
    }
    assert _rules(decisions.check(_new(found, "let"), found, known, TODAY)) == set()
    # above the calculation: every parameter failing on the way up needs a reason
    failing = found.failing(1, 3)
    assert failing
    problems = decisions.check(_new(found, "hoej"), found, known, TODAY)
    assert _rules(problems) == {"afvigelse"}
    assert all(p.label in problems[0].message_da for p in failing)
    reasons = tuple(decisions.Departure(p.iri, f"Vurderet på stedet: {p.label}") for p in failing)
    assert decisions.check(_new(found, "hoej", departures=reasons), found, known, TODAY) == []
    # below the calculation: at least one parameter's reason
    assert _rules(decisions.check(_new(found, None), found, known, TODAY)) == {"afvigelse"}
    with pytest.raises(ValueError, match="let, moderat, hoej, none"):
        decisions.level_iri(checked.store, "almen")


def test_record_replace_and_withdraw_keep_the_history_and_audit_each_change(
    checked: Catalogue,
) -> None:
    store = checked.store
    found = _placed(store, "moderat")
    known = decisions.specialised_levels(store, "da")
    failing = found.failing(2, 3)
    reasons = tuple(decisions.Departure(p.iri, "Erfaringen er dokumenteret") for p in failing)
    new = _new(found, "hoej", departures=reasons)
    assert decisions.check(new, found, known, TODAY) == []
    first = decisions.record(store, new, found, _editor(found))
    assert first.value == found.service + "/decision/1"
    graph = decisions.decisions_graph(found.tpid)
    # described in the provider's decisions graph; the audit trail says which activity made it
    assert {q.graph_name for q in store.quads() if q.subject == first} == {graph, AUDIT_GRAPH}

    (shown,) = decided.decisions(store, "da", service=found.service)
    assert shown.iri == first.value and shown.current and shown.differs
    assert shown.level is not None and shown.level.iri == LEVEL + "hoej"
    assert shown.advised is not None and shown.advised.iri == LEVEL + "moderat"
    assert shown.by == found.authority and shown.on == "2026-03-01"
    assert shown.guide_version == "1.0"
    assert {p.iri for p, _ in shown.departures} == {p.iri for p in failing}
    differs = queries.run(store, "decision_differs", provider=found.provider, lang="da")
    assert [r["service"].value for r in differs] == [found.service]
    missing = queries.run(store, "decision_missing", provider=found.provider, lang="da")
    assert found.service not in {r["service"].value for r in missing}

    # replaced: the new one revises the first, which is invalidated and kept
    second = decisions.record(store, _new(found, "moderat"), found, _editor(found))
    history = decided.decisions(store, "da", service=found.service, history=True)
    assert [d.iri for d in history if d.current] == [second.value]
    old = next(d for d in history if d.iri == first.value)
    assert old.invalidated and not old.current
    assert next(d for d in history if d.iri == second.value).revision_of == first.value
    assert not queries.run(store, "decision_differs", provider=found.provider, lang="da")

    # withdrawn: nothing in force ("ikke afgjort"), all kept
    assert found.authority is not None
    authority = found.authority.iri
    withdrawn, problems = decisions.withdraw(
        store, found, authority, "Fejl i grundlaget", _editor(found)
    )
    assert problems == [] and withdrawn == second
    assert decided.decisions(store, "da", service=found.service) == []
    assert len(decided.decisions(store, "da", service=found.service, history=True)) == 2
    missing = queries.run(store, "decision_missing", provider=found.provider, lang="da")
    assert found.service in {r["service"].value for r in missing}
    with pytest.raises(decisions.NothingToWithdraw):
        decisions.withdraw(store, found, authority, "igen", _editor(found))

    # three audited activities, each generating or invalidating in the decisions graph
    audit = [q.triple for q in store.quads(AUDIT_GRAPH)]
    generated = {t.subject for t in audit if t.predicate == ox.NamedNode(f"{PROV}wasGeneratedBy")}
    assert {first, second} <= generated
    revisions = [
        t
        for t in audit
        if t.predicate == ox.NamedNode(f"{PROV}specializationOf") and t.object == graph
    ]
    assert len(revisions) == 6  # before and after, three times


def test_a_decision_survives_a_re_import_of_the_provider(tmp_path: Path) -> None:
    from catalogue.demo import generate

    catalogue = demo_catalogue_with(12, 7)
    check(catalogue.store)
    found = _placed(catalogue.store, "let")
    decisions.record(catalogue.store, _new(found, "let"), found, _editor(found))
    (record,) = [r for r in generate(12, 7) if r.tpid == found.tpid]
    capacity = ox.NamedNode(f"{BASE}ontology#capacity")
    record.triples = [  # the provider uploads changed data: one more place
        ox.Triple(
            t.subject,
            t.predicate,
            ox.Literal(str(int(t.object.value) + 1), datatype=t.object.datatype),
        )
        if t.predicate == capacity and isinstance(t.object, ox.Literal)
        else t
        for t in record.triples
    ]
    assert write_records(catalogue.store, [record]) == 1  # the provider's graph replaced
    check(catalogue.store, [found.tpid], force=True)
    (kept,) = decided.decisions(catalogue.store, "da", service=found.service)
    assert kept.level is not None and kept.level.iri == LEVEL + "let"
    # published: the public dump holds the decision in its own graph, the editor is not in it
    dump = io.BytesIO()
    export(catalogue.store, dump, "nq", "public")
    text = dump.getvalue().decode()
    graph = decisions.decisions_graph(found.tpid).value
    assert f"<{kept.iri}> <{PROV}generatedAtTime>" in text and f"<{graph}> ." in text
    assert "/id/editor/" not in text
    catalogue.close()


def test_cli_decide_shows_in_check_json_and_withdraw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    demo = ["demo", "--providers", "12", "--seed", "7", "--load"]
    assert runner.invoke(main, demo).exit_code == 0
    assert runner.invoke(main, ["check", "--all"]).exit_code in (0, 1)
    catalogue = Catalogue.open()
    found = _placed(catalogue.store, "let")
    catalogue.close()
    assert found.authority is not None
    authority = found.authority.iri.rsplit("/", 1)[-1]
    args = ["placement", "decide", found.service]
    common = ["--by", authority, "--on", "2026-03-01", "--guide-version", "1.0"]
    wrong = runner.invoke(main, [*args, "almen", *common, "--reason", "x"])
    assert wrong.exit_code == 2 and "let, moderat, hoej, none" in wrong.output
    refused = runner.invoke(main, [*args, "none", *common, "--reason", "Ikke specialiseret"])
    assert refused.exit_code == 1 and "[afvigelse]" in refused.output
    done = runner.invoke(
        main,
        [*args, "none", *common, "--reason", "Ikke specialiseret", "--departure", "1=For få"],
    )
    assert done.exit_code == 0, done.output
    assert f"{found.service}/decision/1" in done.output

    shown = runner.invoke(main, ["check", "--service", found.service, "--format", "json"])
    (service,) = json.loads(shown.output)["providers"][0]["services"]
    assert service["level"] == LEVEL + "let"
    assert service["decidedLevel"] is None
    decision = service["decision"]
    assert decision["level"] is None and decision["by"] == found.authority.iri
    assert decision["on"] == "2026-03-01" and decision["guideVersion"] == "1.0"

    gone = runner.invoke(
        main, ["placement", "withdraw", found.service, "--by", authority, "--reason", "Fejl"]
    )
    assert gone.exit_code == 0, gone.output
    shown = runner.invoke(main, ["check", "--service", found.service, "--format", "json"])
    (service,) = json.loads(shown.output)["providers"][0]["services"]
    assert service["decision"] is None


def test_the_decision_terms_are_loaded_as_a_knowledge_graph(knowledge_catalogue: Catalogue) -> None:
    assert (
        ox.NamedNode(f"{BASE}graph/ontology/decisions") in knowledge_catalogue.store.graph_names()
    )
    assert queries.run(knowledge_catalogue.store, "decisions", lang="da") == []
