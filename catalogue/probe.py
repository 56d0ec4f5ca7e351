"""The store probe: does this SPARQL engine answer the catalogue's queries correctly?

``specialekatalog store check`` (and ``serve`` at start-up) writes a small canary dataset
(``queries/probe/canary.ttl``) into a scratch graph of its own, runs one query per SPARQL feature
the named queries use (``queries/probe/<check>.rq``) through the union default graph, compares each
answer with the expected one (``queries/probe/<check>.srj``, SPARQL JSON results) and drops the
scratch graph again. On a server it also tries the protocol: a whole-dataset Graph Store Protocol
read, how the server signals a result cut at its row limit, whether it gives up on time, whether it
fetches a ``SERVICE`` URL, and how many triples one ``INSERT DATA`` may hold.

A check's severity says what a failure means: ``required`` (the catalogue would show wrong answers:
``serve`` refuses to start and names the check), ``optional`` (a faster path is not available; the
catalogue uses its portable form) and ``warning`` (works, but an operator should know).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pyoxigraph as ox

from catalogue.config import Settings, knowledge_paths
from catalogue.store import Row, Store, StoreError, open_store
from catalogue.store.coordination import SCRATCH_PREFIX

SEVERITIES = ("required", "optional", "warning")
CANARY = ox.NamedNode("urn:specialekatalog:probe#")  # the namespace every canary IRI is in
MANY_ROWS = 11_000  # more than the row limits engines ship with (Virtuoso: 10,000)
WRITE_TRIPLES = 2_000  # one write of this size must be accepted (Virtuoso: ~1,000 per INSERT DATA)
SLOW_QUERY_S = 0.5  # the client timeout the timeout check uses
_FRONT = re.compile(r"^#\+\s*([\w-]+)\s*:\s*(.*?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    check: str
    severity: str
    ok: bool
    detail: str

    @property
    def refuses(self) -> bool:
        """The catalogue must not serve from this store."""
        return self.severity == "required" and not self.ok


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]

    @property
    def refusals(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.refuses]

    @property
    def serves(self) -> bool:
        return not self.refusals

    def table(self) -> str:
        """The outcomes as a plain-text table (the README shows it for each engine)."""
        width = max(len(o.check) for o in self.outcomes)
        lines = [f"{'check'.ljust(width)}  {'result':7}  {'severity':8}  detail"]
        for o in self.outcomes:
            result = "ok" if o.ok else ("REFUSED" if o.refuses else "no")
            lines.append(f"{o.check.ljust(width)}  {result:7}  {o.severity:8}  {o.detail}")
        verdict = (
            "serves"
            if self.serves
            else "refuses to serve: " + ", ".join(o.check for o in self.refusals)
        )
        lines.append(f"verdict: {verdict}")
        return "\n".join(lines)


def _folder() -> Path:
    return knowledge_paths()["queries"] / "probe"


def _protocol_query(name: str) -> str:
    return (_folder() / "protocol" / f"{name}.rq").read_text(encoding="utf-8")


def _front(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in _FRONT.finditer(text)}


def _key(row: Row) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, str(term)) for name, term in row.items()))


def _expected(path: Path) -> bool | Counter[tuple[tuple[str, str], ...]]:
    parsed = ox.parse_query_results(path=str(path), format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    names = [v.value for v in parsed.variables]
    return Counter(
        _key({n: t for n, t in zip(names, sol, strict=True) if t is not None}) for sol in parsed
    )


def _shown(answer: bool | Counter[tuple[tuple[str, str], ...]]) -> str:
    if isinstance(answer, bool):
        return str(answer).lower()
    rows = [" ".join(f"{n}={v}" for n, v in key) for key in sorted(answer.elements())]
    text = "; ".join(rows).replace(CANARY.value, ":")
    return text if len(text) < 160 else text[:157] + "..."


def feature_checks(store: Store) -> list[Outcome]:
    """Each ``queries/probe/<check>.rq`` against its expected answer (the canary must be loaded)."""
    outcomes = []
    for path in sorted(_folder().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = _front(text)
        severity = meta.get("severity", "required")
        expected = _expected(path.with_suffix(".srj"))
        try:
            if isinstance(expected, bool):
                got: bool | Counter[tuple[tuple[str, str], ...]] = store.ask(text)
            else:
                got = Counter(_key(row) for row in store.select(text))
        except StoreError as exc:
            outcomes.append(Outcome(path.stem, severity, False, f"error: {exc}"))
            continue
        if got == expected:
            outcomes.append(Outcome(path.stem, severity, True, meta.get("title", "")))
        else:
            detail = f"expected {_shown(expected)}; got {_shown(got)}"
            outcomes.append(Outcome(path.stem, severity, False, detail))
    return outcomes


def _canary_triples() -> list[ox.Triple]:
    return [
        q.triple for q in ox.parse(path=str(_folder() / "canary.ttl"), format=ox.RdfFormat.TURTLE)
    ]


@contextmanager
def canary(store: Store) -> Iterator[ox.NamedNode]:
    """The canary dataset in a scratch graph of its own, dropped afterwards."""
    graph = ox.NamedNode(f"{SCRATCH_PREFIX}{uuid.uuid4()}")
    store.replace_graphs({graph: _canary_triples()})
    try:
        yield graph
    finally:
        store.drop_graphs([graph])


def _write_check(store: Store) -> Outcome:
    graph = ox.NamedNode(f"{SCRATCH_PREFIX}{uuid.uuid4()}")
    triples = [
        ox.Triple(
            ox.NamedNode(f"{CANARY.value}w{i}"), ox.NamedNode(f"{CANARY.value}n"), ox.Literal(i)
        )
        for i in range(WRITE_TRIPLES)
    ]
    try:
        store.replace_graphs({graph: triples})
        rows = store.select(_protocol_query("graph_size"), {"g": graph})
        count = int(rows[0]["n"].value) if rows else 0
    except StoreError as exc:
        return Outcome(
            "write_size", "required", False, f"a write of {WRITE_TRIPLES} triples: {exc}"
        )
    finally:
        try:
            store.drop_graphs([graph])
        except StoreError:
            pass
    ok = count == WRITE_TRIPLES
    return Outcome("write_size", "required", ok, f"a write of {WRITE_TRIPLES} triples kept {count}")


# -- protocol checks (a SPARQL server) -------------------------------------------------------


def _form_post(http: httpx.Client, endpoint: str, query: str) -> httpx.Response:
    return http.post(
        endpoint, data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )


def _row_limit(settings: Settings, store: Store) -> Outcome:
    with httpx.Client(timeout=settings.remote_timeout_s) as http:
        response = _form_post(http, settings.query_endpoint, _protocol_query("many_rows"))
    rows = len(json.loads(response.content)["results"]["bindings"])
    signal = response.headers.get("X-SPARQL-MaxRows")
    if rows == MANY_ROWS:
        return Outcome("row_limit", "required", True, f"all {MANY_ROWS} rows answered")
    if signal is None:
        detail = f"{rows} of {MANY_ROWS} rows with HTTP {response.status_code} and no signal"
        return Outcome("row_limit", "required", False, "silent truncation: " + detail)
    try:
        store.select(_protocol_query("many_rows"))
    except StoreError:
        detail = f"cut at {signal} rows (X-SPARQL-MaxRows): the catalogue treats it as an error"
        return Outcome("row_limit", "warning", False, detail)
    return Outcome("row_limit", "required", False, f"cut at {signal} rows, taken as whole")


def _direct_post(settings: Settings, store: Store) -> Outcome:
    try:
        with httpx.Client(timeout=3.0) as http:
            response = http.post(
                settings.query_endpoint,
                content=_protocol_query("ask_empty").encode(),
                headers={"Content-Type": "application/sparql-query"},
            )
        ok, detail = response.status_code == 200, f"HTTP {response.status_code}"
    except httpx.TimeoutException:
        ok, detail = False, "no answer in 3 s"
    detail += " (the catalogue sends queries form-encoded, which every engine takes)"
    return Outcome("post_sparql_query", "warning", ok, detail)


def _dataset_read(settings: Settings, store: Store) -> Outcome:
    """The whole-dataset GSP read (export, backup): the first N-Quads lines parse."""
    try:
        with httpx.Client(timeout=settings.remote_timeout_s) as http:
            with http.stream(
                "GET", settings.gsp_endpoint, headers={"Accept": "application/n-quads"}
            ) as response:
                status = response.status_code
                head = b"" if status != 200 else next(response.iter_bytes(), b"")
    except httpx.HTTPError as exc:
        return Outcome("gsp_dataset_read", "required", False, f"unreachable: {exc}")
    lines = head[: head.rfind(b"\n") + 1]
    try:
        quads = list(ox.parse(lines, ox.RdfFormat.N_QUADS)) if status == 200 else []
    except SyntaxError:
        return Outcome("gsp_dataset_read", "required", False, "the answer is not N-Quads")
    ok = status == 200 and bool(quads)
    detail = f"HTTP {status}" + (f", {len(quads)} quads in the first chunk" if ok else "")
    return Outcome("gsp_dataset_read", "required", ok, detail)


def _timeout(settings: Settings, store: Store) -> Outcome:
    slow = _protocol_query("slow")
    started = time.monotonic()
    try:
        with httpx.Client(timeout=httpx.Timeout(SLOW_QUERY_S, connect=2.0)) as http:
            response = _form_post(http, settings.query_endpoint, slow)
        taken = time.monotonic() - started
        return Outcome(
            "timeout",
            "warning",
            False,
            f"a 10^7-row count answered {response.status_code} in {taken:.1f} s",
        )
    except httpx.TimeoutException:
        detail = (
            f"the client gives up after {SLOW_QUERY_S} s (setting REMOTE_TIMEOUT_S) with an error"
        )
        return Outcome("timeout", "warning", True, detail)


def _service(settings: Settings, store: Store) -> Outcome:
    """SERVICE to a loopback port the probe listens on: did the engine call it? (Meaningful when
    the engine runs on this machine; the port is fixed in the query file, not formatted in.)"""
    query = _protocol_query("service")
    port = int(_front(query)["port"])
    called = threading.Event()
    with socket.socket() as listener:
        try:
            listener.bind(("127.0.0.1", port))
        except OSError:
            return Outcome("service_refused", "warning", False, f"not tried: port {port} is busy")
        listener.listen(1)
        listener.settimeout(5.0)

        def accept() -> None:
            try:
                listener.accept()[0].close()
                called.set()
            except OSError:
                pass

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        try:
            with httpx.Client(timeout=5.0) as http:
                _form_post(http, settings.query_endpoint, query)
        except httpx.HTTPError:
            pass
        thread.join(timeout=6)
    if called.is_set():
        detail = "SERVICE fetches URLs: keep the server off any network it could reach"
        return Outcome("service_refused", "warning", False, detail)
    return Outcome("service_refused", "warning", True, "no request reached a loopback SERVICE URL")


_PROTOCOL: dict[str, Callable[[Settings, Store], Outcome]] = {
    "gsp_dataset_read": _dataset_read,
    "row_limit": _row_limit,
    "post_sparql_query": _direct_post,
    "timeout": _timeout,
    "service_refused": _service,
}


_THOROUGH = frozenset({"timeout", "service_refused"})  # seconds of server work, warnings only


def protocol_checks(settings: Settings, store: Store, thorough: bool = True) -> list[Outcome]:
    """The server's protocol behaviour (the canary must be loaded)."""
    outcomes = []
    for name, check in _PROTOCOL.items():
        if name in _THOROUGH and not thorough:
            continue
        try:
            outcomes.append(check(settings, store))
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            outcomes.append(Outcome(name, "required", False, f"error: {exc}"))
    return outcomes


def probe(store: Store, settings: Settings, *, thorough: bool = True) -> Report:
    """Run every check against ``store`` (and, for a server, its endpoints). ``thorough=False``
    (``serve`` at start-up) leaves out the timeout and SERVICE checks: they only warn, and the
    timeout check keeps the server busy for seconds."""
    if settings.writer_query_endpoint:  # a read replica answers queries: probe the writer
        writer = replace(
            settings, query_endpoint=settings.writer_query_endpoint, writer_query_endpoint=""
        )
        with closing(open_store(writer)) as store:
            return probe(store, writer, thorough=thorough)
    with canary(store):
        outcomes = feature_checks(store)
        outcomes.append(_write_check(store))
        if settings.store == "remote":
            outcomes += protocol_checks(settings, store, thorough)
    return Report(tuple(outcomes))
