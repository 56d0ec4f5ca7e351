"""The compliance check end to end: same results as pyshacl, RDF reports, incremental re-checks."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterator

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from click.testing import CliRunner

from catalogue import Catalogue, load_knowledge, queries
from catalogue.cli import main
from catalogue.compliance import ProviderCheck, check, oracle
from catalogue.compliance.check import WHOLE_STORE_FROM, provider_ids
from catalogue.compliance.criteria import Criteria
from catalogue.compliance.fastpath import FastPath
from catalogue.compliance.report import HISTORY
from catalogue.compliance.results import Result, same_results
from catalogue.config import knowledge_paths
from catalogue.demo import generate
from catalogue.demo.edit import serve_one_more
from catalogue.importing.writer import write_records
from catalogue.namespaces import (
    CRITERIA_SETS,
    SK,
    check_history_graph,
    provider_graph,
    report_iri,
    sk,
)
from catalogue.store import EmbeddedStore, RemoteStore, Row, Store
from tests.conftest import demo_catalogue_with

PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
SH = "http://www.w3.org/ns/shacl#"
LEVELS = {"let", "moderat", "hoej"}


def by_provider(
    store: EmbeddedStore | RemoteStore, results: list[Result]
) -> dict[str, list[Result]]:
    owner = {
        q.subject: tpid for tpid in provider_ids(store) for q in store.quads(provider_graph(tpid))
    }
    grouped: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        grouped[owner[r.focus]].append(r)
    return grouped


def test_the_demo_criteria_are_compiled_in_full() -> None:
    """No shape of the loaded knowledge is left to the reference engine (docs/ENGINE.md lists
    none): a compile-time refusal would still give right reports, only slowly, so say it here."""
    store = EmbeddedStore()
    load_knowledge(store)
    assert FastPath(Criteria.from_store(store)).plan.refused == {}


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_fast_path_equals_pyshacl_on_the_demo_catalogue(checked_catalogue: Catalogue) -> None:
    """Every demo provider: pyshacl on its record == the fast path over the whole store (which also
    holds every report graph), and == the fast path on the record alone."""
    store = checked_catalogue.store
    criteria = Criteria.from_store(store)
    fast = FastPath(criteria)
    whole = by_provider(store, fast.run(store))
    for tpid in provider_ids(store):
        record = list(store.quads(provider_graph(tpid)))
        reference = oracle.validate_record(criteria, record)
        assert same_results(reference, whole.get(tpid, [])) == ({}, {}), tpid
        assert same_results(reference, fast.run_record(record)) == ({}, {}), tpid


@pytest.fixture
def any_demo(any_store: EmbeddedStore | RemoteStore) -> EmbeddedStore | RemoteStore:
    load_knowledge(any_store)
    write_records(any_store, generate(12, 7))
    return any_store


def test_store_side_gives_the_same_results_on_every_backend(
    any_demo: EmbeddedStore | RemoteStore, demo_catalogue: Catalogue
) -> None:
    """The fast path through the Store interface (embedded, or the real Oxigraph server) gives the
    results pyshacl gives for the same records; the reports it writes read back the same."""
    criteria = Criteria.from_store(any_demo)
    results = by_provider(any_demo, FastPath(criteria).run(any_demo))
    for tpid in provider_ids(any_demo)[:4]:
        record = list(any_demo.quads(provider_graph(tpid)))
        assert same_results(oracle.validate_record(criteria, record), results.get(tpid, [])) == (
            {},
            {},
        )
    checks = check(any_demo)
    assert all(c.checked for c in checks)
    placed = {
        r["service"].value: r["level"].value
        for r in queries.run(any_demo, "compliance_placements", lang="da")
        if "level" in r
    }
    expected = {s.value: lv.value for c in checks for s, lv in c.outcome.placements.items()}  # type: ignore[union-attr]
    assert placed == expected
    assert not any(c.checked for c in check(any_demo))


# --- reports -------------------------------------------------------------------------------------


@pytest.fixture
def small() -> Iterator[Catalogue]:
    catalogue = demo_catalogue_with(8, 7)
    yield catalogue
    catalogue.close()


def _report(store: EmbeddedStore | RemoteStore, tpid: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    for q in store.quads(report_iri(tpid)):
        graph.parse(data=str(q.triple) + " .", format="nt")
    return graph


def test_each_provider_gets_a_standard_report_with_provenance(small: Catalogue) -> None:
    checks = check(small.store)
    for c in checks:
        g = _report(small.store, c.tpid)
        report = rdflib.URIRef(report_iri(c.tpid).value)
        types = set(g.objects(report, rdflib.RDF.type))
        assert {rdflib.URIRef(SH + "ValidationReport"), PROV.Entity} <= types
        assert g.value(report, rdflib.URIRef(SH + "conforms")).toPython() is c.conforms  # type: ignore[union-attr]
        assert len(list(g.objects(report, rdflib.URIRef(SH + "result")))) == len(c.results)
        assert g.value(report, PROV.wasDerivedFrom) == rdflib.URIRef(provider_graph(c.tpid).value)
        (activity,) = g.objects(report, PROV.wasGeneratedBy)
        for p in (
            PROV.startedAtTime,
            PROV.endedAtTime,
            SK.engine,
            SK.engineVersion,
            SK.dataHash,
            SK.shapesHash,
        ):
            assert g.value(activity, p) is not None, p
        for result in g.objects(report, rdflib.URIRef(SH + "result")):
            assert isinstance(result, rdflib.URIRef)
            for p in ("focusNode", "sourceShape", "sourceConstraintComponent", "resultSeverity"):
                assert g.value(result, rdflib.URIRef(SH + p)) is not None


def test_placements_and_verdicts_follow_the_results(small: Catalogue) -> None:
    for c in check(small.store):
        outcome = c.outcome
        assert outcome is not None
        by_service: dict[ox.NamedNode, dict[str, bool]] = defaultdict(dict)
        for v in outcome.verdicts:
            by_service[v.service][v.level.value.rsplit("/", 1)[-1] + v.parameter.value] = v.holds
        for service, cells in by_service.items():
            assert len(cells) == 24
            level = outcome.placements.get(service)
            if not c.conforms:
                assert level is None
                continue
            code = None if level is None else level.value.rsplit("/", 1)[-1]
            reached = [
                lv
                for lv in ("let", "moderat", "hoej")
                if all(h for k, h in cells.items() if k.startswith(lv))
            ]
            expected: str | None = None  # below let: not placed, never almenområdet
            for lv in ("let", "moderat", "hoej"):
                if lv not in reached:
                    break
                expected = lv
            assert code == expected


@pytest.mark.slow  # one pyshacl run per qualification (about a minute of CPU)
def test_qualifications_agree_with_pyshacl_on_each_function_shape(small: Catalogue) -> None:
    criteria = Criteria.from_store(small.store)
    for c in check(small.store):
        assert c.outcome is not None
        record = _record_with_reference(small, c.tpid, criteria)
        for q in c.outcome.qualifications:
            shape = criteria.knowledge.value(rdflib.URIRef(q.function.value), SK.criteriaShape)
            focus = rdflib.URIRef(q.service.value)
            conforms_to_shape, _, _ = pyshacl.validate(
                record, shacl_graph=_focused(criteria.shapes, shape, focus)
            )
            assert q.meets == (c.conforms and conforms_to_shape), q


def _record_with_reference(catalogue: Catalogue, tpid: str, criteria: Criteria) -> rdflib.Graph:
    data = rdflib.Graph()
    data += criteria.knowledge
    for q in catalogue.store.quads(provider_graph(tpid)):
        data.parse(data=str(q.triple) + " .", format="nt")
    return data


def _focused(shapes: rdflib.Graph, shape: rdflib.term.Node, focus: rdflib.URIRef) -> rdflib.Graph:
    """The shapes with every target removed and the one criteria shape targeting the service,
    so the specialfunktion's criteria shape is checked as SHACL defines it."""
    g = rdflib.Graph()
    targets = {rdflib.SH.targetClass, rdflib.SH.targetNode}
    g += ((s, p, o) for s, p, o in shapes if p not in targets)
    g.add((shape, rdflib.SH.targetNode, focus))
    return g


