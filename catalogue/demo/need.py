"""Illustrative need figures sized to the demo catalogue (written by ``demo --load``).

The need follows the catalogue generated: for each specialty function and region, the places of
the providers approved for the function there (what the generator aimed to qualify), scaled down
so the region is covered, or, for a few regions per function in turn, scaled up so the region is
deliberately short of places (profile.toml, [planning]). So the planning view shows regions short
and regions covered at 300 providers as at 10,000. Every figure says it is an illustrative demo
figure, never an official assessment of need.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue.demo.generator import profile
from catalogue.demo.vocabulary import Vocabulary
from catalogue.importing.records import ProviderRecord
from catalogue.namespaces import sk
from catalogue.need import NeedFigure

SOURCE = (
    "Illustrativt demotal, beregnet af demogeneratoren ud fra det katalog, den har lavet; ikke en "
    "officiel behovsopgørelse. / Illustrative demo figure, computed by the demo generator from "
    "the catalogue it made; not an official assessment of need."
)


@dataclass
class NeedTally:
    """Counts, while the demo records pass, the places approved per function and region."""

    vocab: Vocabulary
    places: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def year(self) -> int:
        return int(profile()["planning"]["need_year"])

    def watch(self, records: Iterable[ProviderRecord]) -> Iterator[ProviderRecord]:
        for record in records:
            self._count(record)
            yield record

    def _count(self, record: ProviderRecord) -> None:
        capacity, regions, functions = 0, [], []
        for t in record.triples:
            if t.predicate == sk("capacity") and isinstance(t.object, ox.Literal):
                capacity = int(t.object.value)
            elif t.predicate == sk("municipality") and isinstance(t.object, ox.NamedNode):
                regions = self.vocab.linked(t.object, "vocab/region")
            elif t.predicate == sk("forSpecialtyFunction") and isinstance(t.object, ox.NamedNode):
                functions.append(t.object.value)
        for function in functions:
            for region in regions[:1]:
                self.places[(function, region.value)] += capacity

    def figures(self) -> list[NeedFigure]:
        """One figure per specialty function and region."""
        conf = profile()["planning"]
        functions = sorted(
            f.value for f in self.vocab.of_type("id/specialty-plan", "SpecialtyFunction")
        )
        regions = [r.value for r in self.vocab.members("vocab/region")]
        found = []
        for i, function in enumerate(functions):
            short = {regions[(i + k * 2) % len(regions)] for k in range(conf["short_regions"])}
            for region in regions:
                approved = self.places[(function, region)]
                if region in short:
                    needed = math.ceil(approved * conf["short_factor"]) + conf["short_extra"]
                else:
                    needed = max(math.floor(approved * conf["covered_factor"]), 1)
                found.append(NeedFigure(function, region, needed, SOURCE, True))
        return found
