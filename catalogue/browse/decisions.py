"""Placement decisions as the pages, reports and the check's output read them: the decision in
force (or the history) per service, and per service its decided and computed placement side by
side (catalogue/decisions.py records them; ontology/decisions.ttl, DATA-MODEL.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from catalogue import queries
from catalogue.browse.rows import Concept, concept, record, text
from catalogue.store import Store


@dataclass(frozen=True)
class Decision:
    """A recorded decision, with the computed placement of the latest check beside it."""

    iri: str
    service: str
    provider: str
    tpid: str
    name: str
    target_group: Concept | None
    level: Concept | None  # None: ikke indplaceret
    rank: int | None
    by: Concept | None
    on: str
    guide_version: str
    reason: str
    advised: Concept | None  # the computed placement when the decision was recorded
    computed: Concept | None  # the computed placement now
    recorded: str
    current: bool
    invalidated: str
    revision_of: str
    withdrawal_reason: str
    differs: bool
    departures: list[tuple[Concept, str]] = field(default_factory=list)

    @property
    def decided(self) -> bool:
        """A decision is always decided (it reads as a ``Placement`` on the pages)."""
        return True


def decisions(
    store: Store,
    lang: str,
    *,
    provider: str | None = None,
    service: str | None = None,
    target_group: str | None = None,
    history: bool = False,
) -> list[Decision]:
    """The decisions in force (with ``history``: also withdrawn and replaced ones), newest first."""
    rows = queries.run(
        store,
        "decisions",
        provider=provider,
        service=service,
        targetGroup=target_group,
        history=history,
        lang=lang,
    )
    departures: dict[str, list[tuple[Concept, str]]] = defaultdict(list)
    if service is not None:
        for row in queries.run(store, "decision_departures", service=service, lang=lang):
            parameter = concept(row, "parameter") or Concept("", "")
            departures[text(row, "decision")].append((parameter, text(row, "reason")))
    return [
        record(
            Decision,
            r,
            {"iri": "decision"},
            departures=departures.get(text(r, "decision"), []),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Placement:
    """A service's placement as pages show it: the decision first, the computed advice beside."""

    service: str
    provider: str
    name: str  # the provider's
    computed: Concept | None  # the vejledende beregning; None: ikke indplaceret
    decided: bool  # False: ikke afgjort
    level: Concept | None  # the decided level; None: ikke indplaceret (when decided)
    by: Concept | None
    on: str
    differs: bool


def placements(
    store: Store,
    lang: str,
    *,
    provider: str | None = None,
    target_group: str | None = None,
    function: str | None = None,
) -> dict[str, Placement]:
    """Decided and computed placement per service IRI: of a provider, a target group, the services
    that meet a specialfunktion, or all."""
    if function is not None:
        rows = queries.run(store, "decision_function", function=function, lang=lang)
    else:
        rows = queries.run(
            store, "decision_placements", provider=provider, targetGroup=target_group, lang=lang
        )
    return {text(r, "service"): record(Placement, r, decided="decision" in r) for r in rows}


@dataclass(frozen=True)
class Undecided:
    """A service of a target group with a guide that its authority has not decided yet."""

    service: str
    provider: str
    name: str
    target_group: Concept | None
    computed: Concept | None


def undecided(store: Store, authority: str, lang: str) -> list[Undecided]:
    """The services under ``authority`` with no decision in force ("ikke afgjort")."""
    return [
        record(Undecided, r)
        for r in queries.run(store, "decision_missing", authority=authority, lang=lang)
    ]


def in_force(store: Store, lang: str, provider: str | None = None) -> dict[str, Decision]:
    """The decision in force per service IRI (of one provider, or of the whole catalogue)."""
    found: dict[str, Decision] = {}
    for decision in decisions(store, lang, provider=provider):
        found.setdefault(decision.service, decision)
    return found
