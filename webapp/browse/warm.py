"""Build the national aggregates once when the production server starts, in a background thread,
so the first visitors do not wait for them (see catalogue.browse.cache). The costliest ones
(near misses and the development ranking per specialfunktion) are built for Danish, the default
language; English ones are built on first use."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from catalogue import planning
from catalogue.browse import capacity, concepts, criteria, search, statistics
from catalogue.browse.functions import qualified_providers
from catalogue.namespaces import VOCAB
from webapp.exports import prepare_dumps

log = logging.getLogger(__name__)


def build_aggregates(app: Flask) -> None:
    store = app.extensions["catalogue"].store
    search.index(store)
    for lang in ("da", "en"):
        statistics.national(store, lang)
        functions = [f for s in concepts.specialty_plan(store, lang) for f in s.functions]
        regions = concepts.scheme(store, str(VOCAB["region"]), lang)
        capacity.capacity(store, functions, regions)
        for function in functions:
            qualified_providers(store, function.iri, lang)
            criteria.function_criteria(store, function, lang)
            if lang == "da":
                planning.development(store, function, regions, lang)  # and its near misses
    planning.need_supply(store)
    planning.courses(store, "da")
    prepare_dumps(app)  # the full dumps too (webapp/exports/dumps.py)


def start(app: Flask) -> threading.Thread:
    def run() -> None:
        try:
            build_aggregates(app)
        except Exception:  # a failed warm-up only means the first visitors build them instead
            log.exception("building the page aggregates failed")

    thread = threading.Thread(target=run, name="warm-aggregates", daemon=True)
    thread.start()
    return thread
