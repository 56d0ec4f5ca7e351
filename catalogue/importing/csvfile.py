"""Reading a CSV file in the import template: encoding, delimiter, headings, rows per provider.

Every problem of the file is collected; only a file that cannot be decoded at all stops early.
The file is read twice: the first pass notes where each provider's last row is (its rows need not
be adjacent), the second maps each provider as soon as that row is read, so a national file is
never held as rows or records, only the providers still open and the current chunk.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from catalogue.importing.problems import CONTROL, FileRefused, Problems, refuse_wide_encoding
from catalogue.importing.records import RecordText
from catalogue.importing.template import BY_KEY, BY_NAME, COLUMNS, Cell, map_rows
from catalogue.namespaces import provider_key

DELIMITERS = (";", ",", "\t")
FORMULA_START = ("=", "+", "-", "@")
_TPID = re.compile(r"^\d{1,10}$")
_NUMERIC_KINDS = {"int", "decimal"}
_SIGNED = re.compile(r"[+-]?[\d ,.]+")
REQUIRED = tuple(c for c in COLUMNS if c.required)
CHUNK = 500  # providers mapped, staged and checked together


def decode(data: bytes, problems: Problems) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (Danish Excel), else refuse."""
    refuse_wide_encoding(data, problems)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            line = data[: exc.start].count(b"\n") + 1
            problems.add(
                "tegnsaet",
                "Filen er hverken UTF-8 eller Windows-1252",
                "The file is neither UTF-8 nor Windows-1252",
                line=line,
            )
            raise FileRefused from exc
        problems.add(
            "tegnsaet",
            "Filen er ikke UTF-8; den er læst som Windows-1252",
            "The file is not UTF-8; it was read as Windows-1252",
            severity="warning",
        )
    match = CONTROL.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        problems.add(
            "binaer",
            "Filen indeholder styretegn og er ikke en tekstfil",
            "The file contains control characters and is not a text file",
            line=line,
        )
        raise FileRefused
    return text


class UnreadableFile(ValueError):
    """A small file (need figures, assessments) that cannot be read; ``problems`` say why."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.message_da} / {p.message_en}" for p in problems.errors))


def decode_file(name: str, data: bytes) -> str:
    """The text of a small CSV file, decoded as an import file is; ``UnreadableFile`` if not."""
    problems = Problems(name)
    try:
        return decode(data, problems)
    except FileRefused:
        raise UnreadableFile(problems) from None


def _delimiter(header: str) -> str | None:
    best, found = None, 0
    for delimiter in DELIMITERS:
        names = {name.strip() for name in header.split(delimiter)}
        hits = len(names & BY_NAME.keys())
        if hits > found:
            best, found = delimiter, hits
    return best if found >= 2 else None


def read_csv(data: bytes, problems: Problems) -> Iterator[list[RecordText]]:
    """The file's providers in chunks of ``CHUNK``, each provider as soon as its last row is
    read (rows, cells and records of a chunk only are held); its problems go to ``problems``."""
    text = decode(data, problems)
    if not text.strip():
        problems.add("tom", "Filen er tom", "The file is empty")
        return
    header_line = text.split("\n", 1)[0]
    delimiter = _delimiter(header_line)
    if delimiter is None:
        problems.add(
            "overskrifter",
            "Kolonneoverskrifterne blev ikke genkendt: brug skabelonens overskrifter "
            "adskilt af ; eller ,",
            "The column headings were not recognised: use the template's headings "
            "separated by ; or ,",
            line=1,
        )
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headings = [h.strip() for h in next(reader)]
        keys = _headings(headings, problems)
        last = _last_rows(reader, keys)
    except csv.Error as exc:
        problems.add("csv", f"CSV-fejl: {exc}", f"CSV error: {exc}", line=reader.line_num)
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader)
    open_rows: dict[str, list[dict[str, Cell]]] = {}
    chunk: list[RecordText] = []
    for key, line, row in _rows(reader, headings, keys, problems):
        open_rows.setdefault(key, []).append(row)
        if last[key] == line:
            chunk.append(_provider(open_rows.pop(key), problems))
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _last_rows(reader: Any, keys: list[str | None]) -> dict[str, int]:
    """The first pass: each provider's key -> the line where its last row starts."""
    where = [
        keys.index(k) if k in keys else None for k in ("tpid", "cvr", "own_ref", "target_group")
    ]
    last: dict[str, int] = {}
    line = reader.line_num + 1
    for values in reader:
        start, line = line, reader.line_num + 1
        tpid, cvr, reference, group = (
            values[i].strip() if i is not None and i < len(values) else "" for i in where
        )
        if group and (key := _key(tpid, cvr, reference)) is not None:
            last[key] = start
    return last


def _provider(rows: list[dict[str, Cell]], problems: Problems) -> RecordText:
    """One provider's record from all its rows; a target group twice is reported and skipped."""
    seen: dict[str, int] = {}
    kept = []
    for row in rows:
        group = row["target_group"]
        first = seen.setdefault(group.value.lower(), group.line)
        if first != group.line:
            problems.add(
                "dobbelt-maalgruppe",
                f"Tilbud og målgruppe står allerede i linje {first}",
                f"The provider and target group already appear on line {first}",
                line=group.line,
                field=group.field,
            )
            continue
        kept.append(row)
    _same_provider_columns(kept, problems)
    return map_rows(kept, problems)


