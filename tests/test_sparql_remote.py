"""Remote mode (STORE=remote): the upstream answer is not trusted to be whole (THREATS.md A7, A9).

Loopback stubs send half a JSON document with 200, a 206, an ``X-SQL-State`` header, or accept the
connection and never answer; each becomes a 502/504 with a message, never a partial result. An
answer cut at the server's row limit (``X-SPARQL-MaxRows``) is passed on flagged as truncated. The
query goes as the SPARQL 1.1 Protocol's URL-encoded POST, the dataset in the same body. A real
Oxigraph server (marked ``remote``) answers a normal query and never sees a SERVICE query.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from catalogue import Catalogue, Settings
from catalogue.namespaces import GRAPH
from catalogue.sparql import Dataset, QueryService, SparqlError
from tests.conftest import OxigraphServer

HALF_JSON = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:x'
WHOLE_JSON = (
    b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"urn:x"}}]}}'
)
BUDGET_S = 1
G1, G2 = str(GRAPH["a"]), str(GRAPH["b"])


RECEIVED: list[tuple[str, str, str]] = []  # (path, Content-Type, body) as the stub got them


class Stub(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        RECEIVED.append((self.path, self.headers.get("Content-Type", ""), body))
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
        if behaviour == "maxrows":  # Virtuoso: cut at its ResultSetMaxRows
            self.send_header("X-SPARQL-MaxRows", "1")
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
    answer = service.run(service.check("SELECT ?s WHERE { ?s ?p ?o }"), "json")
    assert b"urn:x" in answer.body and not answer.truncated
    service.close()


def test_an_answer_cut_at_the_server_row_limit_is_flagged_truncated(stub: str) -> None:
    """Was: passed on as a whole answer (review finding)."""
    service = remote_service(f"{stub}/maxrows")
    answer = service.run(service.check("SELECT ?s WHERE { ?s ?p ?o }"), "json")
    assert b"urn:x" in answer.body and answer.rows == 1
    assert answer.truncated
    service.close()


def test_the_query_and_its_dataset_go_url_encoded_in_the_body(stub: str) -> None:
    """SPARQL 1.1 Protocol 2.1.2 (every engine takes it; Virtuoso 7.2 hangs on a
    ``application/sparql-query`` body): was a ``application/sparql-query`` body."""
    service = remote_service(f"{stub}/whole")
    RECEIVED.clear()
    query = service.check("SELECT ?s WHERE { ?s ?p ?o }")
    service.run(query, "json", Dataset.of([G1], [G2]))
    ((path, content_type, body),) = RECEIVED
    assert path == "/whole"  # nothing in the URL
    assert content_type == "application/x-www-form-urlencoded"
    assert parse_qs(body) == {
        "query": [query.text],
        "default-graph-uri": [G1],
        "named-graph-uri": [G2],
    }
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
