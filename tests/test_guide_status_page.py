"""The target group page shows its guide's version and status, plainly as a draft while it is one,
and the placement rule its computed levels follow, said to be the pilot's provisional rule."""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

AUTISM = "/vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95"


def test_target_group_page_shows_a_draft_guide_and_the_provisional_rule(
    client: FlaskClient,
) -> None:
    page = BeautifulSoup(client.get(AUTISM + "?lang=da").data, "html.parser")
    aside = page.select_one("aside.guide-status")
    assert aside is not None and "draft" in aside["class"]
    text = aside.get_text(" ", strip=True)
    assert "Udkast" in text and "ikke vedtaget" in text
    facts = {dt.get_text(strip=True): dt.find_next("dd").get_text(strip=True) for dt in aside("dt")}  # type: ignore[union-attr]
    assert facts["Version"] == "3" and facts["Status"] == "Udkast"
    assert "ikke trådt i kraft" in text
    assert "Alle otte parametre, vægtet lige" in text and "foreløbig" in text
    english = BeautifulSoup(client.get(AUTISM + "?lang=en").data, "html.parser")
    assert "Draft" in english.select_one("aside.guide-status").get_text()  # type: ignore[union-attr]


def test_a_target_group_without_a_guide_shows_no_guide_status(client: FlaskClient) -> None:
    page = BeautifulSoup(
        client.get("/vocab/target-group/autisme-udviklingshaemning-udfordrende-adfaerd").data,
        "html.parser",
    )
    assert page.select_one("aside.guide-status") is None


def test_specialty_function_page_shows_its_target_groups_guide(client: FlaskClient) -> None:
    page = BeautifulSoup(
        client.get(
            "/id/specialty-function/synsnedsaettelse-yderligere-ambulant-voksne?lang=en"
        ).data,
        "html.parser",
    )
    aside = page.select_one("aside.guide-status.draft")
    assert aside is not None
    assert "visual impairment" in aside.get_text().lower()
