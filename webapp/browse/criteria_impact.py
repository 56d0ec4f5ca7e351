"""The national board's page of what adopting the draft guides would change: /criteria/impact.

Per loaded guide with a draft status, the services whose computed placement or specialfunktion
qualification differs with the draft and without it (``catalogue.browse.draft_impact`` says why
that is the comparison the data model allows), with counts per region and level. The impact costs
about a full check: it is built in the background and the page says so until it is ready.
"""

from __future__ import annotations

from flask import render_template

from catalogue.browse.draft_impact import draft_impacts, sections
from webapp.browse import bp
from webapp.catalogue_ext import get_catalogue
from webapp.i18n import current_language, translate


@bp.get("/criteria/impact")
def criteria_impact() -> str:
    store = get_catalogue().store
    found = draft_impacts(store)
    guides = (
        None
        if found is None
        else sections(
            store,
            found,
            current_language(),
            (translate("impact.not_meets"), translate("impact.meets")),
            translate("impact.not_placed"),
        )
    )
    return render_template("browse/criteria_impact.html", guides=guides)