def test_re_check_validates_only_what_changed(small: Catalogue) -> None:
    store = small.store
    first = check(store)
    assert all(c.checked for c in first)
    assert not any(c.checked for c in check(store))
    tpid = first[0].tpid
    before = _report(store, tpid)
    serve_one_more(store, tpid)
    again = check(store)
    assert [c.tpid for c in again if c.checked] == [tpid]
    after = _report(store, tpid)
    report = rdflib.URIRef(report_iri(tpid).value)
    assert len(list(after.objects(report, PROV.wasGeneratedBy))) == 1  # the latest check
    assert len(_history(store, tpid)) == 2
    assert after.value(report, SK.dataHash) != before.value(report, SK.dataHash)
    assert all(c.checked for c in check(store, force=True))


def test_a_criteria_change_re_validates_everyone(small: Catalogue) -> None:
    store = small.store
    check(store)
    graph = ox.NamedNode("https://specialekatalog.example/graph/shapes/levels")
    triples = [q.triple for q in store.quads(graph)]
    changed = [
        ox.Triple(t.subject, t.predicate, ox.Literal("changed"))
        if t.predicate.value == str(SK.contentHash)
        else t
        for t in triples
    ]
    store.replace_graphs({graph: changed})
    assert all(c.checked for c in check(store))


