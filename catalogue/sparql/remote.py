"""Public queries against a remote SPARQL server (STORE=remote), bounded on this side too.

The server does the work, so no worker process is needed, but its answer is not trusted to be whole
(THREATS.md A7, A9): explicit connect and read timeouts and an overall deadline, a byte limit while
reading, a 206 or an ``X-SQL-State`` header refused, and the whole body parsed before the answer is
claimed. Then the same caps as the embedded path apply.

The query is sent the SPARQL 1.1 Protocol's way that every engine takes: ``POST`` with URL-encoded
parameters (``query``, ``default-graph-uri``, ``named-graph-uri`` in the body; §2.1.2), as the
store's own remote client does (Virtuoso 7.2 hangs on an ``application/sparql-query`` body). An
answer that the server cut at its own row limit (Virtuoso's ``X-SPARQL-MaxRows`` header, sent
also when the count only equals the limit) is a whole, valid document of the first rows: it is
passed on flagged as truncated, like an answer cut at this endpoint's own cap, never as complete.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import replace
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from catalogue.sparql.guard import CheckedQuery
from catalogue.sparql.results import (
    Answer,
    Caps,
    boolean_answer,
    solutions_answer,
    triples_answer,
)

CONNECT_TIMEOUT_S = 2.0
FORM = "application/x-www-form-urlencoded"
Params = list[tuple[str, str]]


class UpstreamError(RuntimeError):
    """The remote server failed or sent an unusable answer (HTTP 502)."""


class UpstreamTimeout(TimeoutError):
    """The remote server did not answer within the budget (HTTP 504)."""


class RemoteQueries:
    def __init__(self, endpoint: str, timeout_s: float, max_body_bytes: int) -> None:
        self._endpoint = endpoint
        self._timeout_s = timeout_s
        self._max_body = max_body_bytes
        self._http = httpx.Client(timeout=httpx.Timeout(timeout_s + 1, connect=CONNECT_TIMEOUT_S))

    def _fetch(self, query: CheckedQuery, params: Params) -> tuple[bytes, bool]:
        """The whole answer, and whether the server cut it at its row limit."""
        accept = "application/n-triples" if query.is_graph else "application/sparql-results+json"
        deadline = time.monotonic() + self._timeout_s
        try:
            with self._http.stream(
                "POST",
                self._endpoint,
                content=urlencode([("query", query.text), *params]).encode("ascii"),
                headers={"Content-Type": FORM, "Accept": accept},
            ) as response:
                if response.status_code != 200 or "x-sql-state" in response.headers:
                    raise UpstreamError(
                        f"the SPARQL server answered {response.status_code}"
                        + (" with a partial result" if response.status_code == 206 else "")
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max_body:
                        raise UpstreamError("the SPARQL server's answer is too large; add a LIMIT")
                    if time.monotonic() > deadline:
                        raise UpstreamTimeout("the SPARQL server did not answer in time")
                    chunks.append(chunk)
                cut = "x-sparql-maxrows" in response.headers
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout("the SPARQL server did not answer in time") from exc
        except httpx.RemoteProtocolError as exc:
            raise UpstreamError("the SPARQL server sent an incomplete or invalid answer") from exc
        except httpx.HTTPError as exc:
            raise UpstreamError("the SPARQL server could not be reached") from exc
        return b"".join(chunks), cut

    def run(
        self,
        query: CheckedQuery,
        fmt: str,
        caps: Caps,
        default_graphs: list[str],
        named_graphs: list[str],
    ) -> Answer:
        params: Params = [("default-graph-uri", iri) for iri in default_graphs]
        params += [("named-graph-uri", iri) for iri in named_graphs]
        body, cut = self._fetch(query, params)
        answer = self._answer(query, body, fmt, caps)
        return replace(answer, truncated=True) if cut else answer

    def _answer(self, query: CheckedQuery, body: bytes, fmt: str, caps: Caps) -> Answer:
        result = None
        try:  # the whole body is parsed before anything is answered
            if query.is_graph:
                triples = [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
                return triples_answer(triples, fmt, caps)
            result = ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
            if isinstance(result, ox.QueryBoolean):
                return boolean_answer(bool(result), fmt)
            names = [v.value for v in result.variables]
            return solutions_answer(names, list(result), fmt, caps)
        except (SyntaxError, ValueError) as exc:
            # pyoxigraph's results may only be freed by this thread: drop them now, not when a
            # garbage collection in another thread reaches the frames this error keeps alive
            result = None
            traceback.clear_frames(exc.__traceback__)
            raise UpstreamError("the SPARQL server sent an incomplete or invalid answer") from exc

    def close(self) -> None:
        self._http.close()
