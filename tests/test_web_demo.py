"""Every page type renders on the checked demo catalogue (real vocabularies, shapes and reports)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from catalogue import Catalogue, queries
from webapp import create_app


@pytest.fixture(scope="module")
def web(checked_catalogue: Catalogue) -> FlaskClient:
    return create_app({"TESTING": True}, catalogue=checked_catalogue).test_client()


def paths(catalogue: Catalogue) -> list[str]:
    store = catalogue.store
    base = len("https://specialekatalog.example")
    plan = queries.run(store, "specialty_plan", lang="da")
    providers = queries.run(store, "search_providers")[:5]
    found = ["/", "/?lang=en", "/search", "/search?q=autisme&level=hoej", "/capacity"]
    found += sorted({r["speciality"].value[base:] for r in plan})
    found += [r["function"].value[base:] for r in plan]
    found += [r["provider"].value[base:] for r in providers]
    found += [r["provider"].value[base:] + "/report" for r in providers]
    found += [r["provider"].value[base:] + "/report.csv" for r in providers[:1]]
    return found + ["/vocab/target-group/d26f97e8-99ed-46a9-94db-93340f77a950"]


def test_every_page_renders_on_the_checked_demo(
    web: FlaskClient, checked_catalogue: Catalogue
) -> None:
    for path in paths(checked_catalogue):
        response = web.get(path)
        assert response.status_code == 200, path
    functions = queries.run(checked_catalogue.store, "specialty_plan", lang="da")
    capacity = web.get("/capacity?function=" + functions[0]["function"].value.rsplit("/", 1)[1])
    assert capacity.status_code == 200