def _history(store: Store, tpid: str) -> list[Row]:
    return queries.run(
        store, "compliance_history", provider=f"https://specialekatalog.example/id/provider/{tpid}"
    )


def test_history_keeps_the_latest_checks_in_two_graphs_that_take_turns(small: Catalogue) -> None:
    store = small.store
    tpid = provider_ids(store)[0]
    kept = []
    for _ in range(3 * HISTORY + 2):
        check(store, [tpid], force=True)
        rows = _history(store, tpid)
        kept.append(len(rows))
        ended = [r["ended"].value for r in rows]
        assert ended == sorted(ended, reverse=True)
        (latest,) = _report(store, tpid).objects(
            rdflib.URIRef(report_iri(tpid).value), PROV.wasGeneratedBy
        )
        assert str(latest) == rows[0]["activity"].value  # the report's own check comes first
    # the latest HISTORY to 2 x HISTORY checks: after a turn ends, the older turn is replaced
    assert kept[: 2 * HISTORY] == list(range(1, 2 * HISTORY + 1))
    assert kept[2 * HISTORY :] == [HISTORY + 1 + i for i in range(HISTORY)] + [
        HISTORY + 1,
        HISTORY + 2,
    ]
    graphs = {g.value for g in store.graph_names() if "/check-history/" in g.value}
    assert graphs == {check_history_graph(tpid, t).value for t in (0, 1)}


def _turns(tpid: str) -> list[ox.NamedNode]:
    return [check_history_graph(tpid, turn) for turn in (0, 1)]


def test_history_written_inside_the_report_is_carried_over(small: Catalogue) -> None:
    """A report written before the check history had graphs of its own (its earlier checks in
    the report graph, no sk:checkNumber) keeps them: the next check carries them over."""
    store = small.store
    tpid = provider_ids(store)[0]
    check(store, [tpid], force=True)
    check(store, [tpid], force=True)
    report = report_iri(tpid)
    old = [q.triple for q in store.quads(report) if q.predicate != sk("checkNumber")]
    activities = [q.triple for g in _turns(tpid) for q in store.quads(g)]
    store.replace_graphs({report: list(dict.fromkeys(old + activities))})
    store.drop_graphs(_turns(tpid))
    assert len(_history(store, tpid)) == 2
    check(store, [tpid], force=True)
    rows = _history(store, tpid)
    assert len(rows) == 3
    assert [q for q in store.quads(report) if q.predicate == sk("checkNumber")]


def test_reports_of_removed_providers_are_dropped(small: Catalogue) -> None:
    store = small.store
    check(store)
    gone = provider_ids(store)[0]
    store.drop_graphs([provider_graph(gone)])
    check(store)
    assert report_iri(gone) not in store.graph_names()


