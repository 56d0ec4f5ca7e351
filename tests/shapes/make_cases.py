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
from typing import Any

import rdflib

from catalogue.compliance import kinds

BASE = "https://specialekatalog.example/"
SK = rdflib.Namespace(BASE + "ontology#")
SKOS = rdflib.namespace.SKOS
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
LEVELS = ("let", "moderat", "hoej")
STAFF = 20  # every share threshold times 20 is a whole number: shares sit exactly on the edge

Values = dict[str, Any]
Params = dict[str, Any]  # a criterion's parameters by local name, and "members" of its collection


@dataclass(frozen=True)
class Kind:
    """What one kind of criterion (a component in shapes/components.ttl) means to the cases."""

    name: str  # in the cases' comments
    path: Callable[[Params], str]  # the result path of a failure
    holds: Callable[[Params, Values], bool]  # the independent model of the criterion
    variants: Callable[[Params, Values], list[tuple[str, Values]]]  # (edge, values) pairs
    base: Callable[[Params, Values], None] = lambda p, v: None  # meet it with room to spare


@dataclass(frozen=True)
class Criterion:
    iri: str
    kind: Kind
    level: str
    parameter: str
    params: Params

    @property
    def path(self) -> str:
        return self.kind.path(self.params)

    def holds(self, v: Values) -> bool:
        return self.kind.holds(self.params, v)


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _members(g: rdflib.Graph, collection: rdflib.term.Node) -> list[str]:
    return sorted(str(m) for m in g.objects(collection, SKOS.member))


# --- the kinds of criterion, by component (catalogue/compliance/kinds.py) and, for links, sk:link


def _evidence(p: Params) -> str:
    return str(p["evidence"])


def _min_holds(p: Params, v: Values) -> bool:
    return int(v.get(_local(p["evidence"]), 0)) >= int(p["minimum"])


def _min_base(p: Params, v: Values) -> None:
    key = _local(p["evidence"])
    v[key] = max(int(v.get(key, 0)), int(p["minimum"]) + 2)


def _min_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    key, m = _local(p["evidence"]), int(p["minimum"])
    out = [("on", {**v, key: m}), ("above", {**v, key: m + 1})]
    return out + ([("below", {**v, key: m - 1})] if m > 0 else [])


def _including_found(p: Params, v: Values) -> int:
    """The evidence, or at least the count it includes (missing counts as 0)."""
    given = int(v.get(_local(p["evidence"]), 0))
    return max(given, int(v.get(_local(p["includes"]), 0)))


def _including_holds(p: Params, v: Values) -> bool:
    return _including_found(p, v) >= int(p["minimumIncluding"])


def _including_base(p: Params, v: Values) -> None:
    key = _local(p["evidence"])
    v[key] = max(int(v.get(key, 0)), int(p["minimumIncluding"]) + 2)


def _including_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    key, included, m = _local(p["evidence"]), _local(p["includes"]), int(p["minimumIncluding"])
    out = [("on", {**v, key: m}), ("above", {**v, key: m + 1})]
    out += [("below", {**v, key: m - 1})] if m > 0 else []
    missing = {k: w for k, w in v.items() if k != key}  # data from before the evidence existed
    out += [("missing, included on", {**missing, included: m})]
    return out + ([("missing, included below", {**missing, included: m - 1})] if m > 0 else [])


def _max_holds(p: Params, v: Values) -> bool:
    given = v.get(_local(p["evidence"]))
    return given is not None and float(given) <= float(p["maximum"])


def _max_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    key, x = _local(p["evidence"]), float(p["maximum"])
    return [
        ("on", {**v, key: x}),
        ("below", {**v, key: round(x - 0.01, 2)}),
        ("above", {**v, key: round(x + 0.01, 2)}),
        ("missing", {k: w for k, w in v.items() if k != key}),
    ]


def _share_holds(p: Params, v: Values) -> bool:
    total = int(v.get(_local(p["denominator"]), 0))
    found = int(v.get(_local(p["numerator"]), 0))
    return total > 0 and found >= float(p["minimumShare"]) * total - 1e-9


