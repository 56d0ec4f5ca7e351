"""Browsing the specialty plan: the home page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template

from catalogue import queries
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language

bp = Blueprint("browse", __name__, template_folder="../templates")


@dataclass(frozen=True)
class FunctionItem:
    iri: str
    label: str


@dataclass(frozen=True)
class SpecialityItem:
    iri: str
    label: str
    functions: list[FunctionItem]


@dataclass(frozen=True)
class HomeContext:
    specialities: list[SpecialityItem]


def specialty_plan(lang: str) -> list[SpecialityItem]:
    rows = queries.run(get_catalogue().store, "specialty_plan", lang=lang)
    grouped: dict[str, SpecialityItem] = {}
    for row in rows:
        iri = row["speciality"].value
        item = grouped.setdefault(iri, SpecialityItem(iri, row["specialityLabel"].value, []))
        if "function" in row:
            item.functions.append(FunctionItem(row["function"].value, row["functionLabel"].value))
    return list(grouped.values())


@bp.get("/")
def home() -> str:
    context = HomeContext(specialities=specialty_plan(current_language()))
    return render_template("browse/home.html", ctx=context)