@pytest.mark.slow
def test_pyshacl_engine_writes_the_same_report(small: Catalogue) -> None:
    fast = {c.tpid: c for c in check(small.store)}
    tpids = provider_ids(small.store)[:2]
    reference: list[ProviderCheck] = check(small.store, tpids, force=True, engine="pyshacl")
    for c in reference:
        assert same_results(c.results, fast[c.tpid].results) == ({}, {})
        assert c.outcome.placements == fast[c.tpid].outcome.placements  # type: ignore[union-attr]
    (activity,) = queries.run(
        small.store,
        "compliance_history",
        provider=f"https://specialekatalog.example/id/provider/{tpids[0]}",
    )[:1]
    assert activity["engine"].value == "pyshacl"


def test_re_checking_one_provider_uses_its_record_only(small: Catalogue) -> None:
    store = small.store
    check(store)
    tpid = provider_ids(store)[1]
    serve_one_more(store, tpid)
    (one,) = check(store, [tpid])
    assert one.checked
    record = {q.subject for q in store.quads(provider_graph(tpid))}
    assert one.results and {r.focus for r in one.results} <= record


@pytest.mark.parametrize("providers", [8, WHOLE_STORE_FROM + 5])
def test_progress_moves_during_the_check_and_adds_up_to_one(providers: int) -> None:
    catalogue = demo_catalogue_with(providers, 7)
    try:
        for force in (True, False):  # validated and written; then unchanged
            shares: list[float] = []
            check(catalogue.store, force=force, progress=shares.append)
            assert sum(shares) == pytest.approx(1.0)
            assert all(share > 0 for share in shares)
            if force:  # reading, per record or per query batch, per written chunk
                assert len(shares) >= 4
    finally:
        catalogue.close()


# --- command line --------------------------------------------------------------------------------


@pytest.fixture
def cli_store(tmp_path, monkeypatch) -> Iterator[CliRunner]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    assert runner.invoke(main, ["demo", "--load", "--providers", "6", "--seed", "7"]).exit_code == 0
    yield runner


def test_cli_check(cli_store: CliRunner) -> None:
    runner = cli_store
    result = runner.invoke(main, ["check", "--all", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.output)
    assert result.exit_code == (0 if data["conforms"] else 1)
    assert len(data["providers"]) == 6 and all(p["checked"] for p in data["providers"])
    good = [p["tpid"] for p in data["providers"] if p["conforms"]]
    one = runner.invoke(main, ["check", "--provider", good[0]])
    assert one.exit_code == 0 and "unchanged" in one.output
    ttl = runner.invoke(main, ["check", "--provider", good[0], "--format", "ttl", "--force"])
    assert ttl.exit_code == 0
    graph = rdflib.Graph().parse(data=ttl.output, format="turtle")
    assert (
        rdflib.URIRef(report_iri(good[0]).value),
        rdflib.RDF.type,
        rdflib.URIRef(SH + "ValidationReport"),
    ) in graph
    used = set(graph.objects(None, rdflib.PROV.used))  # the provider graph and the criteria set
    (versions,) = {u for u in used if str(u).startswith(CRITERIA_SETS)}
    assert set(graph.objects(versions, rdflib.PROV.hadMember))  # the download says which ones
    text = runner.invoke(main, ["check", "--all", "--lang", "en"])
    assert "6 provider(s): 0 validated, 6 unchanged" in text.output


@pytest.mark.parametrize(
    "args", [["check"], ["check", "--all", "--provider", "1"], ["check", "--provider", "999999999"]]
)
def test_cli_check_errors_exit_2(cli_store: CliRunner, args: list[str]) -> None:
    result = cli_store.invoke(main, args)
    assert result.exit_code == 2


def test_cli_check_one_service(cli_store: CliRunner) -> None:
    everything = json.loads(cli_store.invoke(main, ["check", "--all", "--format", "json"]).output)
    provider = next(p for p in everything["providers"] if p["services"])
    service = provider["services"][-1]["service"]
    result = cli_store.invoke(main, ["check", "--service", service, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    (only,) = json.loads(result.output)["providers"]
    assert only["tpid"] == provider["tpid"] and not only["checked"]
    assert [s["service"] for s in only["services"]] == [service]
    text = cli_store.invoke(main, ["check", "--service", service, "--force"])
    assert f"{provider['tpid']} " in text.output and "1 provider(s): 1 validated" in text.output


def _function_target_groups() -> dict[str, str]:
    plan = rdflib.Graph().parse(knowledge_paths()["ontology"] / "specialty-plan.ttl")
    kind = rdflib.URIRef(str(SK.SpecialtyFunction))
    return {
        str(f): str(plan.value(f, rdflib.URIRef(str(SK.targetGroup))))
        for f in plan.subjects(rdflib.RDF.type, kind)
    }


def test_cli_check_one_specialty_function(cli_store: CliRunner) -> None:
    everything = json.loads(cli_store.invoke(main, ["check", "--all", "--format", "json"]).output)
    groups = {s["targetGroup"] for p in everything["providers"] for s in p["services"]}
    function, group = next(
        (f, g) for f, g in sorted(_function_target_groups().items()) if g in groups
    )
    expected = {
        p["tpid"]: {s["service"] for s in p["services"] if s["targetGroup"] == group}
        for p in everything["providers"]
    }
    expected = {tpid: services for tpid, services in expected.items() if services}
    code = function.rsplit("/", 1)[-1]
    for name in (code, function):
        result = cli_store.invoke(main, ["check", "--specialty-function", name, "--format", "json"])
        assert result.exit_code in (0, 1), result.output
        providers = json.loads(result.output)["providers"]
        assert {p["tpid"]: {s["service"] for s in p["services"]} for p in providers} == expected
        for p in providers:
            meets = [s["meetsSpecialtyFunction"] for s in p["services"]]
            assert all(isinstance(m, bool) for m in meets)
            assert p["conforms"] or not any(meets)  # only a conforming provider qualifies
    text = cli_store.invoke(main, ["check", "--specialty-function", code])
    assert "specialfunktion: " in text.output and "service(s) meet it" in text.output


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--service", "https://specialekatalog.example/id/provider/0/target-group/x"],
        ["check", "--specialty-function", "no-such-function"],
        ["check", "--all", "--specialty-function", "x"],
        ["check", "--provider", "1", "--service", "https://specialekatalog.example/x"],
    ],
)
def test_cli_check_scope_errors_exit_2(cli_store: CliRunner, args: list[str]) -> None:
    assert cli_store.invoke(main, args).exit_code == 2


def test_cli_check_without_shapes_is_an_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "empty"))
    result = CliRunner().invoke(main, ["check", "--all"])
    assert result.exit_code == 2 and "load" in result.output


