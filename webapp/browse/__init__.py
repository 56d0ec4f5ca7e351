"""Browsing the catalogue: home, specialer and specialfunktioner, providers, target groups,
search and the capacity overview. One blueprint; one module per page area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("browse", __name__, template_folder="../templates")

from webapp.browse import (  # noqa: E402  (modules register their routes on bp)
    authority_records,
    capacity,
    criteria_impact,
    errors,
    home,
    plan,
    planning,
    provider,
    search,
    target_group,
)

__all__ = [
    "authority_records",
    "bp",
    "capacity",
    "criteria_impact",
    "errors",
    "home",
    "plan",
    "planning",
    "provider",
    "search",
    "target_group",
]
