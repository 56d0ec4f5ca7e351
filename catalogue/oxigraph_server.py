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


@contextmanager
def oxigraph_server(location: Path, timeout_s: float = 30) -> Iterator[str]:
    """Start ``oxigraph serve`` on ``location``; yields its base URL, stops it on exit."""
    url = f"http://127.0.0.1:{free_port()}"
    command = [
        str(Path(sys.executable).with_name("oxigraph")),
        "serve",
        "--location",
        str(location),
        "--bind",
        url.removeprefix("http://"),
        "--union-default-graph",
    ]
    with tempfile.TemporaryFile() as log:  # not a pipe: nobody reads it while the server runs
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_until_ready(f"{url}/query", process, timeout_s, {"query": "ASK {}"})
        except RuntimeError as exc:
            log.seek(0)
            raise RuntimeError(f"{exc}: {log.read().decode(errors='replace')}") from exc
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
