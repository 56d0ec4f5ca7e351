"""A local ``oxigraph serve`` on a free loopback port (PyPI package ``oxigraph``), for the tests
and the benchmarks that run the catalogue against a real SPARQL server::

    with oxigraph_server(Path("var/server")) as url:
        store = RemoteStore(f"{url}/query", f"{url}/update", f"{url}/store", timeout_s=60)

The server answers queries over the union of its named graphs, as the catalogue expects.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(
    url: str,
    process: subprocess.Popen[bytes],
    timeout_s: float,
    params: Mapping[str, str] | None = None,
) -> None:
    """Poll ``url`` until it answers 200; RuntimeError if the process ends or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, params=params, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"the server at {url} did not start")
        time.sleep(0.1)


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    """Terminate ``process`` (SIGKILL if it has not ended after ``timeout_s``) and reap it."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_process(
    command: list[str], ready_url: str, timeout_s: float, env: Mapping[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """A child server process, stopped on leaving the block; its stderr goes to a temporary file
    (not a pipe: nobody reads it while the server runs), shown if it does not become ready."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=log, env=dict(env) if env else None
        )
        try:
            wait_until_ready(ready_url, process, timeout_s)
        except RuntimeError as exc:
            log.seek(0)
            raise RuntimeError(f"{exc}: {log.read().decode(errors='replace')[-4000:]}") from exc
        try:
            yield process
        finally:
            stop_process(process)


@contextmanager
def oxigraph_server(
    location: Path, timeout_s: float = 120, *, read_only: bool = False, port: int | None = None
) -> Iterator[str]:
    """Start ``oxigraph serve`` on ``location`` (``serve-read-only`` for a replica snapshot);
    yields its base URL, stops it on exit. Give the ``port`` of a server it replaces to refresh
    it in place."""
    url = f"http://127.0.0.1:{port or free_port()}"
    command = [
        str(Path(sys.executable).with_name("oxigraph")),
        "serve-read-only" if read_only else "serve",
        "--location",
        str(location),
        "--bind",
        url.removeprefix("http://"),
        "--union-default-graph",
    ]
    with running_process(command, f"{url}/query?query=ASK%7B%7D", timeout_s):
        yield url