# --- named queries for the pages -------------------------------------------------------------


def _services(store: EmbeddedStore | RemoteStore) -> list[dict]:
    return [r for r in queries.run(store, "compliance_placements", lang="da") if "level" in r]


def test_the_demo_places_pilot_services_on_every_level(checked_catalogue: Catalogue) -> None:
    levels = {r["level"].value.rsplit("/", 1)[-1] for r in _services(checked_catalogue.store)}
    assert LEVELS <= levels


def test_verdict_matrix_is_eight_by_three(checked_catalogue: Catalogue) -> None:
    service = _services(checked_catalogue.store)[0]["service"]
    rows = queries.run(checked_catalogue.store, "compliance_verdicts", service=service, lang="en")
    assert len(rows) == 24
    assert {r["notation"].value for r in rows} == {str(n) for n in range(1, 9)}


def test_gaps_name_the_next_level_with_figures(checked_catalogue: Catalogue) -> None:
    store = checked_catalogue.store
    below = [r for r in _services(store) if r["level"].value.rsplit("/", 1)[-1] != "hoej"]
    assert below
    for placed in below[:5]:
        rows = queries.run(store, "compliance_gaps", service=placed["service"], lang="da")
        assert rows, placed["service"]
        assert {int(r["level"].value != placed["level"].value) for r in rows} == {1}
        for r in rows:
            assert r["message"].value and "{" not in r["message"].value
            assert "result" in r and "shape" in r and "parameter" in r
        share = [r for r in rows if "minimumShare" in r]
        for r in share:
            assert int(r["found"].value) < int(r["needed"].value) or int(r["total"].value) == 0