def _share_base(p: Params, v: Values) -> None:
    key = _local(p["numerator"])
    v[key] = max(int(v[key]), math.ceil(float(p["minimumShare"]) * STAFF) + 2)


def _share_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    key, n = _local(p["numerator"]), round(float(p["minimumShare"]) * STAFF)
    return [("on", {**v, key: n}), ("above", {**v, key: n + 1}), ("below", {**v, key: n - 1})]


def _bool_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    key = _local(p["evidence"])
    return [
        ("true", {**v, key: True}),
        ("false", {**v, key: False}),
        ("missing", {k: w for k, w in v.items() if k != key}),
    ]


def _list_holds(p: Params, v: Values) -> bool:
    given = set(v.get(_local(p["evidence"]), []))
    return len(given & set(p["members"])) >= int(p["minimumCount"])


def _list_base(p: Params, v: Values) -> None:
    key = _local(p["evidence"])
    have = list(v[key])
    extra = [m for m in p["members"] if m not in have][: int(p["minimumCount"]) + 1]
    v[key] = have + extra


def _list_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    key, k, members = _local(p["evidence"]), int(p["minimumCount"]), list(p["members"])
    outside = [m for m in v[key] if m not in members]
    out = [("on", {**v, key: outside + members[:k]})]
    if len(members) > k:
        out.append(("above", {**v, key: outside + members[: k + 1]}))
    return out + [("below", {**v, key: outside + members[: k - 1]})]


def _link(p: Params) -> str:
    return str(p["link"])


def _links_holds(p: Params, v: Values) -> bool:
    types = v.get("activities", [])
    return sum(t in p["members"] for t in types) >= int(p["minimumLinks"])


def _links_base(p: Params, v: Values) -> None:
    have = list(v["activities"])
    need = int(p["minimumLinks"]) + 1 - sum(t in p["members"] for t in have)
    v["activities"] = have + [t for t in p["members"] for _ in range(need)][: max(need, 0)]


def _links_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    k, members = int(p["minimumLinks"]), list(p["members"])
    other = [t for t in v["activities"] if t not in members]
    pick = [members[i % len(members)] for i in range(k + 1)]
    return [
        ("on", {**v, "activities": other + pick[:k]}),
        ("above", {**v, "activities": other + pick}),
        ("below", {**v, "activities": other + pick[: k - 1]}),
    ]


def _cooperation_holds(p: Params, v: Values) -> bool:  # formal or ad hoc agreements
    with_listed = [s for s, _ in v.get("agreements", []) if s in p["members"]]
    return len(with_listed) >= int(p["minimumLinks"])


def _cooperation_base(p: Params, v: Values) -> None:
    have = [s for s, _ in v["agreements"] if s in p["members"]]
    need = int(p["minimumLinks"]) + 1 - len(have)
    ad_hoc = [(s, False) for s in p["members"]][: max(need, 0)]
    v["agreements"] = list(v["agreements"]) + ad_hoc


def _other_agreements(p: Params, v: Values) -> list[tuple[str, bool]]:
    return [(s, f) for s, f in v["agreements"] if s not in p["members"]]


def _cooperation_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    # ad hoc cooperation counts as much as a formal agreement
    k, members, rest = int(p["minimumLinks"]), list(p["members"]), _other_agreements(p, v)
    return [
        ("ad-hoc", {**v, "agreements": rest + [(s, False) for s in members][:k]}),
        ("formal", {**v, "agreements": rest + [(s, True) for s in members][:k]}),
        ("none", {**v, "agreements": rest + [(s, False) for s in members][: k - 1]}),
    ]


def _sectors_holds(p: Params, v: Values) -> bool:
    formal = {s for s, f in v.get("agreements", []) if f}
    return set(p["members"]) <= formal


