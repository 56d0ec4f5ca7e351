"""What a specialfunktion demands and who nearly meets it, read from the compliance results.

The criteria text is rendered from the shapes (their ``sh:name``/``sh:description``/``sh:message``)
by the compliance queries, so it is never written twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue.browse.rows import Concept


@dataclass(frozen=True)
class Criterion:
    group: str  # the parameter (or "prerequisite", "specialfunktion") the criterion belongs to
    text: str
    required: str = ""


@dataclass(frozen=True)
class NearMiss:
    provider: Concept
    municipality: str
    region: str
    lacking: list[str] = field(default_factory=list)