def test_near_misses_lack_one_or_two_criteria(checked_catalogue: Catalogue) -> None:
    store = checked_catalogue.store
    functions = [
        r["function"] for r in queries.run(store, "specialty_plan", lang="da") if "function" in r
    ]
    near = [
        r
        for f in functions
        for r in queries.run(store, "compliance_near_misses", function=f, lang="da")
    ]
    assert near
    assert all(1 <= int(r["missing"].value) <= 2 and r["lacking"].value for r in near)
    for f in functions:
        for r in queries.run(store, "compliance_qualified", function=f, lang="en"):
            assert r["provider"] and r["name"].value


def test_criteria_queries_show_thresholds(checked_catalogue: Catalogue) -> None:
    store = checked_catalogue.store
    autism = (
        "https://specialekatalog.example/vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95"
    )
    guide = queries.run(store, "criteria_guide", targetGroup=autism, lang="da")
    assert len({r["shape"].value for r in guide}) >= 24
    assert all(r["illustrative"].value == "true" for r in guide)
    assert any("minimum" in r or "minimumShare" in r for r in guide)
    function = (
        "https://specialekatalog.example/id/specialty-function/autisme-udviklingshaemning-voksne"
    )
    criteria = queries.run(store, "criteria_function", function=function, lang="en")
    assert {r["levelLabel"].value for r in criteria if "levelLabel" in r} >= {"Highly specialised"}
    assert len(queries.run(store, "criteria_levels", lang="da")) == 24


REGIONS = """PREFIX sk: <https://specialekatalog.example/ontology#>
SELECT ?region WHERE { ?region a sk:Region }"""


def test_counts_per_region_and_level_add_up(checked_catalogue: Catalogue) -> None:
    store = checked_catalogue.store
    regions = [r["region"] for r in store.select(REGIONS)]
    counted = sum(
        int(r["services"].value)
        for region in regions
        for r in queries.run(store, "compliance_level_counts", region=region.value, lang="da")
    )
    assert counted == len(_services(store))


def test_results_query_reads_the_report(checked_catalogue: Catalogue) -> None:
    store = checked_catalogue.store
    provider = _services(store)[0]["provider"]
    rows = queries.run(store, "compliance_results", provider=provider, lang="en")
    assert rows and all(r["severity"].value.startswith(SH) for r in rows)
    history = queries.run(store, "compliance_history", provider=provider)
    assert len(history) == 1 and history[0]["shapesHash"].value


def test_qualifications_count_the_function_criteria_the_service_misses(
    checked_catalogue: Catalogue,
) -> None:
    """sk:missingCriteria is the number of the function's criteria with a result on the service;
    near misses are found by it (one or two)."""
    store = checked_catalogue.store
    rows = store.select(
        """PREFIX sk: <https://specialekatalog.example/ontology#>
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?q ?meets ?missing ?conforms (COUNT(DISTINCT ?criterion) AS ?found) WHERE {
          GRAPH ?report {
            ?q sk:service ?service ; sk:specialtyFunction ?function ; sk:meets ?meets ;
               sk:missingCriteria ?missing .
            ?report sh:conforms ?conforms .
          }
          OPTIONAL {
            ?function sk:criteriaShape/sh:node+ ?criterion .
            GRAPH ?report { ?result sh:focusNode ?service ; sh:sourceShape ?criterion }
          }
        } GROUP BY ?q ?meets ?missing ?conforms"""
    )
    assert rows
    for row in rows:
        assert row["missing"].value == row["found"].value, row["q"]
        if row["conforms"].value == "true":
            assert (row["meets"].value == "true") == (row["missing"].value == "0")
    assert {int(r["missing"].value) for r in rows} & {1, 2}  # near misses exist in the demo


def test_one_check_writes_reports_at_a_time(
    small: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two checks of one provider would each write their difference from the same report; a
    check waits for another one writing, and gives up after CHECK_WAIT_S with a CheckError."""
    from catalogue.compliance import CheckError

    checking = sys.modules["catalogue.compliance.check"]  # the module (the package exports check)
    monkeypatch.setattr(checking, "CHECK_WAIT_S", 0.05)
    store = small.store
    tpid = provider_ids(store)[0]
    with store.exclusive("compliance-check", 1.0), pytest.raises(CheckError, match="another check"):
        check(store, [tpid], force=True)
    assert check(store, [tpid], force=True)[0].checked  # the turn is free again
