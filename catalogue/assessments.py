"""Competence assessments: the supervising authority rates a service against a specialfunktion's
competence profile, one rating per requirement on the scale in ontology/competence-planning.ttl
(illustrative until DEFACTUM's bilag 2 is loaded), with evidence, a date, an overall conclusion
and a follow-up date.

Assessments are decisions of the same kind as placement decisions (catalogue/decisions.py) and are
kept the same way: in the provider's decisions graph ``{base}graph/decisions/{tpid}``, which an
upload never writes, appended to under the audited editing lock::

    <id/provider/1/target-group/{tg}/assessment/{function}/2> a sk:CompetenceAssessment ;
        sk:assessmentOf <id/provider/1/target-group/{tg}> ;
        sk:assessedFunction <id/specialty-function/{function}> ;
        sk:assessedBy <vocab/supervisory-authority/oest> ;
        sk:assessmentDate "2026-03-01"^^xsd:date ;
        sk:conclusion "..." ; sk:followUpOn "2027-03-01"^^xsd:date ;
        sk:rating <.../assessment/{function}/2/rating/{requirement}> ;
        prov:generatedAtTime "..."^^xsd:dateTime ;
        prov:wasRevisionOf <.../assessment/{function}/1> .     # it replaces assessment 1
    <.../rating/{requirement}> a sk:RequirementRating ;
        sk:ratedRequirement <shapes/competence-profiles/{function}#{requirement}> ;
        sk:ratingValue <vocab/assessment-rating/til-stede> ; sk:ratingEvidence "..." .
    <.../assessment/{function}/1> prov:wasInvalidatedBy <id/audit/{uuid}> ;
        prov:invalidatedAtTime "..."^^xsd:dateTime .

They are recorded from the command line (``specialekatalog competence assess``) and imported from
CSV (one row per rating) or RDF (the triples above).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import pyoxigraph as ox

from catalogue import authority_records as records
from catalogue import planning, queries
from catalogue.authority_records import Basis
from catalogue.browse.concepts import scheme
from catalogue.browse.rows import Concept, concept, number, text
from catalogue.editors import Editor
from catalogue.importing.csvfile import UnreadableFile
from catalogue.importing.problems import FileRefused, Problem, Problems
from catalogue.importing.rdffile import screen
from catalogue.namespaces import BASE, RDF, SK, VOCAB, code, term
from catalogue.store import Store, scratch_store

KIND = records.Kind(
    name_da="Kompetencevurdering",
    name_en="Competence assessment",
    of_da="vurderingens",
    noun_en="assessment",
    act=("vurdere kompetencerne", "assess the competences"),
    segment="assessment",
)
SCALE = str(VOCAB["assessment-rating"])
CSV_COLUMNS = (
    "service",
    "function",
    "by",
    "on",
    "conclusion",
    "follow_up",
    "requirement",
    "rating",
    "evidence",
)


@dataclass(frozen=True)
class Rating:
    requirement: str  # IRI of a requirement of the function's profile
    value: str  # IRI of a step on the assessment scale
    evidence: str = ""


@dataclass(frozen=True)
class NewAssessment:
    service: str
    function: str
    by: str  # IRI of the assessing authority
    on: dt.date
    conclusion: str
    follow_up: dt.date | None
    ratings: tuple[Rating, ...]


def check(
    new: NewAssessment,
    found: Basis,
    profile: planning.Profile | None,
    steps: set[str],
    today: dt.date,
) -> list[Problem]:
    """What is wrong with an assessment before it is recorded (Danish and English)."""
    problems = Problems(found.tpid)
    records.check_authority(problems, found, new.by, KIND.act)
    if profile is None:
        problems.add(
            "profil",
            "Specialfunktionen har ingen kompetenceprofil",
            "The specialty function has no competence profile",
        )
        return problems.items
    records.check_date(problems, KIND, new.on, today)
    if new.follow_up is not None and new.follow_up <= new.on:
        problems.add(
            "opfoelgning",
            "Opfølgningen skal ligge efter vurderingens dato",
            "The follow-up must come after the assessment's date",
        )
    if not new.conclusion.strip():
        problems.add("konklusion", "Angiv den samlede konklusion", "Give the overall conclusion")
    records.check_texts(problems, [new.conclusion, *(r.evidence for r in new.ratings)])
    wanted = {r.iri: r.name for r in profile.requirements}
    given = [r.requirement for r in new.ratings]
    if len(given) != len(set(given)) or set(given) - set(wanted):
        problems.add(
            "krav",
            "Hvert krav i profilen vurderes én gang, og kun profilens krav",
            "Each requirement of the profile is rated once, and only the profile's requirements",
        )
    if missing := [wanted[r] for r in wanted if r not in given]:
        problems.add(
            "krav",
            f"Vurder alle profilens krav; mangler: {', '.join(missing)}",
            f"Rate every requirement of the profile; missing: {', '.join(missing)}",
        )
    if any(r.value not in steps for r in new.ratings):
        problems.add(
            "skala",
            "En vurdering er ikke et trin på skalaen",
            "A rating is not a step on the scale",
        )
    return problems.items


def steps(store: Store, lang: str) -> list[Concept]:
    """The steps of the assessment scale (ontology/competence-planning.ttl)."""
    return scheme(store, SCALE, lang)


def resolve_requirement(profile: planning.Profile, given: str) -> str:
    """A requirement by IRI or by its name in the profile file (``FurtherEducation``)."""
    for r in profile.requirements:
        if given in (r.iri, r.iri.rsplit("#", 1)[-1]):
            return r.iri
    raise ValueError(f"{given!r} is not a requirement of the profile")


def resolve_step(given: str) -> str:
    """A step of the scale by IRI or code (``til-stede``)."""
    return given if given.startswith(("http://", "https://")) else f"{SCALE}/{given}"


def assessment_triples(iri: ox.NamedNode, new: NewAssessment) -> list[ox.Triple]:
    triples = [
        ox.Triple(iri, term(RDF, "type"), term(SK, "CompetenceAssessment")),
        ox.Triple(iri, term(SK, "assessmentOf"), ox.NamedNode(new.service)),
        ox.Triple(iri, term(SK, "assessedFunction"), ox.NamedNode(new.function)),
        ox.Triple(iri, term(SK, "assessedBy"), ox.NamedNode(new.by)),
        ox.Triple(iri, term(SK, "assessmentDate"), records.date_literal(new.on)),
        ox.Triple(iri, term(SK, "conclusion"), ox.Literal(new.conclusion.strip())),
    ]
    if new.follow_up is not None:
        triples.append(ox.Triple(iri, term(SK, "followUpOn"), records.date_literal(new.follow_up)))
    for r in new.ratings:
        node = ox.NamedNode(f"{iri.value}/rating/{r.requirement.rsplit('#', 1)[-1]}")
        triples += [
            ox.Triple(iri, term(SK, "rating"), node),
            ox.Triple(node, term(RDF, "type"), term(SK, "RequirementRating")),
            ox.Triple(node, term(SK, "ratedRequirement"), ox.NamedNode(r.requirement)),
            ox.Triple(node, term(SK, "ratingValue"), ox.NamedNode(r.value)),
        ]
        if r.evidence.strip():
            triples.append(
                ox.Triple(node, term(SK, "ratingEvidence"), ox.Literal(r.evidence.strip()))
            )
    return triples


def record(store: Store, new: NewAssessment, found: Basis, editor: Editor) -> ox.NamedNode:
    """Record the assessment (checked with ``check``); the current one for the same service and
    function is replaced and kept as history."""

    def current() -> ox.NamedNode | None:
        shown = latest(store, new.service, new.function, "da")
        return ox.NamedNode(shown.iri) if shown else None

    return records.record(
        store,
        KIND,
        found,
        editor,
        series=f"{KIND.segment}/{code(new.function)}",
        about=code(new.function),
        build=lambda iri: assessment_triples(iri, new),
        current=current,
    )


@dataclass(frozen=True)
class RatingShown:
    requirement: Concept
    value: Concept
    rank: int
    evidence: str


@dataclass
class Assessment:
    iri: str
    by: Concept
    on: str
    conclusion: str
    follow_up: str
    ratings: list[RatingShown] = field(default_factory=list)


def latest(store: Store, service: str, function: str, lang: str) -> Assessment | None:
    """The current assessment of the service for the function, or None."""
    rows = queries.run(
        store, "competence_assessment", service=service, function=function, lang=lang
    )
    if not rows:
        return None
    first = rows[0]
    found = Assessment(
        iri=text(first, "assessment"),
        by=concept(first, "by") or Concept("", ""),
        on=text(first, "on"),
        conclusion=text(first, "conclusion"),
        follow_up=text(first, "followUp"),
    )
    for r in rows:
        if text(r, "assessment") != found.iri or not text(r, "requirement"):
            continue
        found.ratings.append(
            RatingShown(
                requirement=concept(r, "requirement", "requirementLabel") or Concept("", ""),
                value=concept(r, "rating") or Concept("", ""),
                rank=number(r, "rank"),
                evidence=text(r, "evidence"),
            )
        )
    return found


# --- import ------------------------------------------------------------------------------------


def _day(value: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _function_iri(given: str) -> str:
    return (
        given
        if given.startswith(("http://", "https://"))
        else f"{BASE}id/specialty-function/{given}"
    )


def read_csv(
    content: str, profiles: dict[str, planning.Profile | None], authority: dict[str, str]
) -> list[NewAssessment]:
    """Assessments from CSV (columns CSV_COLUMNS, one row per rating; rows with the same service,
    function, authority and date form one assessment). ``profiles``: function IRI -> profile;
    ``authority``: code or IRI -> IRI. Raises ValueError naming the line of the first error."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    if set(CSV_COLUMNS) - set(reader.fieldnames or []):
        raise ValueError(f"the columns are {', '.join(CSV_COLUMNS)}")
    grouped: dict[tuple[str, str, str, str], list[tuple[int, dict[str, str]]]] = {}
    try:
        for line, row in enumerate(reader, start=2):
            key = (
                row["service"].strip(),
                _function_iri(row["function"].strip()),
                row["by"].strip(),
                row["on"].strip(),
            )
            grouped.setdefault(key, []).append((line, row))
    except csv.Error as exc:
        raise ValueError(f"line {reader.line_num}: CSV error: {exc}") from None
    found = []
    for (service, function, by, on), rows in grouped.items():
        line, first = rows[0]
        try:
            profile = profiles.get(function)
            if profile is None:
                raise ValueError(f"{function} has no competence profile")
            ratings = tuple(
                Rating(
                    resolve_requirement(profile, r["requirement"].strip()),
                    resolve_step(r["rating"].strip()),
                    r["evidence"],
                )
                for _, r in rows
            )
            follow = first["follow_up"].strip()
            found.append(
                NewAssessment(
                    service=service,
                    function=function,
                    by=authority.get(by, by),
                    on=_day(on, "on"),
                    conclusion=first["conclusion"],
                    follow_up=_day(follow, "follow_up") if follow else None,
                    ratings=ratings,
                )
            )
        except ValueError as exc:
            raise ValueError(f"line {line}: {exc}") from exc
    return found


