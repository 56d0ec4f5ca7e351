"""Need figures: per planning year, the expected number of citizens needing a place (places) in a
specialty function per region, with the figure's source (DATA-MODEL.md, "Need figures").

They come as a CSV file per planning year, loaded in either of two ways:

- ``specialekatalog need load FILE.csv [--year YEAR]`` (the year from the file name otherwise):
  the year's figures replace the graph ``graph/need/{year}`` in one write;
- a file ``ontology/need/{year}.csv`` (or ``.ttl``, in the ontology's terms) is a knowledge file,
  loaded by ``specialekatalog load`` into ``graph/ontology/need/{year}`` like the other knowledge.

CSV columns (a header line, then one line per function and region; ``;`` or ``,`` between fields,
UTF-8), documented in README.md and DATA-MODEL.md:

    function      the specialty function's code (``autisme-udviklingshaemning-voksne``) or IRI
    region        the region's code (1081 Nordjylland ... 1085 Sjælland) or IRI
    places        expected citizens needing a place: a whole number, 0 or more
    source        where the figure comes from (text; required)
    illustrative  ``ja``/``nej`` (or true/false); empty: nej. Demo and made-up figures say ja.

Every line is checked before anything is written; each problem names the file, the line and the
rule, and a file with any problem writes nothing. The demo catalogue's illustrative figures are
made by catalogue/demo/need.py and written through ``write`` too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from catalogue import queries
from catalogue.importing.csvfile import UnreadableFile, decode_file
from catalogue.importing.problems import Problems
from catalogue.namespaces import BASE, DCTERMS, GRAPH, RDF_TYPE, XSD, code, sk, term
from catalogue.store import Store

COLUMNS = ("function", "region", "places", "source", "illustrative")
REQUIRED = COLUMNS[:4]
YES, NO = ("ja", "true", "1", "yes"), ("", "nej", "false", "0", "no")
YEAR = re.compile(r"^(19|20)\d\d$")
FUNCTIONS = f"{BASE}id/specialty-function/"
REGIONS = f"{BASE}vocab/region/"


class NeedError(ValueError):
    """The file has problems (each with file, line and rule); nothing was written."""

    def __init__(self, problems: Problems) -> None:
        problems.summarise()
        self.problems = problems.errors
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class NeedFigure:
    function: str  # IRI
    region: str  # IRI
    places: int
    source: str
    illustrative: bool


@dataclass(frozen=True)
class Known:
    """The specialty functions and regions of the catalogue (IRIs)."""

    functions: frozenset[str]
    regions: frozenset[str]

    @classmethod
    def of(cls, store: Store) -> Known:
        rows = queries.run(store, "planning_need_terms")
        return cls(
            frozenset(r["function"].value for r in rows if "function" in r),
            frozenset(r["region"].value for r in rows if "region" in r),
        )


def graph_of(year: int) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH}need/{year}")


def year_of(path: Path) -> int | None:
    """The planning year a file is named after (``2028.csv``)."""
    return int(path.stem) if YEAR.match(path.stem) else None


def _iri(given: str, prefix: str) -> str:
    return given if given.startswith(("http://", "https://")) else prefix + given


def read_csv(content: str, name: str, known: Known) -> list[NeedFigure]:
    """The figures of one CSV file, or NeedError with every problem (file, line, rule)."""
    problems = Problems(name)
    text = content.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if ";" in first else ",")
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if missing := [c for c in REQUIRED if c not in header]:
        problems.add(
            "kolonner",
            f"mangler kolonne(r) {', '.join(missing)}; kolonnerne er {', '.join(COLUMNS)}",
            f"missing column(s) {', '.join(missing)}; the columns are {', '.join(COLUMNS)}",
            line=1,
        )
        raise NeedError(problems)
    reader.fieldnames = header
    try:
        return _figures(reader, known, problems)
    except csv.Error as exc:
        problems.add("csv", f"CSV-fejl: {exc}", f"CSV error: {exc}", line=reader.line_num)
        raise NeedError(problems) from None


def _figures(reader: csv.DictReader[str], known: Known, problems: Problems) -> list[NeedFigure]:
    figures: list[NeedFigure] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(reader, start=2):
        cells = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
        function = _iri(cells["function"], FUNCTIONS)
        region = _iri(cells["region"], REGIONS)
        bad = len(problems.errors)
        if function not in known.functions:
            problems.add(
                "specialfunktion",
                f"{cells['function']!r} er ikke en specialfunktion i kataloget",
                f"{cells['function']!r} is not a specialty function of the catalogue",
                line=line,
                field="function",
            )
        if region not in known.regions:
            problems.add(
                "region",
                f"{cells['region']!r} er ikke en regionskode (1081-1085)",
                f"{cells['region']!r} is not a region code (1081-1085)",
                line=line,
                field="region",
            )
        if not (cells["places"].isascii() and cells["places"].isdigit()):
            problems.add(
                "pladser",
                f"{cells['places']!r} er ikke et helt tal, 0 eller mere",
                f"{cells['places']!r} is not a whole number, 0 or more",
                line=line,
                field="places",
            )
        if not cells["source"]:
            problems.add(
                "kilde", "kilden mangler", "the source is missing", line=line, field="source"
            )
        flag = cells.get("illustrative", "").lower()
        if flag not in YES + NO:
            problems.add(
                "illustrativ",
                f"{flag!r} er hverken ja eller nej",
                f"{flag!r} is neither ja (yes) nor nej (no)",
                line=line,
                field="illustrative",
            )
        if (function, region) in seen:
            problems.add(
                "dublet",
                f"samme specialfunktion og region som linje {seen[(function, region)]}",
                f"the same specialty function and region as line {seen[(function, region)]}",
                line=line,
            )
        seen.setdefault((function, region), line)
        if len(problems.errors) == bad:
            figures.append(
                NeedFigure(function, region, int(cells["places"]), cells["source"], flag in YES)
            )
    if problems.errors:
        raise NeedError(problems)
    return figures


def triples(year: int, figures: Iterable[NeedFigure]) -> list[ox.Triple]:
    """The figures in the ontology's terms (``<id/need/{year}/{function}/{region code}>``)."""
    out = []
    for f in figures:
        node = ox.NamedNode(f"{BASE}id/need/{year}/{code(f.function)}/{code(f.region)}")
        out += [
            ox.Triple(node, RDF_TYPE, sk("NeedFigure")),
            ox.Triple(node, sk("needFor"), ox.NamedNode(f.function)),
            ox.Triple(node, sk("needRegion"), ox.NamedNode(f.region)),
            ox.Triple(
                node, sk("planningYear"), ox.Literal(str(year), datatype=term(XSD, "integer"))
            ),
            ox.Triple(
                node, sk("neededPlaces"), ox.Literal(str(f.places), datatype=term(XSD, "integer"))
            ),
            ox.Triple(
                node,
                sk("illustrative"),
                ox.Literal(str(f.illustrative).lower(), datatype=term(XSD, "boolean")),
            ),
            ox.Triple(node, term(DCTERMS, "source"), ox.Literal(f.source)),
        ]
    return out


