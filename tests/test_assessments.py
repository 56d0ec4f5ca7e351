"""Competence assessments: the rules, recording and replacing with history and audit, CSV and RDF
import, and the command line; on a fixture provider checked by the real engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from catalogue import Catalogue, assessments, decisions, planning
from catalogue.cli import main
from catalogue.compliance import check
from catalogue.editors import Editor
from catalogue.namespaces import BASE, GRAPH, PROV, SK
from tests.conftest import memory_catalogue
from tests.test_editing import SECRET, editors_file, make_app, signed_in, token
from tests.test_planning import FUNCTION, PROFILE, TARGET_GROUP, provider, service_of

STEP = BASE + "vocab/assessment-rating/"
OEST = BASE + "vocab/supervisory-authority/oest"
TODAY = dt.date(2026, 12, 7)
__all__ = ["editors_file"]  # the editing tests' fixture, used here too


@pytest.fixture
def checked() -> Iterator[Catalogue]:
    catalogue = memory_catalogue()
    catalogue.store.oxigraph.extend(provider("960001"))
    list(check(catalogue.store))
    yield catalogue
    catalogue.close()


def _new(**changes: object) -> assessments.NewAssessment:
    ratings = tuple(
        assessments.Rating(PROFILE + name, STEP + "til-stede", f"Interview om {name}")
        for name in (
            "FurtherEducation",
            "CoreCompetences",
            "AidsSpecialists",
            "Management",
            "ExternalExpertise",
        )
    )
    values: dict[str, object] = {
        "service": service_of("960001"),
        "function": FUNCTION.iri,
        "by": OEST,
        "on": dt.date(2026, 3, 1),
        "conclusion": "Kompetencerne er til stede.",
        "follow_up": dt.date(2027, 3, 1),
        "ratings": ratings,
    }
    return assessments.NewAssessment(**{**values, **changes})  # type: ignore[arg-type]


def _problems(store: object, new: assessments.NewAssessment) -> set[str]:
    found = decisions.basis(store, new.service, "da")  # type: ignore[arg-type]
    assert found is not None
    profile = planning.profile(store, FUNCTION, "da")  # type: ignore[arg-type]
    steps = {s.iri for s in assessments.steps(store, "da")}  # type: ignore[arg-type]
    return {p.rule for p in assessments.check(new, found, profile, steps, TODAY)}


def test_the_rules_refuse_authority_dates_missing_ratings_and_unknown_steps(
    checked: Catalogue,
) -> None:
    store = checked.store
    assert _problems(store, _new()) == set()
    assert _problems(store, _new(by=BASE + "vocab/supervisory-authority/nord")) == {"myndighed"}
    assert _problems(store, _new(on=dt.date(2027, 1, 1), follow_up=None)) == {"dato"}
    assert _problems(store, _new(follow_up=dt.date(2026, 2, 1))) == {"opfoelgning"}
    assert _problems(store, _new(conclusion=" ")) == {"konklusion"}
    assert _problems(store, _new(ratings=_new().ratings[1:])) == {"krav"}
    odd = (assessments.Rating(PROFILE + "FurtherEducation", STEP + "fremragende"),)
    assert _problems(store, _new(ratings=odd + _new().ratings[1:])) == {"skala"}


def test_recording_replaces_the_current_assessment_keeps_history_and_audits(
    checked: Catalogue,
) -> None:
    store = checked.store
    found = decisions.basis(store, service_of("960001"), "da")
    assert found is not None
    editor = Editor("lars", "oest", "unused")
    first = assessments.record(store, _new(), found, editor)
    partly = tuple(
        assessments.Rating(r.requirement, STEP + "delvist-til-stede", "Få medarbejdere")
        if r.requirement.endswith("#AidsSpecialists")
        else r
        for r in _new().ratings
    )
    second = assessments.record(store, _new(ratings=partly, conclusion="Delvist."), found, editor)
    assert first != second
    shown = assessments.latest(store, service_of("960001"), FUNCTION.iri, "da")
    assert shown is not None and shown.iri == second.value and shown.conclusion == "Delvist."
    assert shown.by.iri == OEST and shown.on == "2026-03-01" and shown.follow_up == "2027-03-01"
    ratings = {r.requirement.iri.rsplit("#", 1)[-1]: r for r in shown.ratings}
    assert len(ratings) == 5
    assert ratings["AidsSpecialists"].value.iri == STEP + "delvist-til-stede"
    assert ratings["AidsSpecialists"].rank == 1 and ratings["Management"].rank == 2
    graph = decisions.decisions_graph("960001")
    invalidated = list(
        store.oxigraph.quads_for_pattern(
            first, ox.NamedNode(f"{PROV}wasInvalidatedBy"), None, graph
        )
    )
    assert len(invalidated) == 1
    revision = ox.Quad(second, ox.NamedNode(f"{PROV}wasRevisionOf"), first, graph)
    assert revision in store.oxigraph
    audit = ox.NamedNode(f"{GRAPH}audit")
    for made in (first, second):
        generated = list(
            store.oxigraph.quads_for_pattern(
                made, ox.NamedNode(f"{PROV}wasGeneratedBy"), None, audit
            )
        )
        assert len(generated) == 1
    assert invalidated[0].object == generated[0].object  # the second activity replaced the first


def test_csv_and_rdf_import_read_the_same_assessment(checked: Catalogue) -> None:
    store = checked.store
    profile = planning.profile(store, FUNCTION, "da")
    lines = ["service,function,by,on,conclusion,follow_up,requirement,rating,evidence"]
    for r in _new().ratings:
        name = r.requirement.rsplit("#", 1)[-1]
        lines.append(
            f"{service_of('960001')},{FUNCTION.code},"
            f"oest,2026-03-01,Kompetencerne er til stede.,2027-03-01,{name},til-stede,"
            f"Interview om {name}"
        )
    (from_csv,) = assessments.read_csv("\n".join(lines), {FUNCTION.iri: profile}, {"oest": OEST})
    assert from_csv == _new()
    iri = ox.NamedNode(service_of("960001") + "/assessment/x")
    triples = assessments.assessment_triples(iri, _new())
    text = "\n".join(f"{t} ." for t in triples).encode()
    (from_rdf,) = assessments.read_rdf(text, ox.RdfFormat.N_TRIPLES)
    assert from_rdf.ratings and set(from_rdf.ratings) == set(_new().ratings)  # a set in RDF
    assert replace(from_rdf, ratings=()) == replace(_new(), ratings=())
    with pytest.raises(ValueError, match="line 2"):
        assessments.read_csv(
            lines[0] + "\n" + lines[1].replace("2026-03-01", "1. marts"),
            {FUNCTION.iri: profile},
            {},
        )


def test_cli_assess_records_and_refuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECIALEKATALOG_STORE", str(tmp_path / "store"))
    runner = CliRunner()
    assert runner.invoke(main, ["load"]).exit_code == 0
    catalogue = Catalogue.open()
    catalogue.store.oxigraph.extend(provider("960002"))
    catalogue.close()
    assert runner.invoke(main, ["check", "--all"]).exit_code in (0, 1)
    args = ["competence", "assess", service_of("960002"), FUNCTION.code]
    common = ["--on", "2026-03-01", "--conclusion", "Til stede", "--follow-up", "2027-03-01"]
    ratings: list[str] = []
    for name in ("FurtherEducation", "CoreCompetences", "AidsSpecialists", "Management"):
        ratings += ["--rating", f"{name}=til-stede:Dokumentation"]
    refused = runner.invoke(main, [*args, "--by", "oest", *common, *ratings])
    assert refused.exit_code == 1 and "[krav]" in refused.output
    ratings += ["--rating", "ExternalExpertise=delvist-til-stede"]
    wrong = runner.invoke(main, [*args, "--by", "nord", *common, *ratings])
    assert wrong.exit_code == 1 and "[myndighed]" in wrong.output
    done = runner.invoke(main, [*args, "--by", "oest", *common, *ratings])
    assert done.exit_code == 0, done.output
    assert f"{service_of('960002')}/assessment/" in done.output
    catalogue = Catalogue.open()
    shown = assessments.latest(catalogue.store, service_of("960002"), FUNCTION.iri, "en")
    catalogue.close()
    assert shown is not None and {r.value.label for r in shown.ratings} == {
        "Present",
        "Partly present",
    }
    rows = ["service,function,by,on,conclusion,follow_up,requirement,rating,evidence"]
    for name in ("FurtherEducation", "CoreCompetences", "AidsSpecialists", "Management"):
        rows.append(
            f"{service_of('960002')},{FUNCTION.code},oest,2026-04-01,Importeret,,{name},"
            "ikke-til-stede,Tilsynsrapport"
        )
    file = tmp_path / "vurderinger.csv"
    file.write_text("\n".join(rows), encoding="utf-8")
    incomplete = runner.invoke(main, ["competence", "import", str(file)])
    assert incomplete.exit_code == 1 and "[krav]" in incomplete.output
    rows.append(rows[-1].replace("Management", "ExternalExpertise"))
    file.write_text("\n".join(rows), encoding="utf-8")
    imported = runner.invoke(main, ["competence", "import", str(file)])
    assert imported.exit_code == 0, imported.output
    catalogue = Catalogue.open()
    shown = assessments.latest(catalogue.store, service_of("960002"), FUNCTION.iri, "da")
    catalogue.close()
    assert shown is not None and shown.conclusion == "Importeret" and shown.on == "2026-04-01"
    again = runner.invoke(main, ["competence", "demo", "--if-empty"])  # as `make run` does
    assert again.exit_code == 0 and "nothing done" in again.output


def test_the_assessment_terms_are_declared(knowledge_catalogue: Catalogue) -> None:
    for term in ("CompetenceAssessment", "RequirementRating", "assessedBy", "ratingValue"):
        rows = knowledge_catalogue.store.oxigraph.quads_for_pattern(
            ox.NamedNode(f"{SK}{term}"), None, None
        )
        assert any(True for _ in rows), term


def test_demo_assessments_show_on_the_provider_page_and_the_gaps_page() -> None:
    from catalogue.demo.assessments import record_demo
    from tests.conftest import demo_catalogue_with
    from webapp import create_app

    catalogue = demo_catalogue_with(60, 7)
    try:
        store = catalogue.store
        list(check(store))
        assert record_demo(store, 2, 1, TODAY) >= 5
        rows = store.select(
            "PREFIX sk: <https://specialekatalog.example/ontology#> "
            "SELECT ?s ?f WHERE { ?a sk:assessmentOf ?s ; sk:assessedFunction ?f } LIMIT 1"
        )
        service, function = rows[0]["s"].value, rows[0]["f"].value  # type: ignore[union-attr]
        shown = assessments.latest(store, service, function, "da")
        assert shown is not None and shown.conclusion.startswith("Demo:")
        client = create_app({"TESTING": True}, catalogue=catalogue).test_client()
        tpid = service.split("/provider/", 1)[1].split("/", 1)[0]
        page = client.get(f"/id/provider/{tpid}").get_data(as_text=True)
        assert f"Vurderet af {shown.by.label} {shown.on}" in page
        report = client.get(f"/id/provider/{tpid}/report").get_data(as_text=True)
        assert f"Vurderet af {shown.by.label} {shown.on}" in report
        gaps = client.get(
            "/capacity/gaps",
            query_string={"service": service, "function": function.rsplit("/", 1)[-1]},
        ).get_data(as_text=True)
        assert "Demo: illustrativ vurdering" in gaps and shown.ratings[0].requirement.label in gaps
    finally:
        catalogue.close()


def test_the_editing_form_records_an_assessment_for_the_provider_s_authority_only(
    knowledge_catalogue: Catalogue, editors_file: Path, tmp_path: Path
) -> None:
    app = make_app(knowledge_catalogue, tmp_path, editors_file=str(editors_file), secret_key=SECRET)
    store = app.extensions["catalogue"].store
    store.oxigraph.extend(provider("960003"))
    list(check(store))
    url = f"/-/editing/provider/960003/assessment/{TARGET_GROUP}/{FUNCTION.code}"
    client = signed_in(app, "lars")  # Socialtilsyn Øst, the provider's authority
    page = client.get(url)
    assert page.status_code == 200
    form = BeautifulSoup(page.text, "html.parser")
    selects = form.select("select[name^=rating-]")
    assert len(selects) == 5
    assert form.h1 is not None and "kompetencevurdering: " in form.h1.get_text()
    assert form.select_one("section[aria-labelledby=assess] form") is not None
    assert form.select_one("input#follow_up[type=date]:not([required])") is not None
    assert len(form.select("textarea[name^=evidence-]:not([required])")) == 5
    data = {
        "csrf_token": token(client, url),
        "assessed_on": "2026-03-01",
        "follow_up": "2027-03-01",
        "conclusion": "Til stede",
    }
    incomplete = {**data, "rating-0": STEP + "til-stede"}
    assert client.post(url, data=incomplete).status_code == 422
    undated = client.post(url, data={**incomplete, "assessed_on": ""})
    assert undated.status_code == 422 and "Angiv vurderingens dato" in undated.text
    complete = {**data, **{f"rating-{n}": STEP + "til-stede" for n in range(5)}}
    done = client.post(url, data={**complete, "evidence-0": "Uddannelsesbeviser"})
    assert done.status_code == 303 and "/capacity/gaps?" in done.headers["Location"]
    shown = assessments.latest(store, service_of("960003"), FUNCTION.iri, "da")
    assert shown is not None and shown.conclusion == "Til stede"
    assert "Uddannelsesbeviser" in {r.evidence for r in shown.ratings}
    assert signed_in(app, "mette").get(url).status_code == 403  # Socialtilsyn Midt
