"""The catalogue as one object: settings and an open store, for the CLI, web app and tests."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.config import Settings
from catalogue.store import Store, open_store


@dataclass
class Catalogue:
    settings: Settings
    store: Store

    @classmethod
    def open(cls, settings: Settings | None = None) -> Catalogue:
        settings = settings or Settings.from_env()
        return cls(settings, open_store(settings))

    def close(self) -> None:
        self.store.close()