def read_rdf(data: bytes, fmt: ox.RdfFormat) -> list[NewAssessment]:
    """Assessments from RDF written with the terms above (IRIs of the file are not kept: each
    assessment gets the next number when it is recorded)."""
    problems = Problems("")
    try:
        data = screen(data, fmt, problems)  # as an uploaded provider file: no DTD, no deep nesting
    except FileRefused:
        raise UnreadableFile(problems) from None
    store = scratch_store().oxigraph
    store.load(data, format=fmt, base_iri=BASE)

    def one(subject: object, prop: str) -> str:
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            raise ValueError(f"{subject}: not a resource")
        values = [
            q.object.value
            for q in store.quads_for_pattern(subject, term(SK, prop), None)
            if not isinstance(q.object, ox.Triple)
        ]
        if len(values) > 1:
            raise ValueError(f"{subject}: more than one sk:{prop}")
        return values[0] if values else ""

    found = []
    for q in store.quads_for_pattern(None, term(RDF, "type"), term(SK, "CompetenceAssessment")):
        node = q.subject
        if not isinstance(node, ox.NamedNode | ox.BlankNode):
            continue
        ratings = tuple(
            Rating(
                one(r.object, "ratedRequirement"),
                one(r.object, "ratingValue"),
                one(r.object, "ratingEvidence"),
            )  # type: ignore[arg-type]
            for r in store.quads_for_pattern(node, term(SK, "rating"), None)
        )
        follow = one(node, "followUpOn")
        found.append(
            NewAssessment(
                service=one(node, "assessmentOf"),
                function=one(node, "assessedFunction"),
                by=one(node, "assessedBy"),
                on=_day(one(node, "assessmentDate"), "sk:assessmentDate"),
                conclusion=one(node, "conclusion"),
                follow_up=_day(follow, "sk:followUpOn") if follow else None,
                ratings=ratings,
            )
        )
    return found
