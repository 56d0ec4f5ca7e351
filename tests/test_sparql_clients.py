"""The public endpoint's limits per client and its refusals in Danish and English: one client
cannot hold every query slot (429, behind a proxy only when the proxy is configured), and every
refusal or error keeps its status and headers for programs while its text is given in both
languages."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask, Request
from werkzeug.test import EnvironBuilder

from catalogue import Catalogue, Settings
from catalogue.sparql import Answer, SparqlError, _Overran, fairness
from catalogue.sparql.fairness import FairGate
from catalogue.sparql.guard import Limits, QueryRefused, check
from webapp import create_app
from webapp.i18n import message_ids, texts
from webapp.sparql import query_service
from webapp.sparql.protocol import client_address

ASK = "ASK {}"
REFUSED = {
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }": "service",
    "SELECT * WHERE " + "{" * 100 + "}" * 100: "too_deep",
    "SELECT * WHERE { ?s ?p ?o } # " + "x" * 40_000: "too_long",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }": "update",
    "   ": "empty",
    "PREFIX x: <urn:x>": "not_query",
    "SELECT * FROM <http://127.0.0.1:9/data> WHERE { ?s ?p ?o }": "foreign_graph",
}


def make_app(catalogue: Catalogue, **settings: str) -> Flask:
    values = {"store": "memory", "sparql_workers": "2", "sparql_timeout_s": "5", **settings}
    return create_app(catalogue=Catalogue(Settings.from_env(values), catalogue.store))


@pytest.fixture(scope="module")
def app(knowledge_catalogue: Catalogue) -> Iterator[Flask]:
    app = make_app(knowledge_catalogue)
    yield app
    app.extensions["sparql"].close()


@pytest.fixture(scope="module")
def proxied(knowledge_catalogue: Catalogue) -> Iterator[Flask]:
    app = make_app(knowledge_catalogue, trusted_proxies="1")
    yield app
    app.extensions["sparql"].close()


# --- fair shares of the workers -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fairness, "WAIT_S", 0.5)


def _later(gate: FairGate, client: str, outcomes: list[str]) -> threading.Thread:
    def run() -> None:
        try:
            with gate.hold(client):
                outcomes.append(client)
        except fairness.Refused as exc:
            outcomes.append(f"{client}:{exc.status}")

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _waiting(gate: FairGate, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(gate._waiting) < count and time.monotonic() < deadline:
        time.sleep(0.005)


def test_people_behind_one_address_are_queued_not_refused() -> None:
    gate = FairGate(heavy=1, light=0, per_client=1)
    outcomes: list[str] = []
    with gate.hold("10.0.0.1"):
        thread = _later(gate, "10.0.0.1", outcomes)
        _waiting(gate, 1)
    thread.join()
    assert outcomes == ["10.0.0.1"]


def test_a_client_with_a_full_queue_is_told_to_wait() -> None:
    gate = FairGate(heavy=1, light=0, per_client=1)
    outcomes: list[str] = []
    with gate.hold("10.0.0.1"):
        threads = [_later(gate, "10.0.0.1", outcomes) for _ in range(fairness.QUEUE_PER_CLIENT)]
        _waiting(gate, fairness.QUEUE_PER_CLIENT)
        with pytest.raises(fairness.Refused) as caught:
            gate.acquire("10.0.0.1")
        assert caught.value.status == 429
    for thread in threads:
        thread.join()


def test_a_client_may_use_idle_workers_beyond_its_share_while_nobody_waits() -> None:
    gate = FairGate(heavy=2, light=0, per_client=1)
    gate._usage["10.0.0.2"] = fairness._Usage(0.0, 1, time.monotonic())  # known, light
    outcomes: list[str] = []
    with gate.hold("10.0.0.1"), gate.hold("10.0.0.1"):  # both workers: nobody else waits
        waiting = _later(gate, "10.0.0.2", outcomes)
        _waiting(gate, 1)
        own = _later(gate, "10.0.0.1", outcomes)
        _waiting(gate, 2)
    waiting.join()
    own.join()
    assert outcomes[0] == "10.0.0.2"  # once a worker is free, the other client goes first


def test_workers_are_released_when_a_query_fails() -> None:
    gate = FairGate(heavy=1, light=0, per_client=1)
    with pytest.raises(RuntimeError), gate.hold("10.0.0.1"):
        raise RuntimeError("the query failed")
    with gate.hold("10.0.0.1"):
        assert gate.busy


def test_the_least_used_client_goes_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fairness, "WAIT_S", 5.0)
    gate = FairGate(heavy=1, light=0, per_client=1)
    gate._usage["10.0.0.9"] = fairness._Usage(30.0, 3, time.monotonic())  # 10 s per query lately
    gate._usage["10.0.0.1"] = fairness._Usage(20.0, 200, time.monotonic())  # an office: 0.1 s
    outcomes: list[str] = []
    with gate.hold("10.0.0.5"):
        heavy = _later(gate, "10.0.0.9", outcomes)
        _waiting(gate, 1)
        light = _later(gate, "10.0.0.1", outcomes)
        _waiting(gate, 2)
    heavy.join()
    light.join()
    assert outcomes == ["10.0.0.1", "10.0.0.9"]


def test_one_worker_is_kept_for_light_clients() -> None:
    gate = FairGate(heavy=1, light=1, per_client=1)
    now = time.monotonic()
    for client in ("10.0.0.8", "10.0.0.9"):
        gate._usage[client] = fairness._Usage(30.0, 3, now)
    gate._usage["10.0.0.1"] = fairness._Usage(40.0, 400, now)  # many cheap queries: still light
    outcomes: list[str] = []
    with gate.hold("10.0.0.8"):  # the heavy lane is taken by a heavy user
        other_heavy = _later(gate, "10.0.0.9", outcomes)
        other_heavy.join()  # a second heavy user does not get the kept worker
        with gate.hold("10.0.0.1"):  # an ordinary user does, at once
            outcomes.append("light ran")
    assert outcomes == ["10.0.0.9:503", "light ran"]


def _heavy(gate: FairGate, *clients: str) -> None:
    for client in clients:
        gate._usage[client] = fairness._Usage(30.0, 3, time.monotonic())  # 10 s per query


def test_a_waiting_heavy_client_does_not_hold_back_a_light_one_past_its_share() -> None:
    """Was: past its share of one, an office's second query waited (then 503) because a heavy
    client waited, although that client could not use the free kept worker."""
    gate = FairGate(heavy=1, light=2, per_client=1)
    _heavy(gate, "10.0.0.8", "10.0.0.9")
    outcomes: list[str] = []
    with gate.hold("10.0.0.8"), gate.hold("10.0.0.1"):
        waiting = _later(gate, "10.0.0.9", outcomes)
        _waiting(gate, 1)
        with gate.hold("10.0.0.1"):  # the second kept worker, at once
            outcomes.append("office again")
        waiting.join()
    assert outcomes == ["office again", "10.0.0.9:503"]


def test_heavy_clients_beyond_a_short_queue_are_turned_away_at_once() -> None:
    gate = FairGate(heavy=1, light=1, per_client=1)
    _heavy(gate, "10.0.0.5", *(f"10.0.1.{n}" for n in range(fairness.MAX_WAITING_SHARED + 1)))
    outcomes: list[str] = []
    with gate.hold("10.0.0.5"):
        queued = [_later(gate, f"10.0.1.{n}", outcomes) for n in range(fairness.MAX_WAITING_SHARED)]
        _waiting(gate, fairness.MAX_WAITING_SHARED)
        with pytest.raises(fairness.Refused) as caught:
            gate.acquire(f"10.0.1.{fairness.MAX_WAITING_SHARED}")
        assert caught.value.status == 503
        assert len(gate._waiting) == fairness.MAX_WAITING_SHARED  # refused without waiting
        with gate.hold("10.0.0.1"):  # an ordinary client is still served
            outcomes.append("light ran")
        for thread in queued:
            thread.join()
    assert outcomes[0] == "light ran"


def test_a_kept_worker_gives_a_newcomer_only_a_short_budget() -> None:
    gate = FairGate(heavy=1, light=1, per_client=1)
    with gate.hold("10.0.0.5"):
        kept = gate.acquire("10.0.0.7")  # no history: light, on the kept worker
        assert not kept.heavy and kept.budget_s == fairness.LIGHT_BUDGET_S
        gate.release(kept, charge_s=0.0)
        outcomes: list[str] = []
        moved = _later(gate, "10.0.0.7", outcomes)  # never on a kept worker once moved
        moved.join()
    assert outcomes == ["10.0.0.7"]  # served on the shared worker once it was free
    shared = gate.acquire("10.0.0.7", shared_only=True)
    assert shared.heavy and shared.budget_s is None
    gate.release(shared)


def test_a_crashed_worker_makes_its_client_heavy() -> None:
    gate = FairGate(heavy=1, light=1, per_client=1)
    crashed = gate.acquire("10.0.0.6")
    gate.release(crashed, charge_s=10.0)  # the service charges a crash as the whole budget
    with gate.hold("10.0.0.5"):  # the shared worker taken: the kept one is not for 10.0.0.6
        outcomes: list[str] = []
        _later(gate, "10.0.0.6", outcomes).join()
        assert outcomes == ["10.0.0.6:503"]
        with gate.hold("10.0.0.1"):
            pass


def test_a_query_over_the_kept_budget_runs_again_on_a_shared_worker(app: Flask) -> None:
    with app.app_context():
        service = query_service()
    budgets: list[float | None] = []

    def evaluate(held: fairness.Held) -> Answer:
        budgets.append(held.budget_s)
        if held.budget_s is not None:
            raise _Overran
        return Answer(b"{}", "json", 0, False)

    gate = service._fair
    with gate.hold("10.0.0.5"), gate.hold("10.0.0.6"):  # the shared workers busy: a kept one
        outcomes: list[Answer] = []
        thread = threading.Thread(
            target=lambda: outcomes.append(service._fairly("10.0.0.4", evaluate))
        )
        thread.start()
        deadline = time.monotonic() + 5
        while not service._fair._waiting and time.monotonic() < deadline:
            time.sleep(0.005)
    thread.join()
    assert budgets == [fairness.LIGHT_BUDGET_S, None] and outcomes


def test_a_query_that_crashes_its_worker_is_charged_the_budget(app: Flask) -> None:
    with app.app_context():
        service = query_service()

    def crash(held: fairness.Held) -> Answer:
        raise SparqlError(400, "the query could not be evaluated", "worker_failed")

    with pytest.raises(SparqlError):
        service._fairly("10.0.0.3", crash)
    used = service._fair._used("10.0.0.3", time.monotonic())
    assert used >= service.settings.sparql_timeout_s > fairness.LIGHT_S


def test_slots_hold_under_concurrent_use() -> None:
    gate = FairGate(heavy=3, light=0, per_client=3)
    running: list[int] = []
    active = [0]
    lock = threading.Lock()

    def query() -> None:
        try:
            with gate.hold("10.0.0.1"):
                with lock:
                    active[0] += 1
                    running.append(active[0])
                time.sleep(0.02)
                with lock:
                    active[0] -= 1
        except fairness.Refused:
            pass

    threads = [threading.Thread(target=query) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(running) <= 3 and len(running) >= 3


def test_a_refused_client_is_told_to_wait_in_both_languages(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    monkeypatch.setattr(fairness, "QUEUE_PER_CLIENT", 0)
    response = client.get("/sparql", query_string={"query": ASK})
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    assert "queries running" in response.text and "forespørgsler i gang" in response.text
    monkeypatch.undo()
    assert client.get("/sparql", query_string={"query": ASK}).status_code == 200


def _identities(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The client each query is counted for (recorded as the fair gate is asked)."""
    with app.app_context():
        gate = query_service()._fair
    seen: list[str] = []
    original = gate.acquire

    def acquire(client: str, shared_only: bool = False) -> fairness.Held:
        seen.append(client)
        return original(client, shared_only)

    monkeypatch.setattr(gate, "acquire", acquire)
    return seen


