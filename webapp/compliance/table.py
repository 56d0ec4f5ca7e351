"""The compliance report as one CSV table: per target group, parameter and level whether the
criteria hold, with the messages, values found and values required.

Cells that a spreadsheet would run as a formula (starting with = + - @, TAB, CR or NUL) get a
leading apostrophe (THREATS D5); nothing else is changed.
"""

from __future__ import annotations

import csv
import io

from catalogue.browse.provider import Provider, Service
from catalogue.browse.report import Result
from webapp.i18n import translate

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
COLUMNS = (
    "csv.target_group",
    "csv.decided",
    "csv.placed_at",
    "csv.parameter",
    "csv.level",
    "csv.holds",
    "csv.message",
    "csv.value",
    "csv.required",
)


def safe_cell(value: object) -> str:
    cell = "" if value is None else str(value)
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def decided_text(service: Service) -> str:
    """The authority's decision on the service: level, authority and date, or 'ikke afgjort'."""
    pl = service.placement
    if pl is None or not pl.decided:
        return translate("decision.not_decided")
    level = pl.level.label if pl.level else translate("decision.not_placed")
    return f"{level} ({pl.by.label if pl.by else ''} {pl.on})"


def rows(provider: Provider, results: list[Result]) -> list[list[str]]:
    """One row per service, parameter and level; results without a verdict follow."""
    table: list[list[str]] = []
    used: set[int] = set()
    for service in provider.services:
        placed = service.placed_at.label if service.placed_at else ""
        decided = decided_text(service)
        for row in service.matrix:
            for level, holds in zip(provider.levels, row.holds, strict=True):
                matching = [
                    i
                    for i, r in enumerate(results)
                    if r.focus == service.iri
                    and r.parameter is not None
                    and r.parameter.iri == row.parameter.iri
                    and r.rank == level.rank
                ]
                used.update(matching)
                table.append(
                    [
                        service.target_group.label,
                        decided,
                        placed,
                        row.parameter.label,
                        level.label,
                        _yes_no(holds),
                        " | ".join(results[i].message for i in matching),
                        " | ".join(results[i].value for i in matching if results[i].value),
                        " | ".join(results[i].required for i in matching if results[i].required),
                    ]
                )
    for i, r in enumerate(results):
        if i not in used:
            parameter = r.parameter.label if r.parameter else ""
            table.append(
                [r.target_group, "", "", parameter, r.level, "", r.message, r.value, r.required]
            )
    return table


def table_csv(header: list[str], body: list[list[str]]) -> str:
    """A CSV table with formula-safe cells and a BOM (spreadsheets then read æ, ø, å right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def csv_text(provider: Provider, results: list[Result]) -> str:
    return table_csv([translate(c) for c in COLUMNS], rows(provider, results))


def _yes_no(holds: bool | None) -> str:
    if holds is None:
        return ""
    return translate("csv.yes") if holds else translate("csv.no")
