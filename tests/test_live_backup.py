"""`specialekatalog backup` while `specialekatalog serve` holds the store: the running catalogue
makes a consistent snapshot, and keeps serving."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from catalogue.backup import Manifest
from catalogue.oxigraph_server import free_port, wait_until_ready
from catalogue.store import EmbeddedStore, canonical_hash

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
