"""Access to the catalogue attached to the current app."""

from __future__ import annotations

from flask import current_app

from catalogue.service import Catalogue


def get_catalogue() -> Catalogue:
    catalogue: Catalogue = current_app.extensions["catalogue"]
    return catalogue