def test_forwarded_for_is_ignored_without_a_configured_proxy(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _identities(app, monkeypatch)
    spoofed = app.test_client().get(
        "/sparql", query_string={"query": ASK}, headers={"X-Forwarded-For": "10.9.9.9"}
    )
    assert spoofed.status_code == 200
    assert seen == ["127.0.0.1"]


def test_behind_a_configured_proxy_the_client_is_the_forwarded_address(
    proxied: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _identities(proxied, monkeypatch)
    client = proxied.test_client()
    for forwarded in ("203.0.113.1, 10.0.0.5", "10.0.0.6"):  # the client chose the first entry
        response = client.get(
            "/sparql", query_string={"query": ASK}, headers={"X-Forwarded-For": forwarded}
        )
        assert response.status_code == 200
    assert seen == ["10.0.0.5", "10.0.0.6"]


def _request(headers: dict[str, str], remote: str = "192.0.2.1") -> Request:
    builder = EnvironBuilder(headers=list(headers.items()), environ_base={"REMOTE_ADDR": remote})
    return Request(builder.get_environ())


def test_client_address_counts_trusted_proxies_from_the_right() -> None:
    chain = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9, 10.0.0.2"}
    assert client_address(_request(chain), 0) == "192.0.2.1"
    assert client_address(_request(chain), 1) == "10.0.0.2"
    assert client_address(_request(chain), 2) == "203.0.113.9"
    assert client_address(_request({}), 1) == "192.0.2.1"  # no header: the connection
    assert client_address(_request({"X-Forwarded-For": "10.0.0.2"}), 2) == "192.0.2.1"


# --- refusals in Danish and English ---------------------------------------------------------------


@pytest.mark.parametrize("query", list(REFUSED), ids=list(REFUSED.values()))
def test_every_guard_refusal_has_both_languages(query: str) -> None:
    with pytest.raises(QueryRefused) as caught:
        check(query, Limits(32_768, 64))
    refused = caught.value
    assert refused.key == REFUSED[query]
    entry = texts(f"sparql.refused.{refused.key}")
    assert entry is not None
    assert entry["en"].format(**refused.params) == str(refused)  # one English text
    assert entry["da"] and entry["da"] != entry["en"]


def test_every_refusal_message_is_translated() -> None:
    keys = [k for k in message_ids() if k.startswith("sparql.refused.")]
    assert len(keys) >= 20
    for key in keys:
        entry = texts(key)
        assert entry is not None and all(entry.values()), key


@pytest.mark.parametrize("query", list(REFUSED), ids=list(REFUSED.values()))
def test_a_program_gets_the_refusal_in_both_languages(app: Flask, query: str) -> None:
    response = app.test_client().post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Language"] == "da, en"
    danish, english = response.text.splitlines()
    entry = texts(f"sparql.refused.{REFUSED[query]}")
    assert entry is not None
    assert danish.startswith(entry["da"].split("{")[0])
    assert english.startswith(entry["en"].split("{")[0])


def test_a_browser_gets_the_refusal_in_its_language(app: Flask) -> None:
    query = next(q for q, key in REFUSED.items() if key == "service")
    client = app.test_client()
    for lang in ("da", "en"):
        page = client.get(
            "/sparql", query_string={"query": query, "lang": lang}, headers={"Accept": "text/html"}
        )
        assert page.status_code == 400
        assert (texts("sparql.refused.service") or {})[lang] in page.text


def test_protocol_errors_keep_their_status_and_gain_danish(app: Flask) -> None:
    client = app.test_client()
    update = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert update.status_code == 400
    assert "opdateringer" in update.text and "updates are not accepted" in update.text
    media = client.post("/sparql", data=b"ASK {}", content_type="text/plain")
    assert media.status_code == 415
    assert "Send forespørgslen" in media.text and "send the query by GET" in media.text
    syntax = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert syntax.status_code == 400
    assert "Syntaksfejl i SPARQL" in syntax.text and "SPARQL syntax error" in syntax.text


def test_the_workers_are_ready_before_the_first_query(knowledge_catalogue: Catalogue) -> None:
    from webapp.sparql import prepare

    app = make_app(knowledge_catalogue)
    prepare(app)
    service = app.extensions["sparql"]
    try:
        assert len(service.worker_pids()) == service._fair.size == 3  # 2 workers + 1 kept
    finally:
        service.close()