def _headings(headings: list[str], problems: Problems) -> list[str | None]:
    seen: set[str] = set()
    keys: list[str | None] = []
    for name in headings:
        column = BY_NAME.get(name)
        if column is None:
            if name:
                problems.add(
                    "ukendt-kolonne",
                    f"Kolonnen {name!r} kendes ikke og springes over",
                    f"The column {name!r} is unknown and is ignored",
                    line=1,
                    field=name,
                    severity="warning",
                )
            keys.append(None)
            continue
        if name in seen:
            problems.add(
                "dobbelt-kolonne",
                f"Kolonnen {name!r} findes to gange",
                f"The column {name!r} appears twice",
                line=1,
                field=name,
            )
        seen.add(name)
        keys.append(column.key)
    for column in COLUMNS:
        if column.required and column.name not in seen:
            problems.add(
                "mangler-kolonne",
                f"Kolonnen {column.name!r} mangler",
                f"The column {column.name!r} is missing",
                line=1,
                field=column.name,
            )
    return keys


def _rows(
    reader: Any, headings: list[str], keys: list[str | None], problems: Problems
) -> Iterator[tuple[str, int, dict[str, Cell]]]:
    """Each row of a provider and target group: its provider's key, its first line, its cells."""
    line = reader.line_num + 1
    for values in reader:
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(headings) and any(v.strip() for v in values[len(headings) :]):
            problems.add(
                "for-mange-felter",
                "Rækken har flere felter end der er overskrifter",
                "The row has more fields than there are headings",
                line=start,
            )
        row: dict[str, Cell] = {}
        for key, value in zip(keys, values, strict=False):
            if key is None or key in row:
                continue
            cell = Cell(key, value.strip(), start)
            if cell.value.startswith(FORMULA_START) and _formula(cell):
                problems.add(
                    "formel",
                    "Feltet ligner en regnearksformel (begynder med = + - @)",
                    "The field looks like a spreadsheet formula (starts with = + - @)",
                    line=start,
                    field=cell.field,
                )
            row[key] = cell
        for column in REQUIRED:
            if column.key in row and row[column.key].value:
                continue
            if column.name in headings:
                problems.add(
                    "tomt-felt",
                    f"Feltet {column.name!r} skal udfyldes",
                    f"The field {column.name!r} is required",
                    line=start,
                    field=column.name,
                )
        key = _provider_key(row, start, problems)
        group = row.get("target_group")
        if key is not None and group is not None and group.value:
            yield key, start, row


def _key(tpid: str, cvr: str, reference: str) -> str | None:
    """The provider's key: its Tilbudsportalen id, or its CVR number with its own reference."""
    if tpid:
        return tpid if _TPID.fullmatch(tpid) else None
    try:
        return provider_key(None, cvr or None, reference or None)
    except ValueError:
        return None


def _provider_key(row: dict[str, Cell], line: int, problems: Problems) -> str | None:
    tpid, cvr, reference = (row.get(k) for k in ("tpid", "cvr", "own_ref"))
    key = _key(*(cell.value if cell else "" for cell in (tpid, cvr, reference)))
    if key is not None:
        return key
    if tpid is not None and tpid.value:
        problems.add(
            "tilbuds-id",
            "Tilbuds-ID skal være 1 til 10 cifre",
            "The Tilbudsportalen id must be 1 to 10 digits",
            line=line,
            field=tpid.field,
        )
        return None
    problems.add(
        "tilbuds-id",
        "Uden Tilbuds-ID skal tilbuddet have CVR-nummer (8 cifre) og en egen reference "
        "(1-40 små bogstaver, cifre og bindestreger inde i referencen)",
        "Without a Tilbudsportalen id the provider needs its CVR number (8 digits) and its own "
        "reference (1-40 lower-case letters, digits and inner hyphens)",
        line=line,
        field=BY_KEY["own_ref"].name if reference is None else reference.field,
    )
    return None


def _formula(cell: Cell) -> bool:
    """Whether a cell starting with = + - @ is a formula (a signed number is not)."""
    if BY_KEY[cell.key].kind in _NUMERIC_KINDS:
        return not _SIGNED.fullmatch(cell.value)
    return True


def _same_provider_columns(rows: list[dict[str, Cell]], problems: Problems) -> None:
    first = rows[0]
    for row in rows[1:]:
        for column in COLUMNS:
            if column.level != "provider":
                continue
            a, b = first.get(column.key), row.get(column.key)
            if (a.value if a else "") != (b.value if b else ""):
                problems.add(
                    "uens-tilbud",
                    f"Feltet {column.name!r} skal være det samme i alle tilbuddets rækker",
                    f"The field {column.name!r} must be the same on all the provider's rows",
                    line=next(iter(row.values())).line,
                    field=column.name,
                )
