"""Write the Turtle test cases in tests/shapes/ from the guides' thresholds.

    .venv/bin/python tests/shapes/make_cases.py

Run again after changing a threshold in shapes/guides/ (the cases are committed; a test checks that
every criterion has its cases). Each case file holds one provider record and a block that states
the expected outcome (``t:Case``): results that must be present (``t:result``: focus node, source
shape, result path), results that must be absent (``t:noResult``), whether the provider conforms,
the placement of its service and, for specialfunktioner, the qualification.

Expected placements come from a small model of the criteria written here, independent of both
engines: a level holds when every criterion on it and on the levels below holds.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import rdflib

BASE = "https://specialekatalog.example/"
SK = rdflib.Namespace(BASE + "ontology#")
SKOS = rdflib.namespace.SKOS
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LEVELS = ("let", "moderat", "hoej")
STAFF = 20  # every share threshold times 20 is a whole number: shares sit exactly on the edge

Values = dict[str, object]


@dataclass(frozen=True)
class Criterion:
    iri: str
    kind: str  # min, max, share, bool, list, links, cooperation, sectors, requirements
    level: str
    parameter: str
    params: dict[str, object]

    @property
    def path(self) -> str:
        p = self.params
        if self.kind == "sectors":
            return str(SK.cooperationAgreement)
        return str(p.get("evidence") or p.get("numerator") or p.get("link"))

    def holds(self, v: Values) -> bool:
        p = self.params
        if self.kind == "min":
            return int(v.get(_local(p["evidence"]), 0)) >= int(p["minimum"])
        if self.kind == "max":
            given = v.get(_local(p["evidence"]))
            return given is not None and float(given) <= float(p["maximum"])
        if self.kind == "share":
            total = int(v.get(_local(p["denominator"]), 0))
            found = int(v.get(_local(p["numerator"]), 0))
            return total > 0 and found >= float(p["minimumShare"]) * total - 1e-9
        if self.kind == "bool":
            return v.get(_local(p["evidence"])) is True
        if self.kind == "list":
            given = set(v.get(_local(p["evidence"]), []))  # type: ignore[arg-type]
            return len(given & set(p["members"])) >= int(p["minimumCount"])  # type: ignore[arg-type]
        if self.kind == "links":
            types = v.get("activities", [])
            return sum(t in p["members"] for t in types) >= int(p["minimumLinks"])  # type: ignore[arg-type, union-attr]
        if self.kind == "cooperation":  # formal or ad hoc agreements with a listed sector
            with_listed = [s for s, _ in v.get("agreements", []) if s in p["members"]]  # type: ignore[union-attr, operator]
            return len(with_listed) >= int(p["minimumLinks"])  # type: ignore[call-overload]
        if self.kind == "sectors":
            formal = {s for s, f in v.get("agreements", []) if f}  # type: ignore[union-attr]
            return set(p["members"]) <= formal  # type: ignore[arg-type]
        raise ValueError(self.kind)


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _members(g: rdflib.Graph, collection: rdflib.term.Node) -> list[str]:
    return sorted(str(m) for m in g.objects(collection, SKOS.member))


def criteria(g: rdflib.Graph, tg: str) -> list[Criterion]:
    shapes = sorted(set(g.subjects(SK.refines, None)), key=str)
    return [_criterion(g, s) for s in shapes if str(g.value(s, SK.forTargetGroup)) == tg]


def profile_criteria(g: rdflib.Graph, function_shape: str) -> list[Criterion]:
    """The measurable requirements of the function's competence profile (its sh:node parts in
    shapes/competence-profiles/)."""
    parts = g.objects(rdflib.URIRef(function_shape), rdflib.namespace.SH.node)
    return [_criterion(g, s) for s in sorted(parts, key=str) if "/competence-profiles/" in str(s)]


def _criterion(g: rdflib.Graph, shape: rdflib.term.Node) -> Criterion:
    p: dict[str, object] = {_local(k): v for k, v in g.predicate_objects(shape)}
    for key in ("acceptedValues", "acceptedTypes", "requiredSectors"):
        if key in p:
            p["members"] = _members(g, p[key])  # type: ignore[arg-type]
    kind = (
        "min"
        if "minimum" in p
        else "max"
        if "maximum" in p
        else "share"
        if "minimumShare" in p
        else "bool"
        if "required" in p
        else "list"
        if "minimumCount" in p
        else "links"
        if "minimumLinks" in p
        else "sectors"
    )
    if kind == "links" and _local(p["link"]) == "cooperationAgreement":
        kind = "cooperation"
    level = str(p["level"]).rsplit("/", 1)[-1]
    parameter = str(p["parameter"]).rsplit("/", 1)[-1]
    return Criterion(str(shape), kind, level, parameter, p)


def placement(crits: list[Criterion], v: Values) -> str:
    reached = "none"  # below let: not placed (almenområdet is never a computed placement)
    for level in LEVELS:
        if not all(c.holds(v) for c in crits if c.level == level):
            break
        reached = level
    return reached


def consistent(v: Values) -> Values:
    """Keep the record well formed after a change (the integrity shapes' consistency rules)."""
    v = dict(v)
    staff = int(v["staffCount"])  # type: ignore[call-overload]
    for key in (
        "staffWith3YearsExperience",
        "staffWithRelevantEducation",
        "staffWithFurtherEducation",
        "staffWithAidsCompetence",
    ):
        v[key] = min(int(v[key]), staff)  # type: ignore[call-overload]
    v["staffWith5YearsExperience"] = min(
        int(v["staffWith5YearsExperience"]), int(v["staffWith3YearsExperience"])
    )  # type: ignore[call-overload]
    v["citizensWithComplexNeeds"] = min(
        int(v["citizensWithComplexNeeds"]), int(v["citizensServed"])
    )  # type: ignore[call-overload]
    return v


def base_values(crits: list[Criterion]) -> Values:
    """A service that meets every criterion of the guide with room to spare."""
    v: Values = {
        "staffCount": STAFF,
        "staffTurnover": 0.05,
        "hasCoverArrangement": True,
        "hasProfessionalSupervision": True,
        "citizensServed": 2,
        "citizensWithComplexNeeds": 0,
        "staffWith3YearsExperience": 0,
        "staffWith5YearsExperience": 0,
        "staffWithRelevantEducation": 0,
        "staffWithFurtherEducation": 0,
        "staffWithAidsCompetence": 0,
        "certification": [],
        "method": [],
        "aidOrTechnology": [],
        "competence": [],
        "activities": [],
        "agreements": [],
    }
    for c in crits:
        p = c.params
        if c.kind == "min":
            key = _local(p["evidence"])
            v[key] = max(int(v.get(key, 0)), int(p["minimum"]) + 2)  # type: ignore[call-overload]
        elif c.kind == "share":
            key = _local(p["numerator"])
            v[key] = max(int(v[key]), math.ceil(float(p["minimumShare"]) * STAFF) + 2)  # type: ignore[call-overload]
        elif c.kind == "list":
            key = _local(p["evidence"])
            have = list(v[key])  # type: ignore[call-overload]
            extra = [m for m in p["members"] if m not in have][: int(p["minimumCount"]) + 1]  # type: ignore[union-attr]
            v[key] = have + extra
        elif c.kind == "links":
            have = list(v["activities"])  # type: ignore[call-overload]
            need = int(p["minimumLinks"]) + 1 - sum(t in p["members"] for t in have)  # type: ignore[operator]
            v["activities"] = have + [t for t in p["members"] for _ in range(need)][: max(need, 0)]  # type: ignore[union-attr]
        elif c.kind == "cooperation":
            have = [s for s, _ in v["agreements"] if s in p["members"]]  # type: ignore[attr-defined, operator]
            need = int(p["minimumLinks"]) + 1 - len(have)  # type: ignore[call-overload]
            ad_hoc = [(s, False) for s in p["members"]][: max(need, 0)]  # type: ignore[union-attr]
            v["agreements"] = list(v["agreements"]) + ad_hoc  # type: ignore[call-overload]
        elif c.kind == "sectors":
            have = {s for s, _ in v["agreements"]}  # type: ignore[attr-defined]
            v["agreements"] = list(v["agreements"]) + [
                (s, True) for s in p["members"] if s not in have
            ]  # type: ignore[call-overload, union-attr]
    v["citizensServed"] = max(int(v["citizensServed"]), int(v["citizensWithComplexNeeds"]) + 2)  # type: ignore[call-overload]
    return consistent(v)


def variants(c: Criterion, v: Values) -> list[tuple[str, Values]]:
    """(edge, values) pairs: exactly on, just above, just below the threshold (or valid/invalid)."""
    p = c.params
    if c.kind == "min":
        key, m = _local(p["evidence"]), int(p["minimum"])  # type: ignore[call-overload]
        out = [("on", {**v, key: m}), ("above", {**v, key: m + 1})]
        return out + ([("below", {**v, key: m - 1})] if m > 0 else [])
    if c.kind == "max":
        key, x = _local(p["evidence"]), float(p["maximum"])  # type: ignore[arg-type]
        return [
            ("on", {**v, key: x}),
            ("below", {**v, key: round(x - 0.01, 2)}),
            ("above", {**v, key: round(x + 0.01, 2)}),
            ("missing", {k: w for k, w in v.items() if k != key}),
        ]
    if c.kind == "share":
        key, n = _local(p["numerator"]), round(float(p["minimumShare"]) * STAFF)  # type: ignore[arg-type]
        return [("on", {**v, key: n}), ("above", {**v, key: n + 1}), ("below", {**v, key: n - 1})]
    if c.kind == "bool":
        key = _local(p["evidence"])
        return [
            ("true", {**v, key: True}),
            ("false", {**v, key: False}),
            ("missing", {k: w for k, w in v.items() if k != key}),
        ]
    if c.kind == "list":
        key, k, members = _local(p["evidence"]), int(p["minimumCount"]), list(p["members"])  # type: ignore[call-overload]
        outside = [m for m in v[key] if m not in members]  # type: ignore[attr-defined]
        out = [("on", {**v, key: outside + members[:k]})]
        if len(members) > k:
            out.append(("above", {**v, key: outside + members[: k + 1]}))
        return out + [("below", {**v, key: outside + members[: k - 1]})]
    if c.kind == "links":
        k, members = int(p["minimumLinks"]), list(p["members"])  # type: ignore[call-overload]
        other = [t for t in v["activities"] if t not in members]  # type: ignore[attr-defined]
        pick = [members[i % len(members)] for i in range(k + 1)]
        return [
            ("on", {**v, "activities": other + pick[:k]}),
            ("above", {**v, "activities": other + pick}),
            ("below", {**v, "activities": other + pick[: k - 1]}),
        ]
    members = list(p["members"])  # type: ignore[call-overload]
    rest = [(s, f) for s, f in v["agreements"] if s not in members]  # type: ignore[attr-defined]
    if c.kind == "cooperation":  # ad hoc cooperation counts as much as a formal agreement
        k = int(p["minimumLinks"])  # type: ignore[call-overload]
        return [
            ("ad-hoc", {**v, "agreements": rest + [(s, False) for s in members][:k]}),
            ("formal", {**v, "agreements": rest + [(s, True) for s in members][:k]}),
            ("none", {**v, "agreements": rest + [(s, False) for s in members][: k - 1]}),
        ]
    return [
        ("covered", {**v, "agreements": rest + [(s, True) for s in members]}),
        ("one-missing", {**v, "agreements": rest + [(s, True) for s in members[1:]]}),
        (
            "one-informal",
            {**v, "agreements": rest + [(members[0], False)] + [(s, True) for s in members[1:]]},
        ),
    ]


# --- writing Turtle ---------------------------------------------------------------------------


@dataclass
class Provider:
    tpid: str
    tg: str
    values: Values
    offer_type: str = "vocab/offer-type/botilbud"
    legal_basis: str = "vocab/legal-basis/sel-108"
    age_groups: tuple[str, ...] = ("voksne",)
    sub_groups: tuple[str, ...] = ()
    provider_lines: list[str] | None = None
    edits: list[tuple[str, str]] = field(default_factory=list)  # regex edits of the record text

    @property
    def iri(self) -> str:
        return f"<id/provider/{self.tpid}>"

    @property
    def service(self) -> str:
        return f"<id/provider/{self.tpid}/target-group/{self.tg.rsplit('/', 1)[-1]}>"

    def turtle(self) -> list[str]:
        t, v = self.tpid, self.values
        lines = (
            self.provider_lines
            if self.provider_lines is not None
            else [
                f"{self.iri} a sk:Provider ;",
                f'    sk:name "Testtilbud {t}" ; sk:tilbudsportalenId "{t}" ;',
                f'    sk:cvr "{int(t) % 10**8:08d}" ; sk:postalCode "4000" ; sk:city "Roskilde" ;',
                "    sk:municipality <vocab/municipality/265> ;",
                f"    sk:offerType <{self.offer_type}> ; sk:legalBasis <{self.legal_basis}> ;",
                "    sk:capacity 24 ; sk:underEnhancedSupervision false ;",
                f"    sk:hasApproval <id/provider/{t}/approval/1> ; sk:serves {self.service} .",
                f"<id/provider/{t}/approval/1> a sk:Approval ;",
                "    sk:approvalStatus <vocab/approval-status/godkendt> ;",
                '    sk:validFrom "2024-03-01"^^xsd:date ;',
                "    sk:approvedBy <vocab/supervisory-authority/oest> .",
            ]
        )
        s = [
            f"{self.service} a sk:TargetGroupService ;",
            f"    sk:provider {self.iri} ;",
            f"    sk:targetGroup <{self.tg}> ;",
        ]
        s += [f"    sk:ageGroup <vocab/age-group/{a}> ;" for a in self.age_groups]
        s += [f"    sk:subTargetGroup <{g}> ;" for g in self.sub_groups]
        for key in (
            "citizensServed",
            "citizensWithComplexNeeds",
            "staffCount",
            "staffWith3YearsExperience",
            "staffWith5YearsExperience",
            "staffWithRelevantEducation",
            "staffWithFurtherEducation",
            "staffWithAidsCompetence",
        ):
            if key in v:
                s.append(f"    sk:{key} {int(v[key])} ;")  # type: ignore[call-overload]
        if "staffTurnover" in v:
            s.append(f'    sk:staffTurnover "{float(v["staffTurnover"]):.2f}"^^xsd:decimal ;')  # type: ignore[arg-type]
        for key in ("hasCoverArrangement", "hasProfessionalSupervision"):
            if key in v:
                s.append(f"    sk:{key} {'true' if v[key] else 'false'} ;")
        for key in ("certification", "method", "aidOrTechnology", "competence"):
            s += [f"    sk:{key} <{m}> ;" for m in v.get(key, [])]  # type: ignore[attr-defined]
        acts = [f"<id/provider/{t}/activity/{i + 1}>" for i in range(len(v.get("activities", [])))]  # type: ignore[arg-type]
        agrs = [f"<id/provider/{t}/agreement/{i + 1}>" for i in range(len(v.get("agreements", [])))]  # type: ignore[arg-type]
        s += [f"    sk:knowledgeActivity {a} ;" for a in acts]
        s += [f"    sk:cooperationAgreement {a} ;" for a in agrs]
        s[-1] = s[-1][:-2] + " ."
        for a, kind in zip(acts, v.get("activities", []), strict=True):  # type: ignore[call-overload]
            s.append(f"{a} a sk:KnowledgeActivity ; sk:activityType <{kind}> ; sk:year 2025 .")
        for a, (sector, formal) in zip(agrs, v.get("agreements", []), strict=True):  # type: ignore[call-overload]
            s.append(
                f"{a} a sk:CooperationAgreement ; sk:sector <{sector}> ; "
                f'sk:formal {str(formal).lower()} ; sk:partnerName "Partner" .'
            )
        text = "\n".join(lines + s)
        for pattern, replacement in self.edits:
            text, n = re.subn(pattern, replacement, text, count=1)
            assert n == 1, pattern
        return text.split("\n")


@dataclass
class Case:
    folder: str
    name: str  # valid or invalid
    comment: str
    provider: Provider
    conforms: bool = True
    placement: str | None = None  # level code, "none" (not placed) or None (not stated)
    results: list[tuple[str, str, str | None]] = field(default_factory=list)  # focus, shape, path
    absent: list[tuple[str, str]] = field(default_factory=list)  # focus, shape
    qualifications: list[tuple[str, bool]] = field(default_factory=list)  # function, meets

    def turtle(self, number: int) -> str:
        case = f"<test/case/{self.folder}/{number:03d}>"
        out = [
            f"# {self.comment}",
            "",
            f"{case} a t:Case ;",
            f'    rdfs:comment "{self.comment}" ;',
            f"    t:conforms {str(self.conforms).lower()} ;",
        ]
        if self.placement is not None:
            level = "t:none" if self.placement == "none" else f"<vocab/level/{self.placement}>"
            out.append(f"    t:placement [ t:service {self.provider.service} ; t:level {level} ] ;")
        for focus, shape, path in self.results:
            rp = f" ; sh:resultPath <{path}>" if path else ""
            out.append(f"    t:result [ sh:focusNode {focus} ; sh:sourceShape <{shape}>{rp} ] ;")
        for focus, shape in self.absent:
            out.append(f"    t:noResult [ sh:focusNode {focus} ; sh:sourceShape <{shape}> ] ;")
        for function, meets in self.qualifications:
            out.append(
                f"    t:qualification [ t:service {self.provider.service} ; "
                f"t:function <{function}> ; t:meets {str(meets).lower()} ] ;"
            )
        out[-1] = out[-1][:-2] + " ."
        body = "\n".join(out + ["", *self.provider.turtle(), ""]).replace("<" + BASE, "<")
        return PREFIXES + "\n" + body


PREFIXES = """@base <https://specialekatalog.example/> .
@prefix sk: <https://specialekatalog.example/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix t: <https://specialekatalog.example/test#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _rel(iri: str) -> str:
    return iri.replace(BASE, "")


def guide_cases(shapes: rdflib.Graph, guide: str, tg: str, tpids: Callable[[], str]) -> list[Case]:
    crits = criteria(shapes, tg)
    base = base_values(crits)
    assert placement(crits, base) == "hoej", guide
    cases = []
    for c in crits:
        for edge, values in variants(c, base):
            values = consistent(values)
            provider = Provider(tpids(), tg, values)
            holds = c.holds(values)
            svc = provider.service
            case = Case(
                folder=f"{guide}-{c.parameter}",
                name="valid" if holds else "invalid",
                comment=f"{c.iri.rsplit('#', 1)[-1]}: {edge} ({c.kind})",
                provider=provider,
                placement=placement(crits, values),
            )
            if holds:
                case.absent.append((svc, c.iri))
            else:
                case.results.append((svc, c.iri, c.path))
            cases.append(case)
    return cases


PARTS = ("-Requirements", "-Certification", "-Advice")


def function_cases(
    shapes: rdflib.Graph, plan: rdflib.Graph, tpids: Callable[[], str]
) -> list[Case]:
    cases = []
    for f in sorted(plan.subjects(SK.criteriaShape, None), key=str):
        tg = str(plan.value(f, SK.targetGroup))
        shape = str(plan.value(f, SK.criteriaShape))
        name = shape.rsplit("#", 1)[-1]
        crits = criteria(shapes, tg)
        profile = profile_criteria(shapes, shape)
        v = base_values(crits + profile)
        certs = _members(shapes, rdflib.URIRef(shape + "-Certifications"))
        v = {
            **v,
            "certification": list(v["certification"]) + certs[:1],  # type: ignore[call-overload]
            "activities": list(v["activities"])
            + [BASE + "vocab/knowledge-activity-type/raadgivning"],
        }  # type: ignore[call-overload]
        good = Provider(
            "",
            tg,
            v,
            offer_type=_rel(str(plan.value(f, SK.requiredOfferType))),
            legal_basis=_rel(str(plan.value(f, SK.requiredLegalBasis))),
            age_groups=tuple(
                sorted(str(a).rsplit("/", 1)[-1] for a in plan.objects(f, SK.ageGroup))
            )[:1],
            sub_groups=tuple(sorted(str(s) for s in plan.objects(f, SK.subTargetGroup))),
        )
        folder = f"specialfunktion-{str(f).rsplit('/', 1)[-1]}"
        turnover = next(c.iri for c in crits if c.kind == "max" and c.level == "hoej")
        ages = {"boern", "unge", "voksne"} - {
            str(a).rsplit("/", 1)[-1] for a in plan.objects(f, SK.ageGroup)
        }
        mutations: list[tuple[str, dict[str, object], str | None]] = [
            ("meets every criterion", {}, None),
            (
                "no certification from the function's list",
                {
                    "values": {
                        **v,
                        "certification": [c for c in v["certification"] if c not in certs],
                    }
                },  # type: ignore[attr-defined]
                shape + "-Certification",
            ),
            (
                "no advice or teaching activity",
                {
                    "values": {
                        **v,
                        "activities": [
                            a
                            for a in v["activities"]
                            if not a.endswith(("raadgivning", "undervisning"))
                        ],
                    }
                },  # type: ignore[attr-defined]
                shape + "-Advice",
            ),
            (
                "another offer type",
                {"offer_type": "vocab/offer-type/mobilt-tilbud"},
                shape + "-Requirements",
            ),
            (
                "another legal basis",
                {"legal_basis": "vocab/legal-basis/sel-85a"},
                shape + "-Requirements",
            ),
            ("another age group", {"age_groups": (sorted(ages)[0],)}, shape + "-Requirements"),
            ("no sub-target group", {"sub_groups": ()}, shape + "-Requirements"),
            (
                "level criteria not met (staff turnover too high)",
                {"values": {**v, "staffTurnover": 0.6}},
                turnover,
            ),
        ]
        for label, change, failing in mutations:
            provider = replace(good, tpid=tpids(), **change)  # type: ignore[arg-type]
            ok = label == "meets every criterion"
            case = Case(
                folder,
                "valid" if ok else "invalid",
                f"{name}: {label}",
                provider,
                qualifications=[(str(f), ok)],
            )
            svc = provider.service
            if ok:
                case.absent += [(svc, shape + part) for part in PARTS]
                case.absent += [(svc, c.iri) for c in profile]
            if failing:
                path = {
                    "-Certification": str(SK.certification),
                    "-Advice": str(SK.knowledgeActivity),
                }.get(failing[len(shape) :], str(SK.staffTurnover))
                if failing.endswith("-Requirements"):
                    key = next(iter(change))
                    path = str(
                        SK[
                            {
                                "offer_type": "offerType",
                                "legal_basis": "legalBasis",
                                "age_groups": "ageGroup",
                                "sub_groups": "subTargetGroup",
                            }[key]
                        ]
                    )
                case.results.append((svc, failing, path))
            cases.append(case)
    return cases


def _prereq(tpids: Callable[[], str], tg: str, v: Values) -> list[Case]:
    p = f"{BASE}shapes/prerequisite#"

    def provider(status: list[str], supervision: str | None) -> Provider:
        t = tpids()
        pr = Provider(t, tg, v)
        lines = [
            f"{pr.iri} a sk:Provider ;",
            f'    sk:name "Testtilbud {t}" ; sk:tilbudsportalenId "{t}" ;',
            f'    sk:cvr "{int(t) % 10**8:08d}" ; sk:municipality <vocab/municipality/265> ;',
            "    sk:offerType <vocab/offer-type/botilbud> ;",
            "    sk:legalBasis <vocab/legal-basis/sel-108> ;",
        ]
        if supervision is not None:
            lines.append(f"    sk:underEnhancedSupervision {supervision} ;")
        for i in range(len(status)):
            lines.append(f"    sk:hasApproval <id/provider/{t}/approval/{i + 1}> ;")
        lines.append(f"    sk:serves {pr.service} .")
        for i, s in enumerate(status):
            lines.append(
                f"<id/provider/{t}/approval/{i + 1}> a sk:Approval ; "
                f"sk:approvalStatus <vocab/approval-status/{s}> ; "
                f'sk:validFrom "2020-01-0{i + 1}"^^xsd:date .'
            )
        pr.provider_lines = lines
        return pr

    folder = "prerequisite"
    out = []
    for label, status, sup, failing in [
        ("approved, not under enhanced supervision", ["godkendt"], "false", []),
        ("approved with conditions", ["godkendt-med-vilkaar"], "false", []),
        ("the only approval is withdrawn", ["tilbagekaldt"], "false", ["Approved", "NotWithdrawn"]),
        (
            "one approval in force, another withdrawn",
            ["godkendt", "tilbagekaldt"],
            "false",
            ["NotWithdrawn"],
        ),
        ("no approval at all", [], "false", ["Approved"]),
        ("under enhanced supervision", ["godkendt"], "true", ["NotUnderEnhancedSupervision"]),
        ("enhanced supervision not stated", ["godkendt"], None, ["NotUnderEnhancedSupervision"]),
    ]:
        pr = provider(status, sup)
        path = {
            "Approved": SK.hasApproval,
            "NotWithdrawn": SK.hasApproval,
            "NotUnderEnhancedSupervision": SK.underEnhancedSupervision,
        }
        case = Case(
            folder,
            "invalid" if failing else "valid",
            f"prerequisite: {label}",
            pr,
            conforms=not failing,
            placement="none" if failing else "hoej",
        )
        case.results = [(pr.iri, p + name, str(path[name])) for name in failing]
        case.absent = [(pr.iri, p + name) for name in path if name not in failing]
        out.append(case)
    return out


INTEGRITY = [
    # label, shape (integrity#...), path, focus, pattern, replacement
    (
        "CVR number with 7 digits",
        "Provider-cvr",
        "cvr",
        "provider",
        r'sk:cvr "\d{8}"',
        'sk:cvr "1234567"',
    ),
    (
        "two CVR numbers",
        "Provider-cvr",
        "cvr",
        "provider",
        r'sk:cvr "(\d{8})"',
        r'sk:cvr "\1" , "87654321"',
    ),
    (
        "Tilbudsportalen id with a letter",
        "Provider-tilbudsportalenId",
        "tilbudsportalenId",
        "provider",
        r'sk:tilbudsportalenId "\d+"',
        'sk:tilbudsportalenId "12a"',
    ),
    (
        "postal code with 3 digits",
        "Provider-postalCode",
        "postalCode",
        "provider",
        '"4000"',
        '"400"',
    ),
    (
        "municipality is a region",
        "Provider-municipality",
        "municipality",
        "provider",
        "<vocab/municipality/265>",
        "<vocab/region/1084>",
    ),
    (
        "no offer type",
        "Provider-offerType",
        "offerType",
        "provider",
        r"sk:offerType <[^>]+> ; ",
        "",
    ),
    (
        "negative capacity",
        "Provider-capacity",
        "capacity",
        "provider",
        "sk:capacity 24",
        "sk:capacity -1",
    ),
    (
        "capacity as text",
        "Provider-capacity",
        "capacity",
        "provider",
        "sk:capacity 24",
        'sk:capacity "24"',
    ),
    (
        "website not http(s)",
        "Provider-website",
        "website",
        "provider",
        "sk:capacity 24 ;",
        "sk:capacity 24 ; sk:website <ftp://tilbud.example/> ;",
    ),
    (
        "approval date is not a date",
        "Approval-validFrom",
        "validFrom",
        "approval",
        '"2024-03-01"',
        '"2024-03-xx"',
    ),
    (
        "approval valid from after valid until",
        "Approval-validFrom",
        "validFrom",
        "approval",
        r'"2024-03-01"\^\^xsd:date ;',
        '"2024-03-01"^^xsd:date ; sk:validUntil "2023-01-01"^^xsd:date ;',
    ),
    (
        "approval status from another vocabulary",
        "Approval-approvalStatus",
        "approvalStatus",
        "approval",
        "<vocab/approval-status/godkendt>",
        "<vocab/offer-type/botilbud>",
    ),
    (
        "staff turnover above 1",
        "TargetGroupService-staffTurnover",
        "staffTurnover",
        "service",
        r'sk:staffTurnover "[0-9.]+"',
        'sk:staffTurnover "1.50"',
    ),
    (
        "more staff with 5 than with 3 years",
        "TargetGroupService-staffWith5YearsExperience",
        "staffWith5YearsExperience",
        "service",
        r"sk:staffWith5YearsExperience \d+",
        "sk:staffWith5YearsExperience 19",
    ),
    (
        "more staff with 3 years than staff",
        "TargetGroupService-staffWith3YearsExperience",
        "staffWith3YearsExperience",
        "service",
        r"sk:staffWith3YearsExperience \d+",
        "sk:staffWith3YearsExperience 21",
    ),
    (
        "more citizens with complex needs than citizens",
        "TargetGroupService-citizensWithComplexNeeds",
        "citizensWithComplexNeeds",
        "service",
        r"sk:citizensWithComplexNeeds \d+",
        "sk:citizensWithComplexNeeds 99",
    ),
    (
        "negative count of citizens",
        "TargetGroupService-citizensServed",
        "citizensServed",
        "service",
        r"sk:citizensServed \d+",
        "sk:citizensServed -1",
    ),
    (
        "staff count as a decimal",
        "TargetGroupService-staffCount",
        "staffCount",
        "service",
        r"sk:staffCount \d+",
        "sk:staffCount 20.0",
    ),
    (
        "cover arrangement as text",
        "TargetGroupService-hasCoverArrangement",
        "hasCoverArrangement",
        "service",
        "sk:hasCoverArrangement true",
        'sk:hasCoverArrangement "ja"',
    ),
    (
        "target group is a method",
        "TargetGroupService-targetGroup",
        "targetGroup",
        "service",
        r"sk:targetGroup <[^>]+>",
        "sk:targetGroup <vocab/method/teacch>",
    ),
    (
        "a method that is an aid",
        "TargetGroupService-method",
        "method",
        "service",
        r"(sk:method <[^>]+> ;)",
        r"\1 sk:method <vocab/aid/mobilitetsstok> ;",
    ),
    (
        "activity year as text",
        "KnowledgeActivity-year",
        "year",
        "activity",
        "sk:year 2025",
        'sk:year "2025"',
    ),
    (
        "agreement without a sector",
        "CooperationAgreement-sector",
        "sector",
        "agreement",
        r"(agreement/1> a sk:CooperationAgreement ;) sk:sector <[^>]+> ;",
        r"\1",
    ),
]


def integrity_cases(tpids: Callable[[], str], tg: str, v: Values) -> list[Case]:
    out = []
    for label, shape, path, focus, pattern, replacement in INTEGRITY:
        provider = Provider(tpids(), tg, v, edits=[(pattern, replacement)])
        t = provider.tpid
        node = {
            "provider": provider.iri,
            "service": provider.service,
            "approval": f"<id/provider/{t}/approval/1>",
            "activity": f"<id/provider/{t}/activity/1>",
            "agreement": f"<id/provider/{t}/agreement/1>",
        }[focus]
        case = Case(
            "integrity",
            "invalid",
            f"integrity: {label}",
            provider,
            conforms=False,
            placement="none",
        )
        case.results = [(node, f"{BASE}shapes/integrity#{shape}", str(SK[path]))]
        out.append(case)
    return out


def main() -> None:
    shapes = rdflib.Graph()
    for path in (
        sorted((ROOT / "shapes").glob("*.ttl"))
        + sorted((ROOT / "shapes" / "guides").glob("*.ttl"))
        + sorted((ROOT / "shapes" / "competence-profiles").glob("*.ttl"))
    ):
        shapes.parse(path)
    plan = rdflib.Graph().parse(ROOT / "ontology" / "specialty-plan.ttl")
    counter = iter(range(900001, 999999))

    def tpids() -> str:
        return str(next(counter))

    cases: list[Case] = []
    guides = {
        "autisme": BASE + "vocab/target-group/9b3fd322-a75a-4ed8-9b74-425fa1e01c95",
        "erhvervet-hjerneskade": BASE + "vocab/target-group/d26f97e8-99ed-46a9-94db-93340f77a950",
        "synsnedsaettelse": BASE + "vocab/target-group/615310e8-f702-4455-910b-9d6d8aa684fb",
    }
    for guide, tg in guides.items():
        cases += guide_cases(shapes, guide, tg, tpids)
    cases += function_cases(shapes, plan, tpids)
    autism = guides["autisme"]
    base = base_values(criteria(shapes, autism))
    cases += _prereq(tpids, autism, base)
    cases += integrity_cases(tpids, autism, base)
    for folder in {c.folder for c in cases}:
        shutil.rmtree(HERE / folder, ignore_errors=True)
    numbers: dict[str, int] = {}
    for case in cases:
        n = numbers[case.folder] = numbers.get(case.folder, 0) + 1
        target = HERE / case.folder / f"{n:03d}-{case.name}.ttl"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(case.turtle(n), encoding="utf-8")
    print(f"{len(cases)} cases in {len(numbers)} folders")


if __name__ == "__main__":
    main()
