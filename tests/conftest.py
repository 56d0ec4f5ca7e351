"""Shared fixtures: an in-memory catalogue with the knowledge files loaded, and the web app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue import Catalogue, Settings, load_knowledge


def memory_catalogue() -> Catalogue:
    catalogue = Catalogue.open(Settings.from_env({"store": "memory"}))
    load_knowledge(catalogue.store)
    return catalogue


@pytest.fixture(scope="session")
def knowledge_catalogue() -> Catalogue:
    """Read-only use: the ontology and shapes, loaded once per session."""
    return memory_catalogue()


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