def _sectors_base(p: Params, v: Values) -> None:
    have = {s for s, _ in v["agreements"]}
    v["agreements"] = list(v["agreements"]) + [(s, True) for s in p["members"] if s not in have]


def _sectors_variants(p: Params, v: Values) -> list[tuple[str, Values]]:
    members, rest = list(p["members"]), _other_agreements(p, v)
    return [
        ("covered", {**v, "agreements": rest + [(s, True) for s in members]}),
        ("one-missing", {**v, "agreements": rest + [(s, True) for s in members[1:]]}),
        (
            "one-informal",
            {**v, "agreements": rest + [(members[0], False)] + [(s, True) for s in members[1:]]},
        ),
    ]


MAXIMUM = Kind("max", _evidence, _max_holds, _max_variants)
KINDS: dict[tuple[str | None, str | None], Kind] = {
    (kinds.MINIMUM_VALUE, None): Kind("min", _evidence, _min_holds, _min_variants, _min_base),
    (kinds.MINIMUM_VALUE_INCLUDING, None): Kind(
        "min-including", _evidence, _including_holds, _including_variants, _including_base
    ),
    (kinds.MAXIMUM_VALUE, None): MAXIMUM,
    (kinds.MINIMUM_SHARE, None): Kind(
        "share", lambda p: str(p["numerator"]), _share_holds, _share_variants, _share_base
    ),
    (kinds.REQUIRED_BOOLEAN, None): Kind(
        "bool", _evidence, lambda p, v: v.get(_local(p["evidence"])) is True, _bool_variants
    ),
    (kinds.MINIMUM_FROM_LIST, None): Kind(
        "list", _evidence, _list_holds, _list_variants, _list_base
    ),
    (kinds.MINIMUM_LINKS, str(SK.knowledgeActivity)): Kind(
        "links", _link, _links_holds, _links_variants, _links_base
    ),
    (kinds.MINIMUM_LINKS, str(SK.cooperationAgreement)): Kind(
        "cooperation", _link, _cooperation_holds, _cooperation_variants, _cooperation_base
    ),
    (kinds.FORMAL_COOPERATION, None): Kind(
        "sectors",
        lambda p: str(SK.cooperationAgreement),
        _sectors_holds,
        _sectors_variants,
        _sectors_base,
    ),
}


def criteria(g: rdflib.Graph, tg: str) -> list[Criterion]:
    shapes = sorted(set(g.subjects(SK.refines, None)), key=str)
    return [_criterion(g, s) for s in shapes if str(g.value(s, SK.forTargetGroup)) == tg]


def profile_criteria(g: rdflib.Graph, function_shape: str) -> list[Criterion]:
    """The measurable requirements of the function's competence profile (its sh:node parts in
    shapes/competence-profiles/)."""
    parts = g.objects(rdflib.URIRef(function_shape), rdflib.namespace.SH.node)
    return [_criterion(g, s) for s in sorted(parts, key=str) if "/competence-profiles/" in str(s)]


def _criterion(g: rdflib.Graph, shape: rdflib.term.Node) -> Criterion:
    p: Params = {_local(k): v for k, v in g.predicate_objects(shape)}
    for key in ("acceptedValues", "acceptedTypes", "requiredSectors"):
        if key in p:
            p["members"] = _members(g, p[key])
    component = kinds.kind_of(str(k) for k in g.predicates(shape))
    kind = KINDS[(component, str(p["link"]) if "link" in p else None)]
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
    staff = int(v["staffCount"])
    for key in (
        "staffWithRelevantExperience",
        "staffWith3YearsExperience",
        "staffWithRelevantEducation",
        "staffWithFurtherEducation",
        "staffWithAidsCompetence",
    ):
        if key in v:  # relevant practical experience may be missing (data from before it)
            v[key] = min(int(v[key]), staff)
    # 5 years <= 3 years <= relevant practical experience: a change to one lowers those below it
    v["staffWith3YearsExperience"] = min(
        int(v["staffWith3YearsExperience"]), int(v.get("staffWithRelevantExperience", staff))
    )
    v["staffWith5YearsExperience"] = min(
        int(v["staffWith5YearsExperience"]), int(v["staffWith3YearsExperience"])
    )
    v["citizensWithComplexNeeds"] = min(
        int(v["citizensWithComplexNeeds"]), int(v["citizensServed"])
    )
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
        "staffWithRelevantExperience": 0,
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
        c.kind.base(c.params, v)
    v["citizensServed"] = max(int(v["citizensServed"]), int(v["citizensWithComplexNeeds"]) + 2)
    v["staffWithRelevantExperience"] = max(  # staff with 3 years have relevant experience too
        int(v["staffWithRelevantExperience"]), int(v["staffWith3YearsExperience"])
    )
    return consistent(v)


