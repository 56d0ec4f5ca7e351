"""nginx (Debian) in front of ONE ``specialekatalog serve``, the topology the README documents for a
single server (issue 14, "fair service"): all real, on 127.0.0.1, with the configuration helper of
the several-process tests (``catalogue/loopback.py``). nginx answers pages and SPARQL through to the
process, holds half-sent connections itself so they never reach waitress, answers a clear 502 at
once while the process is down, and serves again once it is back.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import psutil
import pytest

from catalogue import Catalogue, Settings, load_knowledge
from catalogue.loopback import CatalogueProcess, nginx_proxy

pytestmark = pytest.mark.slow

IDLE_CONNECTIONS = 150  # more than waitress's default limit (100) that finding 4 exhausted
DOWN_ANSWER_S = 10.0  # nginx's answer while the process is down: connect refused, at once


@dataclass
class Front:
    url: str
    process: CatalogueProcess


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    root = tmp_path_factory.mktemp("single")
    store = root / "store"
    catalogue = Catalogue.open(Settings.from_env({"store": str(store)}))
    load_knowledge(catalogue.store)
    catalogue.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECIALEKATALOG_")}
    env.update(SPECIALEKATALOG_STORE=str(store), SPECIALEKATALOG_TRUSTED_PROXIES="1")
    process = CatalogueProcess(env)
    process.start()
    try:
        with nginx_proxy([process.url], root / "nginx") as url:
            yield Front(url, process)
    finally:
        process.stop()


def test_pages_and_sparql_are_answered_through_nginx(front: Front) -> None:
    with httpx.Client(base_url=front.url, timeout=60) as client:
        assert client.get("/").status_code == 200
        answer = client.get(
            "/sparql",
            params={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        refused = client.get("/sparql", params={"query": "SELECT * { SERVICE <x:y> { ?s ?p ?o } }"})
        assert refused.status_code == 400


def test_half_sent_requests_stay_in_nginx(front: Front) -> None:
    host, port = front.url.removeprefix("http://").split(":")
    idle = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"GET /-/health HTTP/1.1\r\nHost: x\r\n")  # never finished
            idle.append(sock)
        assert httpx.get(f"{front.url}/-/health", timeout=30).status_code == 200
        assert front.process.process is not None
        held = psutil.Process(front.process.process.pid).net_connections("tcp")
        assert len(held) < IDLE_CONNECTIONS // 10  # waitress never saw them
    finally:
        for sock in idle:
            sock.close()


def test_a_stopped_process_is_a_prompt_502_and_service_returns_with_it(front: Front) -> None:
    front.process.kill()
    started = time.monotonic()
    down = httpx.get(f"{front.url}/-/health", timeout=DOWN_ANSWER_S * 3)
    assert down.status_code == 502
    assert time.monotonic() - started < DOWN_ANSWER_S
    front.process.start()  # waits for /-/health on the process itself
    assert httpx.get(f"{front.url}/-/health", timeout=60).status_code == 200
    assert httpx.get(f"{front.url}/", timeout=60).status_code == 200
