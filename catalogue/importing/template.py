"""The CSV import template (docs/IMPORT-TEMPLATE.md): columns and their mapping to the ontology.

The columns (Danish heading, key, kind, level, required, property, scheme, English heading) are the
table ``columns.tsv`` beside this module.

One row per provider and target group. Provider columns repeat on every row of the same provider and
must agree. Lists are separated by ``|``; the parts of a list item by ``:``. The mapping here checks
only the template's syntax (a number is a number, a date a date); whether a value is allowed (codes
exist, counts are not negative, staff counts add up) is decided by the integrity shapes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import pyoxigraph as ox

from catalogue.importing.problems import Problems
from catalogue.importing.records import Origins, ProviderRecord, RecordText
from catalogue.namespaces import ID, RDF_TYPE, VOCAB, XSD, provider_key, sk

LIST_SEP = "|"
PART_SEP = ":"

_CODE = re.compile(r"^[0-9a-z][0-9a-z-]*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"[+-]?\d+")
_YEAR = re.compile(r"\d{4}")
_PADDED = re.compile(r"0\d{3}")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_YES = {"ja", "j", "yes", "true", "1"}
_NO = {"nej", "n", "no", "false", "0"}


@dataclass(frozen=True)
class Column:
    name: str  # Danish column heading
    key: str  # short name used in code and in the demo generator
    kind: str  # text, int, decimal, bool, date, url, code, codes, or a structured kind
    level: str  # "provider" or "service"
    required: bool = False
    prop: str = ""  # ontology property (local name), for simple kinds
    scheme: str = ""  # vocabulary scheme slug, for code(s)
    en: str = ""  # English heading, for the documentation


def _columns() -> tuple[Column, ...]:
    """The template's columns, in order, from ``columns.tsv`` next to this module."""
    with (Path(__file__).parent / "columns.tsv").open(encoding="utf-8", newline="") as table:
        return tuple(
            Column(
                row["heading"],
                row["key"],
                row["kind"],
                row["level"],
                row["required"] == "ja",
                row["property"],
                row["scheme"],
                row["english"],
            )
            for row in csv.DictReader(table, delimiter="\t")
        )


COLUMNS = _columns()

