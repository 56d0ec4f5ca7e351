"""Placement decisions on the pages: the editing form (authority-bound, CSRF, the rules), and the
provider page, the specialfunktion page and the capacity view showing the decided level first with
the computed one beside it and the difference flagged ("ikke afgjort" where nothing is decided)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient

from catalogue import Catalogue, Settings, decisions, queries
from catalogue.browse import decisions as decided
from catalogue.editors import add_editor
from catalogue.namespaces import VOCAB
from tests.test_decisions import checked
from webapp import create_app

PASSWORD = "rigtig hest batteri"
SECRET = "a-test-secret-that-is-long-enough-" * 2
LEVEL = f"{VOCAB}level/"


__all__ = ["checked"]  # test_decisions' checked demo catalogue (12 providers), a copy per module


def _moderat(store: object) -> decisions.Basis:
    """A service computed at moderat whose target group has a specialfunktion."""
    for row in queries.run(store, "compliance_placements", lang="da"):  # type: ignore[arg-type]
        if "level" in row and row["level"].value == LEVEL + "moderat":
            found = decisions.basis(store, row["service"].value, "da")  # type: ignore[arg-type]
            assert found is not None and found.authority is not None
            return found
    raise AssertionError("no service at moderat in the fixture")


@pytest.fixture(scope="module")
def setup(checked: Catalogue, tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, str]:
    found = _moderat(checked.store)
    assert found.authority is not None
    authority = found.authority.iri.rsplit("/", 1)[-1]
    other = "nord" if authority != "nord" else "syd"
    path = tmp_path_factory.mktemp("editors") / "editors.json"
    add_editor(path, "lars", authority, PASSWORD)
    add_editor(path, "mette", other, PASSWORD)
    catalogue = Catalogue(
        Settings.from_env({"store": "memory", "editors_file": str(path), "secret_key": SECRET}),
        checked.store,
    )
    drafts = tmp_path_factory.mktemp("drafts")
    app = create_app({"TESTING": True, "EDITING_DRAFTS": drafts}, catalogue=catalogue)
    return app, found.service


def _signed_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    page = BeautifulSoup(client.get("/-/editing/sign-in").text, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None
    response = client.post(
        "/-/editing/sign-in",
        data={"csrf_token": str(field["value"]), "name": name, "password": PASSWORD},
    )
    assert response.status_code == 303
    return client


def _form_path(service: str) -> str:
    tpid = service.split("/provider/")[1].split("/")[0]
    return f"/-/editing/provider/{tpid}/decision/{service.rsplit('/', 1)[-1]}"


def _token(client: FlaskClient, path: str) -> str:
    page = BeautifulSoup(client.get(path).text, "html.parser")
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None
    return str(field["value"])


def test_only_the_providers_authority_may_open_the_form(setup: tuple[Flask, str]) -> None:
    app, service = setup
    path = _form_path(service)
    assert app.test_client().get(path).status_code in (302, 303)  # to the sign-in page
    assert _signed_in(app, "mette").get(path).status_code == 403
    page = _signed_in(app, "lars").get(path)
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assert html.find("table", class_="matrix") is not None  # the computed verdict beside the form
    assert len(html.select("input[name=level]")) == 4  # let, moderat, højt, ikke indplaceret
    heading = html.h1.get_text(strip=True)  # type: ignore[union-attr]
    assert heading.startswith("Indplaceringsafgørelse: ") and html.title is not None
    assert html.select_one("form#decide, section[aria-labelledby=decide] form") is not None
    assert html.select_one("input#decided_on[type=date][required]") is not None
    assert html.select_one("textarea#reason[required]") is not None
    assert html.select_one("nav.breadcrumbs a[href$='/-/editing/']") is not None
    waiting = _signed_in(app, "lars").get("/-/editing/decisions").text
    assert f'href="{path}"' in waiting  # the service waits for its authority's decision


def test_a_decision_is_refused_without_reasons_then_shown_everywhere(
    setup: tuple[Flask, str], checked: Catalogue
) -> None:
    app, service = setup
    client = _signed_in(app, "lars")
    path = _form_path(service)
    found = decisions.basis(checked.store, service, "da")
    assert found is not None
    form = {
        "level": LEVEL + "hoej",
        "decided_on": "2026-03-01",
        "guide_version": "2",
        "reason": "Tilsynsbesøg viser et stærkt fagmiljø",
    }
    refused = client.post(path, data={"csrf_token": _token(client, path), **form})
    assert refused.status_code == 422
    assert "Begrund afvigelsen" in refused.text
    assert decided.decisions(checked.store, "da", service=service) == []
    no_token = client.post(path, data=form)
    assert no_token.status_code == 400

    for p in found.failing(2, 3):
        form[f"departure-{p.code}"] = f"Dokumenteret ved tilsynet: {p.label}"
    done = client.post(path, data={"csrf_token": _token(client, path), **form})
    assert done.status_code == 303, done.text

    provider_page = BeautifulSoup(app.test_client().get(done.location).text, "html.parser")
    shown = provider_page.select(".placement-decision.differs")
    assert len(shown) == 1
    text = shown[0].get_text(" ", strip=True)
    assert "Indplaceret af" in text and "1. marts 2026" in text and "Højt specialiseret" in text
    assert "vejledende beregning: Moderat specialiseret" in text
    assert "Afgørelsen afviger fra beregningen" in text
    others = {
        row["provider"].value
        for row in queries.run(checked.store, "decision_missing", lang="da")
        if "computed" in row
    }
    other = sorted(others)[0].rsplit("/", 1)[-1]
    undecided = BeautifulSoup(app.test_client().get(f"/id/provider/{other}").text, "html.parser")
    assert "Ikke afgjort" in [s.get_text(strip=True) for s in undecided.select(".decided")]
    english = app.test_client().get(done.location.split("#")[0] + "?lang=en").text
    assert "Placed by" in english and "advisory calculation" in english

    capacity = BeautifulSoup(app.test_client().get("/capacity").text, "html.parser")
    functions = [o["value"] for o in capacity.select("#function option")]
    shown_in_capacity = []
    for code in functions:
        page = BeautifulSoup(
            app.test_client().get(f"/capacity?function={code}").text, "html.parser"
        )
        shown_in_capacity += [r.get_text(" ", strip=True) for r in page.select("tr.differs")]
    assert any("Højt specialiseret" in row for row in shown_in_capacity)

    name = decisions.basis(checked.store, service, "da").name  # type: ignore[union-attr]
    found_by_facet = app.test_client().get("/search?decided_level=hoej").text
    assert name in found_by_facet
    home = BeautifulSoup(app.test_client().get("/").text, "html.parser")
    rows = {
        r.select_one("th").get_text(strip=True): [td.get_text(strip=True) for td in r.select("td")]  # type: ignore[union-attr]
        for r in home.select("table.placements tbody tr")
    }
    assert "Almenområdet" not in rows
    assert rows["Højt specialiseret"][0] == "1"  # decided; the advisory count beside it

    tpid = service.split("/provider/")[1].split("/")[0]
    assert f'href="{path}"' not in client.get("/-/editing/decisions").text  # decided now
    audit = client.get(f"/-/editing/provider/{tpid}/history").text
    assert "Indplaceringsafgørelse" in audit and "lars" in audit  # who recorded it, when
    report_csv = app.test_client().get(f"/id/provider/{tpid}/report.csv").text
    assert "Afgjort indplacering" in report_csv and "Højt specialiseret (" in report_csv
    report_ttl = app.test_client().get(f"/id/provider/{tpid}/report.ttl").text
    assert "PlacementDecision" in report_ttl and "decidedLevel" in report_ttl
