"""Shared fixtures: an in-memory catalogue with the knowledge files loaded, and the web app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from catalogue import Catalogue, Settings, load_knowledge
from catalogue.oxigraph_server import free_port
from catalogue.oxigraph_server import oxigraph_server as local_oxigraph
from catalogue.store import EmbeddedStore, RemoteStore, open_store

# `make test-all` runs with --hypothesis-profile=thorough: larger budgets for every property test.
THOROUGH = 5
settings.register_profile("thorough", max_examples=100 * THOROUGH)


def examples(default: int) -> int:
    """A property test's Hypothesis budget: ``default``, THOROUGH times more in `make test-all`."""
    return default * THOROUGH if settings.get_current_profile_name() == "thorough" else default


@cache
def _knowledge_quads() -> tuple[ox.Quad, ...]:
    """The store's content after load_knowledge(), parsed and loaded once per session."""
    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    load_knowledge(catalogue.store)
    quads = tuple(catalogue.store.quads())
    catalogue.close()
    return quads


def memory_catalogue() -> Catalogue:
    """A fresh in-memory catalogue holding what load_knowledge() writes (copied, not re-parsed)."""
    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    catalogue.store.add(_knowledge_quads())
    return catalogue


@pytest.fixture(scope="session")
def knowledge_catalogue() -> Catalogue:
    """Read-only use: the ontology and shapes, loaded once per session."""
    return memory_catalogue()


@lru_cache(maxsize=2)
def _demo_quads(providers: int, seed: int) -> tuple[ox.Quad, ...]:
    from catalogue import need
    from catalogue.demo import generate
    from catalogue.demo.need import NeedTally
    from catalogue.demo.vocabulary import knowledge_vocabulary
    from catalogue.importing.writer import write_records

    catalogue = memory_catalogue()
    tally = NeedTally(knowledge_vocabulary())  # and the illustrative need figures, as `demo --load`
    write_records(catalogue.store, tally.watch(generate(providers, seed)))
    need.write(catalogue.store, tally.year, tally.figures())
    quads = tuple(catalogue.store.quads())
    catalogue.close()
    return quads


def demo_catalogue_with(providers: int = 60, seed: int = 7) -> Catalogue:
    """A fresh in-memory catalogue: knowledge loaded and demo providers imported (the import runs
    once per session for each size and seed; later calls copy its result into a new store)."""
    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    catalogue.store.add(_demo_quads(providers, seed))
    return catalogue


@pytest.fixture(scope="session")
def demo_catalogue() -> Catalogue:
    """READ-ONLY use: knowledge and 60 demo providers (seed 7), built once per session.

    Tests that write build their own with ``demo_catalogue_with()``.
    """
    return demo_catalogue_with(60, 7)


@pytest.fixture(scope="session")
def checked_catalogue() -> Catalogue:
    """READ-ONLY use: demo_catalogue's content (60 providers, seed 7) in its own store, after a
    full compliance check (reports, placements, verdicts, qualifications written)."""
    from catalogue.compliance import check

    catalogue = demo_catalogue_with(60, 7)
    check(catalogue.store)
    return catalogue


@pytest.fixture(scope="session")
def web_catalogue() -> Catalogue:
    """READ-ONLY use: the small page fixture in tests/data/web/ (its own stand-in vocabularies)."""
    import pyoxigraph as ox

    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    for path in sorted((Path(__file__).parent / "data" / "web").glob("*.trig")):
        catalogue.store.oxigraph.load(path=str(path), format=ox.RdfFormat.TRIG)
    return catalogue


@pytest.fixture
def catalogue() -> Iterator[Catalogue]:
    """A fresh in-memory catalogue with the knowledge loaded, for tests that write."""
    catalogue = memory_catalogue()
    yield catalogue
    catalogue.close()


@pytest.fixture
def app(catalogue: Catalogue) -> Flask:
    from webapp import create_app

    return create_app({"TESTING": True}, catalogue=catalogue)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- stores: embedded and a real Oxigraph server on loopback -------------------------------------


@dataclass(frozen=True)
class OxigraphServer:
    url: str

    def settings(self, **overrides: object) -> Settings:
        return Settings.from_env(
            {
                "store": "remote",
                "query_endpoint": f"{self.url}/query",
                "update_endpoint": f"{self.url}/update",
                "gsp_endpoint": f"{self.url}/store",
                **overrides,
            }
        )

    def store(self) -> RemoteStore:
        store = open_store(self.settings())
        assert isinstance(store, RemoteStore)
        return store


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real `oxigraph serve` on 127.0.0.1 (union default graph), stopped after the session."""
    with local_oxigraph(tmp_path_factory.mktemp("oxigraph-server")) as url:
        yield OxigraphServer(url)


@pytest.fixture(params=["embedded", pytest.param("remote", marks=pytest.mark.remote)])
def any_store(request: pytest.FixtureRequest) -> Iterator[EmbeddedStore | RemoteStore]:
    """An empty store of each kind: in-memory pyoxigraph, and the session's Oxigraph server."""
    if request.param == "embedded":
        store: EmbeddedStore | RemoteStore = EmbeddedStore()
        yield store
        store.close()
        return
    server: OxigraphServer = request.getfixturevalue("oxigraph_server")
    remote = server.store()
    remote.clear()
    yield remote
    remote.clear()
    remote.close()


# --- the app under a real server, and an egress canary (SPARQL and linked-data tests) ----------


@contextmanager
def serving(app: Flask, threads: int = 4, **options: Any) -> Iterator[str]:
    """The app under waitress (the production server) on a free loopback port.

    The server is stopped from its own loop thread: closing its sockets from the test's thread
    races the loop's select() (an unhandled EBADF in the server thread under load, CI stop 17).
    """
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=free_port(), threads=threads, **options)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:

        def close_all() -> None:
            for channel in list(server._map.values()):
                channel.close()

        server.trigger.pull_trigger(close_all)
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()


@dataclass
class Canary:
    """A loopback HTTP server that records every request it gets (THREATS.md: egress canary)."""

    url: str
    hits: list[str]


@pytest.fixture
def egress_canary() -> Iterator[Canary]:
    hits: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def _record(self) -> None:
            hits.append(f"{self.command} {self.path}")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b'<urn:x:canary> <urn:x:p> "canary" .\n')

        do_GET = do_POST = do_HEAD = _record

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Canary(f"http://127.0.0.1:{server.server_address[1]}", hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- real headless Chromium (browser tests) ------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The system Chromium under Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip("no system Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh Danish-speaking browser context and page."""
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
