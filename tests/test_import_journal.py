"""The redo journal that makes a write of many graphs all or nothing (catalogue/store/journal.py).

A process killed at any moment of the write is simulated by stopping after each step: the store
opened again holds exactly the state before or the state after the whole write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from catalogue.store import EmbeddedStore, canonical_hash, journal

EX = "https://example.org/"


def _graph(n: int) -> ox.NamedNode:
    return ox.NamedNode(f"{EX}graph/{n}")


def _text(n: int, value: str) -> str:
    return f'<{EX}s/{n}> <{EX}p> "{value}" .\n<{EX}s/{n}> <{EX}q> <{EX}o/{n}> .\n'


def _prepared(path: Path) -> tuple[str, list[tuple[ox.NamedNode, str]], str]:
    """A store with graphs 0-3; the change: 0-2 replaced, 3 dropped, 4 new. Returns the hash
    before, the change, and the hash after (from a store in memory)."""
    store = EmbeddedStore(path)
    store.replace_all((_graph(n), _text(n, "old")) for n in range(4))
    before = canonical_hash(store.quads())
    store.close()
    change = [(_graph(n), _text(n, "new")) for n in range(3)]
    change += [(_graph(3), ""), (_graph(4), _text(4, "new"))]
    memory = EmbeddedStore()
    memory.replace_all((_graph(n), _text(n, "old")) for n in range(4))
    assert memory.replace_all(iter(change)) == 5
    return before, change, canonical_hash(memory.quads())


def _reopened(path: Path) -> str:
    store = EmbeddedStore(path)
    try:
        assert not (path / journal.JOURNAL).exists() and not (path / journal.PART).exists()
        return canonical_hash(store.quads())
    finally:
        store.close()


@pytest.mark.parametrize("small", [0, journal.SMALL])
def test_a_whole_write_lands(tmp_path: Path, small: int) -> None:
    """Through the journal, and (a small write) in one SPARQL update: the same state after."""
    before, change, after = _prepared(tmp_path / "store")
    store = EmbeddedStore(tmp_path / "store")
    assert journal.replace_all(store.oxigraph, tmp_path / "store", iter(change), small=small) == 5
    assert canonical_hash(store.quads()) == after != before
    assert _graph(3) not in store.graph_names()
    store.close()
    assert _reopened(tmp_path / "store") == after


@pytest.mark.parametrize("size", [1, 400, journal.LOAD_BYTES])
def test_applied_in_pieces_of_whole_graphs(tmp_path: Path, size: int) -> None:
    """The bulk loader gets the journal in pieces (its memory grows with what one call loads),
    each piece whole graphs and TriG on its own, whatever the piece size: the same state after."""
    before, change, after = _prepared(tmp_path / "store")
    journal.write(tmp_path, iter(change))
    pieces = list(journal.pieces(tmp_path / journal.PART / journal.DATA, size))
    assert b"".join(pieces) == (tmp_path / journal.PART / journal.DATA).read_bytes()
    expected = {1: range(4, 5), 400: range(2, 4)}.get(size, range(1, 2))  # 4 graphs
    assert len(pieces) in expected
    assert all(p.endswith(journal.END) and p.count(b"{") == p.count(b"}") for p in pieces)
    store = EmbeddedStore(tmp_path / "store")
    journal.apply(store.oxigraph, journal.commit(tmp_path), size)
    assert canonical_hash(store.quads()) == after != before
    store.close()


def test_killed_while_writing_the_journal_leaves_the_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "store"
    before, change, _after = _prepared(path)
    store = EmbeddedStore(path)

    def cut() -> Iterator[tuple[ox.NamedNode, str]]:
        yield from change[:2]
        raise KeyboardInterrupt  # the process stops here (nothing after it runs)

    try:
        journal.write(path, cut())
    except KeyboardInterrupt:
        pass
    assert (path / journal.PART).is_dir()
    store.close()
    assert _reopened(path) == before


def test_killed_after_the_commit_is_finished_on_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    before, change, after = _prepared(path)
    store = EmbeddedStore(path)
    journal.write(path, iter(change))
    journal.commit(path)  # killed right after the commit: nothing applied yet
    assert canonical_hash(store.quads()) == before
    store.close()
    assert _reopened(path) == after


def test_killed_while_applying_is_finished_on_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    _before, change, after = _prepared(path)
    store = EmbeddedStore(path)
    journal.write(path, iter(change))
    done = journal.commit(path)
    names = (done / journal.GRAPHS).read_text(encoding="utf-8").split()
    store.oxigraph.remove_graph(ox.NamedNode(names[0]))  # killed after the first drops
    store.close()
    assert _reopened(path) == after
    store = EmbeddedStore(path)  # applying twice (killed after the load) changes nothing
    journal.write(path, iter(change))
    journal.apply(store.oxigraph, journal.commit(path))
    store.close()
    assert _reopened(path) == after


def test_killed_after_some_pieces_are_loaded_is_finished_on_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "store"
    _before, change, after = _prepared(path)
    store = EmbeddedStore(path)
    journal.write(path, iter(change))
    done = journal.commit(path)
    first = next(journal.pieces(done / journal.DATA, 1))  # one graph's block
    store.oxigraph.bulk_load(first, ox.RdfFormat.TRIG)  # killed after the first piece
    store.close()
    assert _reopened(path) == after


def test_nothing_to_write_leaves_no_journal(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    assert store.replace_all(iter(())) == 0
    assert not list((tmp_path / "store").glob("specialekatalog-journal*"))
    store.close()


@pytest.mark.parametrize("small", [0, journal.SMALL])
def test_added_graphs_keep_what_they_hold_also_when_applied_again(
    tmp_path: Path, small: int
) -> None:
    """A graph in ``added`` is not listed to be removed: its text is added (the check history).
    Applying the committed journal a second time (a kill after the apply, before the journal was
    removed) leaves the same state: adding the same triples again changes nothing."""
    store = EmbeddedStore(tmp_path / "store")
    store.replace_all((_graph(n), _text(n, "old")) for n in range(2))
    change = [(_graph(0), _text(0, "new")), (_graph(1), _text(1, "added"))]
    assert (
        journal.replace_all(
            store.oxigraph, tmp_path / "store", iter(change), small=small, added={_graph(1)}
        )
        == 2
    )
    values = {q.object.value for q in store.quads(_graph(1)) if q.predicate.value == f"{EX}p"}
    assert values == {"old", "added"}
    assert {q.object.value for q in store.quads(_graph(0))} == {"new", f"{EX}o/0"}
    after = canonical_hash(store.quads())
    (tmp_path / "again").mkdir()
    journal.write(tmp_path / "again", iter(change), added={_graph(1)})
    applied = journal.commit(tmp_path / "again")
    for _ in range(2):
        journal.apply(store.oxigraph, applied)
    assert canonical_hash(store.quads()) == after
    store.close()


def test_a_held_graph_is_written_as_its_difference(tmp_path: Path) -> None:
    """A graph the store holds is not removed and loaded again: the journal deletes the lines it
    lost and loads the ones it gained. A triple the new text writes otherwise than the store
    does (the store keeps 1 for "01"^^xsd:integer) is deleted and added back: deletions first.
    A kill after the commit: the next open applies it, with the same outcome."""
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    old = f'<{EX}s> <{EX}p> "old" .\n<{EX}s> <{EX}n> "1"^^{integer} .\n<{EX}s> <{EX}q> <{EX}o> .\n'
    new = f'<{EX}s> <{EX}p> "new" .\n<{EX}s> <{EX}n> "01"^^{integer} .\n<{EX}s> <{EX}q> <{EX}o> .\n'
    store = EmbeddedStore(tmp_path / "store")
    store.replace_graphs_text({_graph(0): old})
    expected = EmbeddedStore()
    expected.replace_graphs_text({_graph(0): new})
    journal.write(tmp_path / "store", iter([(_graph(0), new)]), store=store.oxigraph)
    part = tmp_path / "store" / journal.PART
    assert not (part / journal.GRAPHS).read_text().strip()  # nothing removed whole
    assert '"old"' in (part / journal.DELETED).read_text()
    assert f"<{EX}q>" not in (part / journal.DATA).read_text()  # an unchanged line stays
    journal.commit(tmp_path / "store")
    store.close()  # killed after the commit
    assert _reopened(tmp_path / "store") == canonical_hash(expected.quads())


@pytest.mark.parametrize("small", [0, journal.SMALL])
def test_a_literal_holding_a_unicode_line_separator_is_one_line(tmp_path: Path, small: int) -> None:
    """N-Triples keeps U+2028, U+2029 and U+0085 unescaped in literals, and str.splitlines()
    splits at them: a difference cut there would make a journal that can never be applied, and
    the store could not be opened again. Written as a difference, the state is the new text's."""
    store = EmbeddedStore(tmp_path / "store")
    odd = "a\u2028b\u2029c\u0085d"
    old = {_graph(n): f'<{EX}s/{n}> <{EX}p> "{odd}{n}" .\n' for n in range(3)}
    store.replace_graphs_text(old)
    new = [(_graph(n), f'<{EX}s/{n}> <{EX}p> "fixed {n}" .\n') for n in range(3)]
    expected = EmbeddedStore()
    expected.replace_graphs_text(dict(new))
    assert journal.replace_all(store.oxigraph, tmp_path / "store", iter(new), small=small) == 3
    assert canonical_hash(store.quads()) == canonical_hash(expected.quads())
    back = [(_graph(n), text) for n, text in enumerate(old.values())]
    assert journal.replace_all(store.oxigraph, tmp_path / "store", iter(back), small=small) == 3
    assert {q.object.value for q in store.quads()} == {f"{odd}{n}" for n in range(3)}
    store.close()
    EmbeddedStore(tmp_path / "store").close()  # opens: no journal left that cannot be applied
