"""`specialekatalog backup` while `specialekatalog serve` holds the store: the running catalogue
makes a consistent snapshot, and keeps serving."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from catalogue.backup import Manifest
from catalogue.live_backup import ask_server, lock_file, serving_pid
from catalogue.oxigraph_server import free_port, wait_until_ready
from catalogue.store import EmbeddedStore, StoreError, canonical_hash

CLI = [sys.executable, "-c", "from catalogue.cli import main; main()"]


@pytest.mark.slow
def test_backup_of_a_serving_catalogue(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SPECIALEKATALOG_STORE": str(tmp_path / "store"),
        "SPECIALEKATALOG_PORT": str(port),
    }
    subprocess.run([*CLI, "load"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*CLI, "demo", "--load", "--providers", "5", "--seed", "3"],
        env=env,
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen([*CLI, "serve"], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/-/health", server, timeout_s=60)
        target = tmp_path / "backup"
        done = subprocess.run(
            [*CLI, "backup", str(target)], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        manifest = Manifest.read(target)
        assert manifest is not None and manifest.kind == "oxigraph" and manifest.quads > 0
        saved = EmbeddedStore(target, read_only=True)
        assert canonical_hash(saved.quads()) == manifest.sha256
        assert any("graph/provider/" in g.value for g in saved.graph_names())
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).status_code == 200
        again = subprocess.run(
            [*CLI, "backup", str(target)], env=env, capture_output=True, text=True
        )
        assert again.returncode != 0 and "exists already" in again.stderr
    finally:
        server.terminate()
        server.wait(timeout=20)


# --- the serve lock is a real lock (issue 14, finding 6) ------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
import pyoxigraph as ox
from catalogue.live_backup import hold
store = ox.Store(sys.argv[1])
hold(Path(sys.argv[1]))
print("ready", flush=True)
time.sleep(60)
"""


def _holder(store_dir: Path) -> subprocess.Popen[str]:
    """A process that holds the store and its serve lock, as `serve` does."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_dir)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def _stop(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()
    if process.stdout is not None:
        process.stdout.close()


def test_a_left_over_lock_file_never_names_a_process_to_signal(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    unrelated = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock_file(store_dir).write_text(str(unrelated.pid), encoding="utf-8")
        assert serving_pid(store_dir) is None
        with pytest.raises(StoreError, match="no running catalogue"):
            ask_server(store_dir, tmp_path / "backup")
        assert unrelated.poll() is None, "an unrelated process was signalled"
    finally:
        unrelated.kill()
        unrelated.wait()


def test_the_lock_goes_with_the_process_even_after_kill_9(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    holder = _holder(store_dir)
    try:
        assert serving_pid(store_dir) == holder.pid
    finally:
        _stop(holder)
    assert serving_pid(store_dir) is None


@pytest.mark.parametrize("command", [["export"], ["load"], ["check", "--all"], ["import", "x.csv"]])
def test_commands_on_a_held_store_say_so_in_one_line(tmp_path: Path, command: list[str]) -> None:
    store_dir = tmp_path / "store"
    (tmp_path / "x.csv").write_text("tpid\n", encoding="utf-8")
    holder = _holder(store_dir)
    try:
        env = {**os.environ, "SPECIALEKATALOG_STORE": str(store_dir)}
        done = subprocess.run(
            [*CLI, *command], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
    finally:
        _stop(holder)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"pid {holder.pid}" in lines[0], done.stderr


def test_dumps_are_written_ahead_beside_the_store_and_left_overs_cleaned(tmp_path: Path) -> None:
    from catalogue import Catalogue, Settings
    from webapp import create_app
    from webapp.exports import prepare_dumps
    from webapp.exports.dumps import DUMPS

    store_dir = tmp_path / "store"
    dumps_dir = tmp_path / "store.dumps"
    dumps_dir.mkdir()
    (dumps_dir / "7-catalogue.nq.partial").write_bytes(b"left by a killed process")
    catalogue = Catalogue.open(Settings.from_env({"store": str(store_dir)}))
    try:
        catalogue.store.add([_quad()])
        app = create_app({"TESTING": True}, catalogue=catalogue)
        prepare_dumps(app)
        written = sorted(p.name.split("-", 1)[1] for p in dumps_dir.iterdir())
        assert written == sorted(DUMPS)  # every dump, nothing partial or left over
        before = {p: p.stat().st_mtime_ns for p in dumps_dir.iterdir()}
        response = app.test_client().get("/-/dumps/catalogue.nq")
        assert response.status_code == 200 and b"urn:x:s" in response.get_data()
        response.close()
        assert {p: p.stat().st_mtime_ns for p in dumps_dir.iterdir()} == before  # not rebuilt
    finally:
        app.extensions["dumps"].close()
        catalogue.close()


def _quad() -> ox.Quad:
    graph = ox.NamedNode("https://specialekatalog.example/graph/provider/900103")
    return ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o"), graph)
