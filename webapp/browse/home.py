"""The home page: what the catalogue is, the specialer, national counts and a search box."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from catalogue.browse.concepts import SpecialityItem, specialty_plan
from catalogue.browse.statistics import NationalCounts, national
from webapp.browse import bp
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language


@dataclass(frozen=True)
class HomeContext:
    specialities: list[SpecialityItem]
    counts: NationalCounts


def home_context(lang: str) -> HomeContext:
    store = get_catalogue().store
    return HomeContext(specialities=specialty_plan(store, lang), counts=national(store, lang))


@bp.get("/")
def home() -> str:
    return render_template("browse/home.html", ctx=home_context(current_language()))
