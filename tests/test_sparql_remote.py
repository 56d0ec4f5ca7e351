"""Remote mode (STORE=remote): the upstream answer is not trusted to be whole (THREATS.md A7, A9).

Loopback stubs send half a JSON document with 200, a 206, an ``X-SQL-State`` header, or accept the
connection and never answer; each becomes a 502/504 with a message, never a partial result. A real
Oxigraph server (marked ``remote``) answers a normal query and never sees a SERVICE query.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from catalogue import Catalogue, Settings
from catalogue.sparql import QueryService, SparqlError
from tests.conftest import OxigraphServer

HALF_JSON = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:x'
WHOLE_JSON = (
    b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:x"}}]}}'
)
BUDGET_S = 1


class Stub(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        behaviour = self.path.split("?")[0].strip("/")
        if behaviour == "hang":
            time.sleep(BUDGET_S + 3)
            return
        status = 206 if behaviour == "partial" else 200
        body = HALF_JSON if behaviour in ("half", "short") else WHOLE_JSON
        self.send_response(status)
        self.send_header("Content-Type", "application/sparql-results+json")
        if behaviour == "sqlstate":
            self.send_header("X-SQL-State", "S1TAT")
        if behaviour == "half":  # the body simply ends with the connection
            self.send_header("Connection", "close")
            self.close_connection = True
        else:  # the length of the whole document ("short" then sends only half of it)
            self.send_header("Content-Length", str(len(WHOLE_JSON)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class StubServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@pytest.fixture(scope="module")
def stub() -> Iterator[str]:
    server = StubServer(("127.0.0.1", 0), Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def remote_service(endpoint: str) -> QueryService:
    settings = Settings.from_env(
        {
            "store": "remote",
            "query_endpoint": endpoint,
            "update_endpoint": endpoint,
            "gsp_endpoint": endpoint,
            "sparql_timeout_s": str(BUDGET_S),
        }
    )
    return QueryService(Catalogue.open(settings))


def ask(service: QueryService, query: str = "SELECT ?s WHERE { ?s ?p ?o }") -> bytes:
    return service.run(service.check(query), "json").body


@pytest.mark.parametrize(
    ("behaviour", "status", "message"),
    [
        ("half", 502, "incomplete or invalid"),
        ("short", 502, "incomplete or invalid"),
        ("partial", 502, "partial result"),
        ("sqlstate", 502, "answered 200"),
        ("hang", 504, "did not answer in time"),
    ],
)
def test_broken_upstream_answers_are_never_passed_on(
    stub: str, behaviour: str, status: int, message: str
) -> None:
    service = remote_service(f"{stub}/{behaviour}")
    with pytest.raises(SparqlError) as caught:
        ask(service)
    assert caught.value.status == status
    assert message in caught.value.message
    assert not service.busy  # the slot is free again for the next query
    service.close()


def test_whole_upstream_answer_is_passed_on(stub: str) -> None:
    service = remote_service(f"{stub}/whole")
    assert b"urn:x" in ask(service)
    service.close()


def test_unreachable_upstream_is_a_502() -> None:
    service = remote_service("http://127.0.0.1:9/nothing-listens-here")
    with pytest.raises(SparqlError) as caught:
        ask(service)
    assert caught.value.status == 502
    service.close()


@pytest.mark.remote
def test_real_oxigraph_server_behind_the_guard(oxigraph_server: OxigraphServer) -> None:
    service = remote_service(f"{oxigraph_server.url}/query")
    assert b'"boolean": true' in service.run(service.check("ASK {}"), "json").body
    with pytest.raises(SparqlError) as caught:
        service.check(f"SELECT * WHERE {{ SERVICE <{oxigraph_server.url}/query> {{ ?s ?p ?o }} }}")
    assert caught.value.status == 400
    service.close()
