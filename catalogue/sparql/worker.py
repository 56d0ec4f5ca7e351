"""A query worker: a child process that answers public queries from a read-only store snapshot.

Started by the pool (``pool.BOOT``, arguments SNAPSHOT_DIR MEMORY_MB). It moves into a
network namespace of its own (no network at all, ``isolation``), limits its own address space,
exits when its parent dies, opens the snapshot read-only,
says it is ready, then answers one request at a time on stdin/stdout. The pool kills it (SIGKILL)
when a query overruns its budget; nothing in-process can stop a running query (THREATS.md A5).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from typing import Any

import pyoxigraph as ox

from catalogue.sparql.isolation import cut_network
from catalogue.sparql.results import Answer, Caps, answer
from catalogue.sparql.wire import WireClosed, read_message, write_message

PARENT_CHECK_S = 1.0


def _die_with_parent() -> None:
    """Exit when the parent process goes, even in the middle of a query (the engine releases the
    GIL while it evaluates, so this thread keeps running)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _graphs(iris: list[str]) -> list[ox.NamedNode]:
    return [ox.NamedNode(iri) for iri in iris]


def _term(text: str) -> Any:
    """A term written in N-Triples syntax (a named query's bound parameter)."""
    triple = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), ox.RdfFormat.N_TRIPLES)))
    return triple.object


def evaluate(store: ox.Store, request: dict[str, Any]) -> Answer:
    default, named = request.get("default_graphs") or [], request.get("named_graphs") or []
    options: dict[str, Any] = {}
    if default or named:  # the protocol's dataset wins over the query's (SPARQL 1.1 Protocol)
        options["default_graph"] = _graphs(default)
        options["named_graphs"] = _graphs(named)
    elif not request.get("query_dataset"):  # the query's FROM, else the union of all graphs
        options["use_default_graph_as_union"] = True
    if request.get("substitutions"):
        options["substitutions"] = {
            ox.Variable(name): _term(text) for name, text in request["substitutions"].items()
        }
    result = store.query(request["query"], **options)
    caps = Caps(request["max_rows"], request["max_bytes"])
    return answer(result, request["format"], caps, int(request.get("offset") or 0))


def serve(store: ox.Store, inp: int, out: int, isolated: bool = False) -> None:
    write_message(out, {"ready": True, "pid": os.getpid(), "isolated": isolated})
    while True:
        try:
            request, _ = read_message(inp)
        except WireClosed:
            return
        try:
            result = evaluate(store, request)
        except SyntaxError as exc:
            write_message(out, {"ok": False, "error": "syntax", "message": str(exc)})
            continue
        except MemoryError:
            write_message(out, {"ok": False, "error": "memory", "message": "out of memory"})
            continue
        except (OSError, RuntimeError, ValueError, TypeError) as exc:
            write_message(out, {"ok": False, "error": "evaluation", "message": str(exc)})
            continue
        header = {"ok": True, "rows": result.rows, "truncated": result.truncated}
        write_message(out, header, result.body)


def main(argv: list[str]) -> None:
    snapshot, memory_mb = argv[1], int(argv[2])
    isolated = cut_network()  # before any thread starts
    _die_with_parent()
    # The protocol owns the original stdout; anything printed goes to stderr instead.
    out = os.dup(1)
    os.dup2(2, 1)
    _limit_memory(memory_mb)
    store = ox.Store.read_only(snapshot)
    serve(store, sys.stdin.fileno(), out, isolated)


if __name__ == "__main__":
    main(sys.argv)
