"""Demo providers: deterministic, realistic, made up. See generator.py and profile.toml.

>>> records = list(generate(3, seed=7))   # ProviderRecord: tpid, graph, triples
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import IO

import pyoxigraph as ox

from catalogue.demo.generator import Row, generate_rows
from catalogue.demo.vocabulary import Vocabulary, knowledge_vocabulary
from catalogue.importing.problems import Problems
from catalogue.importing.records import ProviderRecord
from catalogue.importing.template import BY_KEY, COLUMNS, Cell, map_provider
from catalogue.namespaces import BASE, PREFIXES

__all__ = ["generate", "generate_rows", "write_csv", "write_turtle"]

Progress = Callable[[int], None] | None  # told of each provider written


def _record(rows: list[Row]) -> ProviderRecord:
    problems = Problems("demo")
    cells = [
        {key: Cell(key, value, line) for key, value in row.items() if key in BY_KEY}
        for line, row in enumerate(rows, start=1)
    ]
    record = map_provider(cells, problems)
    if problems.errors:  # the generator and the template disagree: a bug, not bad input
        raise AssertionError("; ".join(map(str, problems.errors)))
    return record


def generate(n: int, seed: int, vocab: Vocabulary | None = None) -> Iterator[ProviderRecord]:
    """``n`` providers, each as the triples of its named graph (pyoxigraph terms)."""
    for rows in generate_rows(n, seed, vocab or knowledge_vocabulary()):
        yield _record(rows)


def write_csv(
    output: IO[str], n: int, seed: int, vocab: Vocabulary | None = None, progress: Progress = None
) -> None:
    """The import template as Danish Excel writes it: ``;`` between fields."""
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    for rows in generate_rows(n, seed, vocab or knowledge_vocabulary()):
        for row in rows:
            writer.writerow([row.get(c.key, "") for c in COLUMNS])
        if progress:
            progress(1)


def write_turtle(
    output: IO[bytes], n: int, seed: int, vocab: Vocabulary | None = None, progress: Progress = None
) -> None:
    """Turtle in the ontology's terms, one block per provider."""
    prefixes = {k: v for k, v in PREFIXES.items() if k in ("sk", "xsd")}
    for index, record in enumerate(generate(n, seed, vocab)):
        text = (
            ox.serialize(
                record.triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes, base_iri=BASE
            )
            or b""
        )
        if index:  # the prefixes hold for the whole document: declare them once
            text = b"".join(line for line in text.splitlines(True) if not line.startswith(b"@"))
        output.write(text + b"\n")
        if progress:
            progress(1)
