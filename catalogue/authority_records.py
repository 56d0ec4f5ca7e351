"""Authority records: what a supervising authority records about a provider's service.

Two kinds of record share one life cycle: placement decisions (catalogue/decisions.py) and
competence assessments (catalogue/assessments.py). A record rests on a basis (the service, its
provider, the provider's supervising authority and the computed verdict); only that authority may
make one (its socialtilsyn, or the municipality for a § 148 a provider); it is appended to the
provider's decisions graph ``{base}graph/decisions/{provider key}``, which an upload never writes;
a new record replaces the one in force, which stays as history::

    <{service}/{segment}/2> prov:generatedAtTime "..."^^xsd:dateTime ;
        prov:wasRevisionOf <{service}/{segment}/1> .
    <{service}/{segment}/1> prov:wasInvalidatedBy <id/audit/{uuid}> ;
        prov:invalidatedAtTime "..."^^xsd:dateTime .

and every recording is an audited activity (catalogue/audit.py) that generated the record. A kind
gives only what is its own (``Kind``: its name, what only the authority may do, its IRI segment)
and its fields, validation and triples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue import queries
from catalogue.audit import Activity, audited
from catalogue.browse.concepts import Level
from catalogue.browse.rows import Concept, concept, flag, number, text
from catalogue.editors import Editor
from catalogue.importing.problems import CONTROL, Problems
from catalogue.namespaces import DECISIONS_GRAPH, PROV, SK, XSD, term
from catalogue.store import Store

MAX_TEXT = 4000  # characters of any free text of a record


@dataclass(frozen=True)
class Kind:
    """What tells one kind of authority record from another."""

    name_da: str  # "Indplaceringsafgørelse", the audit activity's label starts with it
    name_en: str
    of_da: str  # the record in Danish definite genitive: "afgørelsens" (dato)
    noun_en: str  # and in English: "decision"
    act: tuple[str, str]  # what only the authority may do (Danish, English): "træffe afgørelsen"
    segment: str  # the record's IRI: {service}/{segment}/{number}


def decisions_graph(tpid: str) -> ox.NamedNode:
    """The provider's graph of authority records (its name is older than the second kind)."""
    return ox.NamedNode(DECISIONS_GRAPH + tpid)


@dataclass(frozen=True)
class Basis:
    """What a record on a service rests on: its provider, authority and computed verdict."""

    service: str
    provider: str
    tpid: str
    name: str
    authority: Concept | None
    target_group: Concept
    computed: Level | None
    guide_version: str
    parameters: list[Concept] = field(default_factory=list)  # notation order
    verdicts: dict[str, dict[int, bool]] = field(default_factory=dict)  # parameter -> rank -> holds

    def failing(self, above: int, up_to: int) -> list[Concept]:
        """The parameters whose criteria fail on some level of rank in (above, up_to]."""
        return [
            p
            for p in self.parameters
            if any(not ok for rank, ok in self.verdicts[p.iri].items() if above < rank <= up_to)
        ]


def basis(store: Store, service: str, lang: str) -> Basis | None:
    """The basis of a record on ``service``, or None when no provider serves it."""
    rows = queries.run(store, "decision_service", service=service, lang=lang)
    if not rows:
        return None
    row = rows[0]
    computed = text(row, "computed")
    found = Basis(
        service=service,
        provider=text(row, "provider"),
        tpid=text(row, "tpid"),
        name=text(row, "name"),
        authority=concept(row, "authority"),
        target_group=concept(row, "targetGroup") or Concept("", ""),
        computed=Level(computed, text(row, "computedLabel"), number(row, "computedRank"))
        if computed
        else None,
        guide_version=text(row, "guideVersion"),
    )
    for v in queries.run(store, "compliance_verdicts", service=service, lang=lang):
        parameter = text(v, "parameter")
        if parameter not in found.verdicts:
            found.parameters.append(Concept(parameter, text(v, "parameterLabel", parameter)))
            found.verdicts[parameter] = {}
        found.verdicts[parameter][number(v, "rank")] = bool(flag(v, "holds"))
    return found


def check_authority(problems: Problems, found: Basis, by: str, act: tuple[str, str]) -> None:
    """Add a problem unless ``by`` is the provider's supervising authority; ``act``: what only the
    authority may do (Danish, English), a kind's ``act`` or another (withdrawing)."""
    if found.authority is not None and by == found.authority.iri:
        return
    who = found.authority.label if found.authority else "-"
    problems.add(
        "myndighed",
        f"Kun leverandørens tilsynsmyndighed ({who}) kan {act[0]}",
        f"Only the provider's supervisory authority ({who}) can {act[1]}",
    )


