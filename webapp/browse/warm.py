"""Build the national aggregates once when the production server starts, in a background thread,
so the first visitors do not wait for them. Which aggregates: ``catalogue.browse.warm``; the public
dumps are written too (``webapp/exports/dumps.py``)."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from catalogue.browse import warm
from webapp.exports import prepare_dumps
from webapp.sparql import prepare as prepare_queries

log = logging.getLogger(__name__)


def build_aggregates(app: Flask) -> None:
    prepare_queries(app)  # the SPARQL workers first: the quickest to make ready
    warm.build_aggregates(app.extensions["catalogue"].store)
    prepare_dumps(app)


def start(app: Flask) -> threading.Thread:
    def run() -> None:
        try:
            build_aggregates(app)
        except Exception:  # a failed warm-up only means the first visitors build them instead
            log.exception("building the page aggregates failed")

    thread = threading.Thread(target=run, name="warm-aggregates", daemon=True)
    thread.start()
    return thread
