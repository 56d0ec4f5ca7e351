"""A writer and a read replica, real and on 127.0.0.1: the catalogue queries the replica
(``oxigraph serve-read-only`` on a snapshot from ``specialekatalog replica snapshot``) and writes to
the writer; /-/health says how far the replica lags, and a refresh brings it up to date
(issue 15)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from catalogue import Settings, load_knowledge
from catalogue.cli import main
from catalogue.loopback import catalogue_env, catalogue_processes
from catalogue.oxigraph_server import oxigraph_server
from catalogue.store import RemoteStore, open_store

pytestmark = [pytest.mark.remote, pytest.mark.slow]

GRAPH = ox.NamedNode("https://specialekatalog.example/graph/provider/replica-test")
TRIPLE = ox.Triple(
    ox.NamedNode("https://specialekatalog.example/id/provider/replica-test"),
    ox.NamedNode("https://specialekatalog.example/ontology#name"),
    ox.Literal("Replikaen"),
)
ASK = 'ASK { ?p <https://specialekatalog.example/ontology#name> "Replikaen" }'


def snapshot(env: dict[str, str], target: Path) -> None:
    result = CliRunner().invoke(main, ["replica", "snapshot", str(target)], env=env)
    assert result.exit_code == 0, result.output
    assert "quads in" in result.output


def health(url: str) -> dict[str, object]:
    response = httpx.get(f"{url}/-/health", timeout=30)
    assert response.status_code == 200
    data: dict[str, object] = response.json()["data"]
    return data


def test_a_catalogue_on_a_read_replica(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "writer") as writer:
        env = catalogue_env(writer)
        store = open_store(
            Settings.from_env(
                {
                    "store": "remote",
                    "query_endpoint": f"{writer}/query",
                    "update_endpoint": f"{writer}/update",
                    "gsp_endpoint": f"{writer}/store",
                }
            )
        )
        load_knowledge(store)
        snapshot(env, tmp_path / "snapshot-1")
        with oxigraph_server(tmp_path / "snapshot-1", read_only=True) as replica_url:
            port = int(replica_url.rsplit(":", 1)[1])
            replica_env = {
                **env,
                "SPECIALEKATALOG_QUERY_ENDPOINT": f"{replica_url}/query",
                "SPECIALEKATALOG_WRITER_QUERY_ENDPOINT": f"{writer}/query",
            }
            with catalogue_processes(1, replica_env) as [process]:
                fresh = health(process.url)
                assert fresh["current"] is True and fresh["lag_s"] == 0
                store.replace_graphs({GRAPH: [TRIPLE]})  # a write, as an editing commit makes
                stale = health(process.url)
                assert stale["current"] is False
                assert stale["writer_changes"] > stale["changes"]  # type: ignore[operator]
                replica = RemoteStore(
                    f"{replica_url}/query", f"{writer}/update", f"{writer}/store", 10
                )
                assert not replica.ask(ASK) and store.ask(ASK)
                snapshot(env, tmp_path / "snapshot-2")
        # the refresh: the read-only server restarted on the new snapshot, same port
        with oxigraph_server(tmp_path / "snapshot-2", read_only=True, port=port) as replica_url:
            assert replica.ask(ASK)
            with catalogue_processes(1, replica_env) as [process]:
                refreshed = health(process.url)
                assert refreshed["current"] is True and refreshed["lag_s"] == 0
            replica.close()
        store.close()
