"""Real servers on 127.0.0.1 for the tests and benchmarks of several catalogue processes: the
catalogue itself (``specialekatalog serve`` as a child process), nginx in front of several of them,
and the Debian ``virtuoso-opensource`` server. Each starts on free ports
in a directory of its own and stops on leaving its ``with`` block::

    with oxigraph_server(tmp / "writer") as writer, catalogue_processes(3, env) as urls,
            nginx_proxy(urls, tmp / "nginx") as front:
        httpx.get(front + "/")

The binaries come from Debian packages (``nginx``, ``virtuoso-opensource``) that ``.ci/run``
installs; a missing one is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from catalogue.oxigraph_server import free_port, running_process, stop_process

VIRTUOSO = "virtuoso-t"
VIRTUOSO_ISQL = "isql-vt"
VIRTUOSO_VAD = Path("/usr/share/virtuoso-opensource-7/vad")


def _binary(name: str) -> str:
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else "")
    if not path:
        raise RuntimeError(f"{name} is not installed (.ci/run installs it with apt-get)")
    return path


# -- the catalogue ---------------------------------------------------------------------------


def catalogue_env(url: str, **settings: str) -> dict[str, str]:
    """The environment of a catalogue process on the Oxigraph server at ``url`` (its endpoints)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPECIALEKATALOG_")}
    env.update(
        SPECIALEKATALOG_STORE="remote",
        SPECIALEKATALOG_QUERY_ENDPOINT=f"{url}/query",
        SPECIALEKATALOG_UPDATE_ENDPOINT=f"{url}/update",
        SPECIALEKATALOG_GSP_ENDPOINT=f"{url}/store",
    )
    env.update({f"SPECIALEKATALOG_{k.upper()}": v for k, v in settings.items()})
    return env


class CatalogueProcess:
    """``specialekatalog serve`` on a fixed free port (the store probe runs first: seconds); it can
    be killed as a crash would and started again on the same port."""

    def __init__(self, env: Mapping[str, str], timeout_s: float = 120) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {
            **env,
            "SPECIALEKATALOG_HOST": "127.0.0.1",
            "SPECIALEKATALOG_PORT": str(self.port),
        }
        self._timeout_s = timeout_s
        self._stack = ExitStack()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(Path(sys.executable).with_name("specialekatalog")), "serve"]
        ready = f"{self.url}/-/health"
        self.process = self._stack.enter_context(
            running_process(command, ready, self._timeout_s, self._env)
        )

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, requests in flight are cut."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self._stack.close()
        self.process = None

    def stop(self) -> None:
        self._stack.close()
        self.process = None


@contextmanager
def catalogue_processes(count: int, env: Mapping[str, str]) -> Iterator[list[CatalogueProcess]]:
    """``count`` catalogue processes on one store, started one after the other."""
    processes = [CatalogueProcess(env) for _ in range(count)]
    try:
        for process in processes:
            process.start()
        yield processes
    finally:
        for process in processes:
            process.stop()


# -- nginx -----------------------------------------------------------------------------------

NGINX_CONF = """\
worker_processes 1;
daemon off;
user root root;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {root}/body;
  proxy_temp_path {root}/proxy;
  fastcgi_temp_path {root}/fastcgi;
  uwsgi_temp_path {root}/uwsgi;
  scgi_temp_path {root}/scgi;
  client_max_body_size 25m;
  upstream catalogue {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://catalogue;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # a process that is down: the request goes to the next one (idempotent requests only)
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
      proxy_read_timeout 120s;
    }}
  }}
}}
"""


def nginx_config(upstreams: list[str], root: Path, port: int) -> str:
    """The reverse proxy in front of several catalogue processes (the README shows the same)."""
    servers = "\n".join(f"    server {u.removeprefix('http://')} max_fails=0;" for u in upstreams)
    return NGINX_CONF.format(root=root, servers=servers, port=port)


@contextmanager
def nginx_proxy(upstreams: list[str], root: Path) -> Iterator[str]:
    """nginx on a free port, balancing over ``upstreams``; yields its URL."""
    root = root.resolve()  # nginx reads a relative path from its prefix
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(nginx_config(upstreams, root, port), encoding="utf-8")
    command = [_binary("nginx"), "-c", str(conf), "-p", str(root)]
    url = f"http://127.0.0.1:{port}"
    with running_process(command, f"{url}/-/health", 30):
        yield url


# -- Virtuoso --------------------------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {root}/virtuoso.db
ErrorLogFile = {root}/virtuoso.log
LockFile = {root}/virtuoso.lck
TransactionFile = {root}/virtuoso.trx
xa_persistent_file = {root}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {root}/virtuoso-temp.db
TransactionFile = {root}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
VADInstallDir = {vad}/
DirsAllowed = ., {vad}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""
# what the catalogue's SPARQL user needs (README: only on a port nobody else reaches)
VIRTUOSO_GRANTS = (
    "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
)


@contextmanager
def virtuoso_server(root: Path, timeout_s: float = 180) -> Iterator[str]:
    """The Debian ``virtuoso-opensource`` server with its shipped defaults (ResultSetMaxRows
    10,000), a fresh database in ``root``; yields the base URL (``/sparql``,
    ``/sparql-graph-crud``)."""
    root.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = root / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(root=root, sql_port=sql_port, http_port=http_port, vad=VIRTUOSO_VAD),
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{http_port}"
    command = [_binary(VIRTUOSO), "+foreground", "+configfile", str(ini)]
    with running_process(command, f"{url}/sparql?query=ASK%7B%7D", timeout_s) as process:
        grant = [_binary(VIRTUOSO_ISQL), f"127.0.0.1:{sql_port}", "dba", "dba"]
        subprocess.run(
            [*grant, f"exec={VIRTUOSO_GRANTS}"], check=True, capture_output=True, timeout=60
        )
        yield url
        stop_process(process, timeout_s=60)