def _refuse(name: str, da: str, en: str) -> NeedError:
    problems = Problems(name)
    problems.add("aar", da, en)
    return NeedError(problems)


def _one_source(store: Store, year: int, graph: ox.NamedNode) -> None:
    """A year's figures come from one graph: refused when another graph already gives them."""
    rows = queries.run(store, "planning_need_graphs")
    others = [
        r["graph"].value for r in rows if int(r["year"].value) == year and r["graph"] != graph
    ]
    if others:
        raise _refuse(
            str(year),
            f"behovstallene for {year} kommer allerede fra {', '.join(others)}; ret dem dér",
            f"the need figures for {year} already come from {', '.join(others)}; change them there",
        )


def write(store: Store, year: int, figures: list[NeedFigure]) -> None:
    """Replace the year's figures (graph/need/{year}) in one write."""
    graph = graph_of(year)
    _one_source(store, year, graph)
    store.replace_graphs({graph: triples(year, figures)})


def _year(path: Path, year: int | None) -> int:
    found = year or year_of(path)
    if found is None:
        raise _refuse(
            path.name,
            "angiv planlægningsåret (--year) eller navngiv filen efter det (2028.csv)",
            "give the planning year (--year) or name the file after it (2028.csv)",
        )
    return found


def _text(path: Path, name: str) -> str:
    """The file decoded as the provider import decodes CSV (UTF-8 with or without BOM, else
    Windows-1252; a UTF-16 file or control characters are refused)."""
    try:
        return decode_file(name, path.read_bytes())
    except UnreadableFile as exc:
        raise NeedError(exc.problems) from None


def load_file(store: Store, path: Path, year: int | None = None) -> list[NeedFigure]:
    """Check a CSV file whole, then write its figures for ``year`` (else the file name's year)."""
    found = _year(path, year)
    figures = read_csv(_text(path, path.name), path.name, Known.of(store))
    write(store, found, figures)
    return figures


def knowledge_triples(store: Store, path: Path, name: str, graph: ox.NamedNode) -> list[ox.Triple]:
    """A knowledge file ``ontology/need/{year}.csv`` checked whole against the store's functions
    and regions, as triples for its knowledge graph (catalogue/loading.py writes them)."""
    year = _year(path, None)
    _one_source(store, year, graph)
    return triples(year, read_csv(_text(path, name), name, Known.of(store)))
