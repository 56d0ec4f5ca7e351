"""The aggregate cache: built once, served while a changed store's entry is rebuilt."""

from __future__ import annotations

import threading
import time

from catalogue.browse import cache


class FakeStore:
    generation: int | None = 0


def wait_for(store: object, key: str, expected: str) -> None:
    deadline = time.monotonic() + 10
    while cache.cached(store, key, lambda: "unused") != expected:
        assert time.monotonic() < deadline, "the background rebuild never landed"
        time.sleep(0.01)


def test_built_once_then_reused() -> None:
    store, calls = FakeStore(), []
    assert cache.cached(store, "k", lambda: calls.append(1) or len(calls)) == 1
    assert cache.cached(store, "k", lambda: calls.append(1) or len(calls)) == 1
    assert len(calls) == 1


def test_a_changed_store_is_served_stale_while_rebuilt() -> None:
    store, release = FakeStore(), threading.Event()

    def rebuild() -> str:
        release.wait(10)
        return "new"

    assert cache.cached(store, "k", lambda: "old") == "old"
    store.generation = 1
    assert cache.cached(store, "k", rebuild) == "old"  # served at once, not after the rebuild
    assert cache.cached(store, "k", rebuild) == "old"  # one rebuild at a time
    release.set()
    wait_for(store, "k", "new")


def test_invalidate_forgets() -> None:
    store = FakeStore()
    cache.cached(store, "k", lambda: "old")
    cache.invalidate(store)
    assert cache.cached(store, "k", lambda: "new") == "new"


def test_without_a_generation_entries_expire_after_the_ttl() -> None:
    store = FakeStore()
    store.generation = None
    cache.cached(store, "k", lambda: "stale", ttl=0)
    assert cache.cached(store, "k", lambda: "fresh", ttl=0) == "stale"
    wait_for(store, "k", "fresh")


def test_warm_up_builds_every_aggregate(web_catalogue) -> None:  # type: ignore[no-untyped-def]
    from catalogue.browse.criteria import near_misses
    from catalogue.browse.rows import Concept
    from webapp import create_app
    from webapp.browse import warm

    app = create_app({"TESTING": True}, catalogue=web_catalogue)
    thread = warm.start(app)
    thread.join(timeout=60)
    assert not thread.is_alive()
    function = Concept(
        "https://specialekatalog.example/id/specialty-function/autisme-boern-udfordrende-adfaerd",
        "Højt specialiseret botilbud til børn med autisme og udfordrende adfærd",
    )
    built = near_misses(web_catalogue.store, function, "da")
    assert [m.provider.label for m in built] == ["Solsikkens Børnehus"]
