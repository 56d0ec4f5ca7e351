"""Locust users for the load run of RELIABILITY.md (driven by ``benchmarks/load.py``).

``NormalUser``: what visitors do, all from 127.0.0.1 (as if behind one office's address): pages
with varied ``Accept``, search, small named queries, small SPARQL queries, the VoID description
and now and then a full dump. ``HostileUser``: each from its own loopback address (127.0.0.20 and
up): heavy SPARQL (a cartesian count that runs into the time budget), the heaviest named query,
crash-input queries (``!`` x 20,000) and idle connections that send half a request and wait.

The URLs come from ``LOAD_URLS`` (a JSON file written by the driver from the catalogue itself).
Request names group the statistics: ``page``, ``named``, ``sparql-small``, ``export``; the
hostile ones start with ``hostile-``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import socket
from typing import Any

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter

URLS: dict[str, list[str]] = json.loads(open(os.environ["LOAD_URLS"], encoding="utf-8").read())
PAGE_ACCEPT = ["text/html"] * 6 + ["text/turtle", "application/ld+json"]
SMALL_SPARQL = [
    "SELECT ?p ?name WHERE { ?p a <https://specialekatalog.example/ontology#Provider> ; "
    "<https://specialekatalog.example/ontology#name> ?name } LIMIT 10",
    "ASK { ?s a <https://specialekatalog.example/ontology#Provider> }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://www.w3.org/2004/02/skos/core#Concept> }",
]
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CRASH = "SELECT ?x { BIND(" + "!" * 20_000 + "true AS ?x) }"
JSON = {"Accept": "application/sparql-results+json"}
_addresses = itertools.count(20)


class _FromAddress(HTTPAdapter):
    """Connections from a given loopback address (every 127.0.0.x is this machine)."""

    def __init__(self, address: str) -> None:
        self._address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self._address, 0)
        super().init_poolmanager(*args, **kwargs)


def _ok(response: Any, *allowed: int) -> None:
    """Count anything but 2xx (or an allowed status) as a failure."""
    if response.status_code // 100 != 2 and response.status_code not in allowed:
        response.failure(f"status {response.status_code}")
    else:
        response.success()


class NormalUser(HttpUser):
    wait_time = between(0.5, 2.0)

    @task(6)
    def page(self) -> None:
        url = random.choice(URLS["pages"])
        accept = random.choice(PAGE_ACCEPT) if url.startswith("/id/") else "text/html"
        with self.client.get(
            url, headers={"Accept": accept}, name="page", catch_response=True
        ) as response:
            _ok(response)

    @task(2)
    def named(self) -> None:
        with self.client.get(
            random.choice(URLS["named"]), name="named", catch_response=True
        ) as response:
            _ok(response)

    @task(2)
    def sparql_small(self) -> None:
        with self.client.get(
            "/sparql",
            params={"query": random.choice(SMALL_SPARQL)},
            headers=JSON,
            name="sparql-small",
            catch_response=True,
        ) as response:
            _ok(response)

    @task(1)
    def export(self) -> None:
        if random.random() < 0.1:
            url, accept = "/-/dumps/catalogue.nq.gz", "application/gzip"
        else:
            url, accept = "/.well-known/void", "text/turtle"
        with self.client.get(
            url, headers={"Accept": accept}, name="export", catch_response=True
        ) as response:
            _ok(response)


class HostileUser(HttpUser):
    wait_time = between(0.0, 0.2)
    fixed_count = int(os.environ.get("LOAD_HOSTILE", "4"))

    def on_start(self) -> None:
        self.address = f"127.0.0.{next(_addresses)}"
        self.client.mount("http://", _FromAddress(self.address))
        self.idle: list[socket.socket] = []

    def on_stop(self) -> None:
        for sock in self.idle:
            sock.close()

    @task(3)
    def heavy_sparql(self) -> None:
        with self.client.get(
            "/sparql",
            params={"query": CARTESIAN},
            headers=JSON,
            name="hostile-sparql-heavy",
            catch_response=True,
        ) as response:
            _ok(response, 429, 503, 504)

    @task(3)
    def heavy_named(self) -> None:
        with self.client.get(
            "/queries/compliance_placements.json?lang=da",
            name="hostile-named-heavy",
            catch_response=True,
        ) as response:
            _ok(response, 429, 503, 504)

    @task(3)
    def crash(self) -> None:
        with self.client.post(
            "/sparql",
            data={"query": CRASH},
            headers=JSON,
            name="hostile-crash",
            catch_response=True,
        ) as response:
            _ok(response, 400)

    @task(1)
    def idle_connections(self) -> None:
        """Hold 25 fresh half-sent requests open from this address until the next round."""
        host = (self.host or "").split("//", 1)[1]
        name, _, port = host.partition(":")
        for sock in self.idle:
            sock.close()
        self.idle = []
        while len(self.idle) < 25:
            try:
                sock = socket.create_connection((name, int(port)), 5, (self.address, 0))
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            except OSError:
                break
            self.idle.append(sock)
