"""Reading named-query rows into the page records (catalogue/browse/rows.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
import pytest

from catalogue.browse.rows import Concept, record

BASE = "https://specialekatalog.example/"


@dataclass(frozen=True)
class Sample:
    name: str
    duty_to_advise: bool
    capacity: int | None
    score: float | None
    enhanced: bool | None
    region: Concept | None
    target_group: Concept
    notes: list[str] = field(default_factory=list)


def literal(value: str, datatype: str = "string") -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{datatype}"))


def test_fields_are_read_from_their_camel_case_columns_by_type() -> None:
    row = {
        "name": literal("Bostedet Kastanjen"),
        "dutyToAdvise": literal("true", "boolean"),
        "capacity": literal("24", "integer"),
        "score": literal("3.5", "decimal"),
        "region": ox.NamedNode(BASE + "vocab/region/1085"),
        "regionLabel": ox.Literal("Region Sjælland", language="da"),
        "targetGroup": ox.NamedNode(BASE + "vocab/target-group/x"),
    }
    sample = record(Sample, row)
    assert sample == Sample(
        name="Bostedet Kastanjen",
        duty_to_advise=True,
        capacity=24,
        score=3.5,
        enhanced=None,  # absent: unknown, not False
        region=Concept(BASE + "vocab/region/1085", "Region Sjælland"),
        target_group=Concept(BASE + "vocab/target-group/x", "x"),  # no label: its code
    )


def test_absent_columns_and_renamed_and_given_fields() -> None:
    row = {"title": literal("Åbrinken"), "flag": literal("false", "boolean")}
    sample = record(Sample, row, {"name": "title", "enhanced": "flag"}, notes=["given"])
    assert sample.name == "Åbrinken" and sample.enhanced is False
    assert sample.duty_to_advise is False and sample.capacity is None and sample.region is None
    assert sample.target_group == Concept("", "") and sample.notes == ["given"]


def test_a_field_without_a_reader_must_be_given() -> None:
    @dataclass(frozen=True)
    class Odd:
        items: list[str]

    with pytest.raises(TypeError, match="Odd.items"):
        record(Odd, {})
    assert record(Odd, {}, items=["a"]).items == ["a"]