def variants(c: Criterion, v: Values) -> list[tuple[str, Values]]:
    """(edge, values) pairs: exactly on, just above, just below the threshold (or valid/invalid)."""
    return c.kind.variants(c.params, v)


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
            "staffWithRelevantExperience",
            "staffWith3YearsExperience",
            "staffWith5YearsExperience",
            "staffWithRelevantEducation",
            "staffWithFurtherEducation",
            "staffWithAidsCompetence",
        ):
            if key in v:
                s.append(f"    sk:{key} {int(v[key])} ;")
        if "staffTurnover" in v:
            s.append(f'    sk:staffTurnover "{float(v["staffTurnover"]):.2f}"^^xsd:decimal ;')
        for key in ("hasCoverArrangement", "hasProfessionalSupervision"):
            if key in v:
                s.append(f"    sk:{key} {'true' if v[key] else 'false'} ;")
        for key in ("certification", "method", "aidOrTechnology", "competence"):
            s += [f"    sk:{key} <{m}> ;" for m in v.get(key, [])]
        acts = [f"<id/provider/{t}/activity/{i + 1}>" for i in range(len(v.get("activities", [])))]
        agrs = [f"<id/provider/{t}/agreement/{i + 1}>" for i in range(len(v.get("agreements", [])))]
        s += [f"    sk:knowledgeActivity {a} ;" for a in acts]
        s += [f"    sk:cooperationAgreement {a} ;" for a in agrs]
        s[-1] = s[-1][:-2] + " ."
        for a, kind in zip(acts, v.get("activities", []), strict=True):
            s.append(f"{a} a sk:KnowledgeActivity ; sk:activityType <{kind}> ; sk:year 2025 .")
        for a, (sector, formal) in zip(agrs, v.get("agreements", []), strict=True):
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
                comment=f"{c.iri.rsplit('#', 1)[-1]}: {edge} ({c.kind.name})",
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
            "certification": list(v["certification"]) + certs[:1],
            "activities": list(v["activities"])
            + [BASE + "vocab/knowledge-activity-type/raadgivning"],
        }
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
        turnover = next(c.iri for c in crits if c.kind is MAXIMUM and c.level == "hoej")
        ages = {"boern", "unge", "voksne"} - {
            str(a).rsplit("/", 1)[-1] for a in plan.objects(f, SK.ageGroup)
        }
        mutations: list[tuple[str, dict[str, Any], str | None]] = [
            ("meets every criterion", {}, None),
            (
                "no certification from the function's list",
                {
                    "values": {
                        **v,
                        "certification": [c for c in v["certification"] if c not in certs],
                    }
                },
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
                },
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
            provider = replace(good, tpid=tpids(), **change)
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
        "more staff with 3 years than with relevant practical experience",
        "TargetGroupService-staffWith3YearsExperience-relevantExperience",
        "staffWith3YearsExperience",
        "service",
        r"sk:staffWithRelevantExperience \d+",
        "sk:staffWithRelevantExperience 1",
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
        "more staff with relevant practical experience than staff",
        "TargetGroupService-staffWithRelevantExperience",
        "staffWithRelevantExperience",
        "service",
        r"sk:staffWithRelevantExperience \d+",
        "sk:staffWithRelevantExperience 21",
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