def check_date(problems: Problems, kind: Kind, on: dt.date, today: dt.date) -> None:
    if on > today:
        problems.add(
            "dato",
            f"{kind.of_da.capitalize()} dato ligger i fremtiden",
            f"The {kind.noun_en}'s date is in the future",
        )


def check_texts(problems: Problems, texts: list[str], most: int = MAX_TEXT) -> None:
    """Free texts: at most ``most`` characters, and no control characters."""
    if any(len(t) > most for t in texts):
        problems.add(
            "laengde",
            f"En tekst er for lang (højst {most} tegn)",
            f"A text is too long (at most {most} characters)",
        )
    if any(CONTROL.search(t) for t in texts):
        problems.add(
            "styretegn",
            "En tekst indeholder styretegn",
            "A text contains control characters",
        )


def date_literal(value: dt.date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=term(XSD, "date"))


def stamp(moment: dt.datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(timespec="microseconds"), datatype=term(XSD, "dateTime"))


def _next_iri(store: Store, graph: ox.NamedNode, prefix: str) -> ox.NamedNode:
    numbers = [
        int(rest)
        for q in store.quads(graph)
        if isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(prefix)
        and (rest := q.subject.value[len(prefix) :]).isdigit()
    ]
    return ox.NamedNode(f"{prefix}{max(numbers, default=0) + 1}")


def invalidation(old: ox.NamedNode, activity: Activity, moment: dt.datetime) -> list[ox.Triple]:
    return [
        ox.Triple(old, term(PROV, "wasInvalidatedBy"), activity.iri),
        ox.Triple(old, term(PROV, "invalidatedAtTime"), stamp(moment)),
    ]


def _activity(
    editor: Editor, graph: ox.NamedNode, what: tuple[str, str], name: str, about: str
) -> Activity:
    """The audited activity that writes the provider's records graph, labelled in both languages."""
    return Activity(editor, f"{what[0]}: {name}, {about}", f"{what[1]}: {name}, {about}", [graph])


Build = Callable[[ox.NamedNode], list[ox.Triple]]
Current = Callable[[], "ox.NamedNode | None"]


def record(
    store: Store,
    kind: Kind,
    found: Basis,
    editor: Editor,
    *,
    series: str,
    about: str,
    build: Build,
    current: Current,
) -> ox.NamedNode:
    """Append a record (checked by its kind) under the editing lock and audit it.

    ``series``: the IRI path below the service that numbers the records replacing each other
    (``decision``, ``assessment/{function}``); ``about``: the activity label's tail; ``build``: the
    record's own triples for its IRI (this adds when it was generated); ``current``: the record
    in force that it replaces.
    """
    graph = decisions_graph(found.tpid)
    activity = _activity(editor, graph, (kind.name_da, kind.name_en), found.name, about)
    with audited(store, activity):
        moment = dt.datetime.now(dt.UTC)
        iri = _next_iri(store, graph, f"{found.service}/{series}/")
        triples = [ox.Triple(iri, term(PROV, "generatedAtTime"), stamp(moment)), *build(iri)]
        earlier = current()
        if earlier is not None:
            triples.append(ox.Triple(iri, term(PROV, "wasRevisionOf"), earlier))
            triples += invalidation(earlier, activity, moment)
        store.extend_graph(graph, triples)
        activity.generated.append(iri)
    return iri


class NothingToWithdraw(LookupError):
    """The service has no record in force."""


def withdraw(
    store: Store,
    kind: Kind,
    found: Basis,
    editor: Editor,
    *,
    about: str,
    reason: str,
    current: Current,
) -> ox.NamedNode:
    """Invalidate the record in force without replacing it; it stays in the history with the
    reason (sk:withdrawalReason). Raises NothingToWithdraw when none is in force."""
    graph = decisions_graph(found.tpid)
    what = (f"{kind.name_da} tilbagekaldt", f"{kind.name_en} withdrawn")
    activity = _activity(editor, graph, what, found.name, about)
    with audited(store, activity):
        earlier = current()
        if earlier is None:
            raise NothingToWithdraw(found.service)
        triples = invalidation(earlier, activity, dt.datetime.now(dt.UTC))
        triples.append(ox.Triple(earlier, term(SK, "withdrawalReason"), ox.Literal(reason.strip())))
        store.extend_graph(graph, triples)
    return earlier
