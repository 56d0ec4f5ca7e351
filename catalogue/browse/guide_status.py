"""The status of a target group's guide for the pages: version, status (a draft is shown as one)
and the placement rule it uses (the pilot's provisional rule is said to be provisional)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from catalogue import queries
from catalogue.browse.rows import text
from catalogue.store import Store


@dataclass(frozen=True)
class GuideStatus:
    guide: str
    title: str
    version: str
    status: str  # the status concept's label ('' when the guide gives none)
    draft: bool
    issued: dt.date | None
    effective: dt.date | None
    rule: str  # the placement rule's label
    provisional: bool
    illustrative_rule: bool


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def guide_status(store: Store, target_group: str, lang: str) -> GuideStatus | None:
    """The loaded guide of ``target_group``, or None when it has none."""
    rows = queries.run(store, "criteria_guide_status", targetGroup=target_group, lang=lang)
    if not rows:
        return None
    row = rows[0]
    return GuideStatus(
        guide=text(row, "guide"),
        title=text(row, "title"),
        version=text(row, "version"),
        status=text(row, "statusLabel"),
        draft=text(row, "draft") == "true" or not text(row, "status"),
        issued=_date(text(row, "issued")),
        effective=_date(text(row, "effective")),
        rule=text(row, "ruleLabel"),
        provisional=text(row, "provisional") == "true",
        illustrative_rule=text(row, "illustrative") == "true",
    )
