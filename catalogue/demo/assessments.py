"""Illustrative competence assessments for the demo catalogue (``specialekatalog competence demo``).

After a compliance check, for each specialfunktion a few services that meet it or nearly do get an
assessment by their supervising authority: each measurable requirement rated from the computed
gap list (met: til stede; short: delvist or ikke til stede), the others at random, with a
conclusion that says it is demo content. Recorded and audited like any assessment.
"""

from __future__ import annotations

import datetime as dt
import random

from catalogue import assessments, decisions, planning, queries
from catalogue.browse.concepts import specialty_plan
from catalogue.browse.rows import text
from catalogue.editors import Editor
from catalogue.namespaces import VOCAB, code
from catalogue.store import Store

STEP = f"{VOCAB}assessment-rating/"
CONCLUSION = (
    "Demo: illustrativ vurdering lavet af demogeneratoren, ikke en rigtig myndigheds vurdering."
)


def _services(store: Store, function: str) -> list[str]:
    met = [
        text(r, "service")
        for r in queries.run(store, "compliance_qualified", function=function, lang="da")
    ]
    near, _ = planning.near_miss_services(store, function, "da")
    return sorted(set(met) | {m.service for m in near})


def record_demo(store: Store, per_function: int, seed: int, today: dt.date) -> int:
    """Record up to ``per_function`` assessments per specialfunktion; returns how many."""
    rng = random.Random(seed)
    recorded = 0
    for function in (f for s in specialty_plan(store, "da") for f in s.functions):
        profile = planning.profile(store, function, "da")
        if profile is None:
            continue
        chosen = _services(store, function.iri)
        for service in rng.sample(chosen, min(per_function, len(chosen))):
            found = decisions.basis(store, service, "da")
            if found is None or found.authority is None:
                continue
            short = {
                g.criterion for g in planning.function_gaps(store, service, function.iri, "da")
            }
            ratings = []
            for r in profile.requirements:
                if r.measurable:
                    step = (
                        rng.choice(["delvist-til-stede", "ikke-til-stede"])
                        if r.iri in short
                        else "til-stede"
                    )
                else:
                    step = rng.choice(["til-stede", "til-stede", "delvist-til-stede"])
                ratings.append(
                    assessments.Rating(r.iri, STEP + step, "Demo: tilsynsbesøg og dokumentation")
                )
            on = today - dt.timedelta(days=rng.randint(10, 300))
            new = assessments.NewAssessment(
                service=service,
                function=function.iri,
                by=found.authority.iri,
                on=on,
                conclusion=CONCLUSION,
                follow_up=on + dt.timedelta(days=365),
                ratings=tuple(ratings),
            )
            known = {s.iri for s in assessments.steps(store, "da")}
            if assessments.check(new, found, profile, known, today):
                continue
            editor = Editor("demo", code(found.authority.iri), password_hash="")
            assessments.record(store, new, found, editor)
            recorded += 1
    return recorded