BY_NAME = {c.name: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
PROVIDER_KEYS = tuple(c.key for c in COLUMNS if c.level == "provider")
SERVICE_COLUMNS = tuple(c for c in COLUMNS if c.level == "service")


def _typed(lexical: str, xsd: str) -> str:
    return f'"{lexical}"^^<{XSD}{xsd}>'


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _string(value: str) -> str:
    """An xsd:string literal in N-Triples (``decode`` refused every other control character)."""
    return f'"{value.translate(_ESCAPES)}"'


@cache
def _property(prop: str) -> str:
    return str(sk(prop))


TYPE = str(RDF_TYPE)


def _part(node: str, path: str) -> str:
    """The IRI (N-Triples) of a part of ``node``: ``<…/provider/1/approval/2>``."""
    return f"{node[:-1]}/{path}>"


class Cell(NamedTuple):
    """One value of one row, with where it came from."""

    key: str
    value: str
    line: int

    @property
    def field(self) -> str:
        return BY_KEY[self.key].name


class Mapper:
    """Maps the rows of one provider to N-Triples lines, noting where each statement came from
    (for error messages). Terms are N-Triples text: no pyoxigraph object per statement."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.lines: list[str] = []
        self.origins: Origins = {}

    def _bad(self, cell: Cell, rule: str, da: str, en: str) -> None:
        self.problems.add(rule, da, en, line=cell.line, field=cell.field)

    def add(self, s: str, prop: str, o: str, cell: Cell) -> None:
        p = _property(prop)
        self.lines.append(f"{s} {p} {o} .\n")
        self.origins.setdefault((s, p), cell)

    def typed(self, s: str, cls: str) -> None:
        self.lines.append(f"{s} {TYPE} {_property(cls)} .\n")

    def literal(self, cell: Cell) -> str | None:
        """The RDF term of a simple cell, or None (and a problem) if its syntax is wrong."""
        kind = BY_KEY[cell.key].kind
        if kind in ("text", "id"):
            return _string(cell.value)
        parse: Callable[[Cell, str], str | None] = getattr(self, f"_{kind}")
        return parse(cell, cell.value)

    def _int(self, cell: Cell, text: str) -> str | None:
        digits = text.replace(" ", "")
        if _INT.fullmatch(digits):
            return _typed(str(int(digits)), "integer")
        self._bad(
            cell, "heltal", f"{text!r} er ikke et helt tal", f"{text!r} is not a whole number"
        )
        return None

    def _decimal(self, cell: Cell, text: str) -> str | None:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self._bad(cell, "decimaltal", f"{text!r} er ikke et tal", f"{text!r} is not a number")
            return None
        return _typed(str(number), "decimal")

    def _bool(self, cell: Cell, text: str) -> str | None:
        word = text.lower()
        if word in _YES or word in _NO:
            return _typed("true" if word in _YES else "false", "boolean")
        self._bad(cell, "ja-nej", f"{text!r} skal være ja eller nej", f"{text!r} must be ja or nej")
        return None

    def _date(self, cell: Cell, text: str) -> str | None:
        if _DATE.fullmatch(text):
            return _typed(text, "date")
        self._bad(
            cell,
            "dato",
            f"{text!r} er ikke en dato (ÅÅÅÅ-MM-DD)",
            f"{text!r} is not a date (YYYY-MM-DD)",
        )
        return None

    def _url(self, cell: Cell, text: str) -> str | None:
        if _URL.fullmatch(text):
            try:
                return str(ox.NamedNode(text))
            except ValueError:
                pass
        self._bad(
            cell,
            "webadresse",
            f"{text!r} er ikke en http(s)-adresse",
            f"{text!r} is not an http(s) address",
        )
        return None

    def code(self, cell: Cell, scheme: str, text: str) -> str | None:
        term = _code(scheme, text)
        if term is None:
            self._bad(
                cell, "kode", f"{text!r} er ikke en gyldig kode", f"{text!r} is not a valid code"
            )
        return term

    def items(self, cell: Cell) -> list[str]:
        return [item.strip() for item in cell.value.split(LIST_SEP) if item.strip()]


@lru_cache(maxsize=2**14)
def _code(scheme: str, text: str) -> str | None:
    """A vocabulary concept's IRI (N-Triples) for a code, or None if it is not a code."""
    code = text.strip().lower()
    if scheme == "municipality" and _PADDED.fullmatch(code):
        code = code[1:]  # DAWA writes municipality codes zero-padded to four digits
    return f"<{VOCAB}{scheme}/{code}>" if _CODE.fullmatch(code) else None


def map_rows(rows: list[dict[str, Cell]], problems: Problems) -> RecordText:
    """One provider's record from its rows (one per target group, sharing the provider columns)."""
    mapper = Mapper(problems)
    first = rows[0]

    def value(key: str) -> str | None:
        cell = first.get(key)
        return cell.value if cell is not None and cell.value else None

    tpid = provider_key(value("tpid"), value("cvr"), value("own_ref"))
    provider = f"<{ID}provider/{tpid}>"
    mapper.typed(provider, "Provider")
    for key in PROVIDER_KEYS:
        cell = first.get(key)
        if cell is None or not cell.value:
            continue
        _simple(mapper, provider, cell)
    _approvals(mapper, provider, first)
    _quality(mapper, provider, first)
    counters = {"agreement": 0, "activity": 0}
    for row in rows:
        _service(mapper, provider, row, counters)
    line = next(iter(first.values())).line
    return RecordText(tpid, "".join(mapper.lines), mapper.origins, line, numbered=True)


def map_provider(rows: list[dict[str, Cell]], problems: Problems) -> ProviderRecord:
    """One provider's record as triples (``map_rows`` parsed)."""
    return map_rows(rows, problems).record()


def _simple(mapper: Mapper, subject: str, cell: Cell) -> None:
    column = BY_KEY[cell.key]
    if column.kind == "code":
        term = mapper.code(cell, column.scheme, cell.value)
        if term is not None:
            mapper.add(subject, column.prop, term, cell)
    elif column.kind == "codes":
        for item in mapper.items(cell):
            term = mapper.code(cell, column.scheme, item)
            if term is not None:
                mapper.add(subject, column.prop, term, cell)
    elif column.prop:
        value = mapper.literal(cell)
        if value is not None:
            mapper.add(subject, column.prop, value, cell)


def _approvals(mapper: Mapper, provider: str, row: dict[str, Cell]) -> None:
    status = row.get("approval_status")
    if status is None or not status.value:
        return
    functions = mapper.items(row["functions"]) if "functions" in row else []
    advises = set(mapper.items(row["advises"])) if "advises" in row else set()
    for slug in advises - set(functions):
        mapper._bad(
            row["advises"],
            "raadgivning",
            f"rådgivningsforpligtelse for {slug!r}, som ikke er en godkendt specialfunktion",
            f"duty to advise for {slug!r}, which is not an approved specialty function",
        )
    status_code = mapper.code(status, "approval-status", status.value)
    for n, function in enumerate([None, *functions], start=1):
        approval = _part(provider, f"approval/{n}")
        mapper.add(provider, "hasApproval", approval, status)
        mapper.typed(approval, "Approval")
        if status_code is not None:
            mapper.add(approval, "approvalStatus", status_code, status)
        for key in ("authority", "supervising_municipality"):  # a socialtilsyn, or § 148 a
            if key in row and row[key].value:
                authority = mapper.code(row[key], BY_KEY[key].scheme, row[key].value)
                if authority is not None:
                    mapper.add(approval, "approvedBy", authority, row[key])
        for key, prop in (("approved_from", "validFrom"), ("approved_until", "validUntil")):
            cell = row.get(key)
            if cell is not None and cell.value:
                value = mapper._date(cell, cell.value)
                if value is not None:
                    mapper.add(approval, prop, value, cell)
        if function is None:
            cell = row.get("conditions")
            if cell is not None and cell.value:
                mapper.add(approval, "conditions", _string(cell.value), cell)
            continue
        cell = row["functions"]
        if not _CODE.fullmatch(function):
            mapper._bad(
                cell,
                "kode",
                f"{function!r} er ikke en gyldig kode",
                f"{function!r} is not a valid code",
            )
            continue
        target = f"<{ID}specialty-function/{function}>"
        mapper.add(approval, "forSpecialtyFunction", target, cell)
        advise = _typed("true" if function in advises else "false", "boolean")
        mapper.add(approval, "dutyToAdvise", advise, row.get("advises", cell))


def _quality(mapper: Mapper, provider: str, row: dict[str, Cell]) -> None:
    cell = row.get("quality")
    if cell is None or not cell.value:
        return
    date_cell = row.get("quality_date")
    date = mapper._date(date_cell, date_cell.value) if date_cell and date_cell.value else None
    for item in mapper.items(cell):
        theme, sep, score = item.partition("=")
        code = mapper.code(cell, "quality-theme", theme) if sep else None
        if not sep:
            mapper._bad(
                cell,
                "kvalitet",
                f"{item!r} skal skrives tema=score",
                f"{item!r} must be written theme=score",
            )
        value = mapper._decimal(cell, score.strip()) if sep else None
        if code is None or value is None:
            continue
        node = _part(provider, f"quality/{theme.strip().lower()}")
        mapper.add(provider, "hasQualityAssessment", node, cell)
        mapper.typed(node, "QualityAssessment")
        mapper.add(node, "qualityTheme", code, cell)
        mapper.add(node, "score", value, cell)
        if date is not None and date_cell is not None:
            mapper.add(node, "assessedOn", date, date_cell)


def _service(mapper: Mapper, provider: str, row: dict[str, Cell], counters: dict[str, int]) -> None:
    group = row["target_group"]
    code = group.value.strip().lower()
    # quoted: a hostile cell (a formula with '|', a space) is an unknown code, never a bad IRI
    service = _part(provider, f"target-group/{quote(code, safe='')}")
    mapper.add(provider, "serves", service, group)
    mapper.typed(service, "TargetGroupService")
    mapper.add(service, "provider", provider, group)
    for column in SERVICE_COLUMNS:
        cell = row.get(column.key)
        if cell is None or not cell.value:
            continue
        if column.kind == "agreements":
            _agreements(mapper, provider, service, cell, counters)
        elif column.kind == "activities":
            _activities(mapper, provider, service, cell, counters)
        else:
            _simple(mapper, service, cell)


def _agreements(
    mapper: Mapper, provider: str, service: str, cell: Cell, counters: dict[str, int]
) -> None:
    for item in mapper.items(cell):
        parts = [p.strip() for p in item.split(PART_SEP, 2)]
        if len(parts) != 3 or parts[1].lower() not in ("formel", "uformel") or not parts[2]:
            mapper._bad(
                cell,
                "samarbejdsaftale",
                f"{item!r} skal skrives sektor:formel|uformel:partner",
                f"{item!r} must be written sector:formel|uformel:partner",
            )
            continue
        sector = mapper.code(cell, "sector", parts[0])
        if sector is None:
            continue
        counters["agreement"] += 1
        node = _part(provider, f"agreement/{counters['agreement']}")
        mapper.add(service, "cooperationAgreement", node, cell)
        mapper.typed(node, "CooperationAgreement")
        mapper.add(node, "sector", sector, cell)
        formal = "true" if parts[1].lower() == "formel" else "false"
        mapper.add(node, "formal", _typed(formal, "boolean"), cell)
        mapper.add(node, "partnerName", _string(parts[2]), cell)


def _activities(
    mapper: Mapper, provider: str, service: str, cell: Cell, counters: dict[str, int]
) -> None:
    for item in mapper.items(cell):
        kind, sep, year = (p.strip() for p in item.partition(PART_SEP))
        if not sep or not _YEAR.fullmatch(year):
            mapper._bad(
                cell,
                "vidensaktivitet",
                f"{item!r} skal skrives type:år",
                f"{item!r} must be written type:year",
            )
            continue
        code = mapper.code(cell, "knowledge-activity-type", kind)
        if code is None:
            continue
        counters["activity"] += 1
        node = _part(provider, f"activity/{counters['activity']}")
        mapper.add(service, "knowledgeActivity", node, cell)
        mapper.typed(node, "KnowledgeActivity")
        mapper.add(node, "activityType", code, cell)
        mapper.add(node, "year", _typed(year, "integer"), cell)
