"""The Debian ``virtuoso-opensource`` server (7.2), real and on 127.0.0.1, with its shipped limits:
the store probe finds what it answers wrongly and the catalogue refuses to serve from it, naming
why; an answer Virtuoso cut at its row limit is an error, never taken as whole (issue 15)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalogue import Settings
from catalogue.loopback import virtuoso_server
from catalogue.probe import Report, probe
from catalogue.store import RemoteStore, StoreError, open_store

pytestmark = [pytest.mark.remote, pytest.mark.slow]

# What Virtuoso 7.2.5 (Debian 12) gets wrong, as the issue measured it and the probe finds it.
WRONG = {
    "aggregates",  # GROUP_CONCAT ignores the sorted subquery's order (the pages' lists)
    "ask",  # an ASK answer comes back as a table with one integer
    "literals",  # booleans come back as "1"/"0"
    "path_in_optional",  # zero-length rdfs:subClassOf* lost inside OPTIONAL ...
    "path_in_not_exists",  # ... NOT EXISTS ...
    "path_in_minus",  # ... and MINUS
    "gsp_dataset_read",  # no whole-dataset N-Quads over the Graph Store Protocol
}


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url:
        yield Settings.from_env(
            {
                "store": "remote",
                "query_endpoint": f"{url}/sparql",
                "update_endpoint": f"{url}/sparql",
                "gsp_endpoint": f"{url}/sparql-graph-crud",
                "remote_write_triples": 1000,
            }
        )


@pytest.fixture(scope="module")
def report(virtuoso: Settings) -> Report:
    store = open_store(virtuoso)
    try:
        made = probe(store, virtuoso)
    finally:
        store.close()
    print(made.table())
    return made


def test_the_probe_refuses_virtuoso_and_names_why(report: Report) -> None:
    outcomes = {o.check: o for o in report.outcomes}
    assert not report.serves
    assert {o.check for o in report.refusals} == WRONG
    assert not outcomes["lateral"].ok  # the portable forms are used
    assert outcomes["union_default_graph"].ok and outcomes["write_size"].ok  # chunked writes
    assert not outcomes["post_sparql_query"].ok  # hangs; the catalogue sends form-encoded
    assert "X-SPARQL-MaxRows" in outcomes["row_limit"].detail


def test_a_cut_answer_is_an_error(virtuoso: Settings) -> None:
    store = open_store(virtuoso)
    assert isinstance(store, RemoteStore)
    many = (Path(__file__).parent.parent / "queries/probe/protocol/many_rows.rq").read_text()
    with pytest.raises(StoreError, match="X-SPARQL-MaxRows"):
        store.select(many)
    store.close()


def test_serve_refuses_to_start_on_virtuoso(virtuoso: Settings) -> None:
    env = {
        "SPECIALEKATALOG_STORE": "remote",
        "SPECIALEKATALOG_QUERY_ENDPOINT": virtuoso.query_endpoint,
        "SPECIALEKATALOG_UPDATE_ENDPOINT": virtuoso.update_endpoint,
        "SPECIALEKATALOG_GSP_ENDPOINT": virtuoso.gsp_endpoint,
        "SPECIALEKATALOG_REMOTE_WRITE_TRIPLES": "1000",
        "PATH": str(Path(sys.executable).parent),
    }
    command = [str(Path(sys.executable).with_name("specialekatalog")), "serve"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "the store would give wrong or cut answers" in done.stderr
    for check in WRONG:
        assert check in done.stderr
