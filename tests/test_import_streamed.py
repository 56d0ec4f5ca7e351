"""The streamed CSV import: providers read in chunks give the same graphs and the same problems,
wherever a provider's rows are in the file and wherever the chunks end."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

from catalogue.demo import generate_rows
from catalogue.demo.vocabulary import knowledge_vocabulary
from catalogue.importing import csvfile, import_data, import_paths
from catalogue.importing.template import COLUMNS
from catalogue.loading import load_knowledge
from catalogue.store import EmbeddedStore, canonical_hash

LIMIT = 2**24
PROVIDERS = 9


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerows([row.get(c.key, "") for c in COLUMNS] for row in rows)
    return out.getvalue().encode()


def _providers() -> list[list[dict[str, str]]]:
    return list(generate_rows(PROVIDERS, 3, knowledge_vocabulary()))


def _rows() -> list[dict[str, str]]:
    return [row for rows in _providers() for row in rows]


def _scattered() -> list[dict[str, str]]:
    """Every provider's rows in their order, the providers' rows interleaved at random."""
    pending = [rows[:] for rows in _providers()]
    chance, scattered = random.Random(5), []
    while pending:
        rows = chance.choice(pending)
        scattered.append(rows.pop(0))
        pending = [rows for rows in pending if rows]
    return scattered


def _graphs(store: EmbeddedStore) -> dict[object, str]:
    names = {q.graph_name for q in store.quads()}
    return {
        name: canonical_hash(store.oxigraph.quads_for_pattern(None, None, None, name))
        for name in names
    }


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfile, "CHUNK", 2)


def test_scattered_rows_in_small_chunks_give_the_same_graphs(small_chunks: None) -> None:
    rows, scattered = _rows(), _scattered()
    assert len(rows) > PROVIDERS and rows != scattered  # some serve several target groups
    together, apart = EmbeddedStore(), EmbeddedStore()
    first = import_data(together, [("a.csv", _csv(rows))], max_bytes=LIMIT)
    second = import_data(apart, [("b.csv", _csv(scattered))], max_bytes=LIMIT)
    assert first.ok and second.ok, second.problems
    assert first.written == second.written == PROVIDERS
    assert sorted(first.files[0].providers) == sorted(second.files[0].providers)
    assert _graphs(together) == _graphs(apart)


def test_problems_in_every_chunk_are_reported_with_their_lines(small_chunks: None) -> None:
    rows = _rows()
    bad = {2: "staff", len(rows) - 1: "citizens"}  # in the first and the last chunk
    for index, key in bad.items():
        rows[index] = {**rows[index], key: "-3"}
    store = EmbeddedStore()
    result = import_data(store, [("bad.csv", _csv(rows))], max_bytes=LIMIT)
    assert not result.ok and result.written == 0
    found = {(p.line, p.field) for p in result.problems if p.severity == "error"}
    columns = {c.key: c.name for c in COLUMNS}
    assert {(index + 2, columns[key]) for index, key in bad.items()} <= found
    assert list(store.quads()) == []


def test_a_file_from_disk_is_not_held_as_records(tmp_path: Path) -> None:
    path = tmp_path / "providers.csv"
    path.write_bytes(_csv(_rows()))
    from_disk, uploaded = EmbeddedStore(), EmbeddedStore()
    for store in (from_disk, uploaded):
        load_knowledge(store)
    read = import_paths(from_disk, [path], max_bytes=LIMIT)
    upload = import_data(uploaded, [(path.name, path.read_bytes())], max_bytes=LIMIT)
    assert read.ok and upload.ok
    assert read.files[0].records == [] and len(read.files[0].providers) == PROVIDERS
    assert len(upload.files[0].records) == PROVIDERS
    assert canonical_hash(from_disk.quads()) == canonical_hash(uploaded.quads())
    assert import_paths(from_disk, [path], max_bytes=LIMIT).written == 0


def test_an_error_in_the_second_file_writes_nothing_of_the_first(tmp_path: Path) -> None:
    rows = _rows()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(_csv(rows[:4]))
    bad.write_bytes(_csv([{**rows[-1], "capacity": "-1"}]))
    store = EmbeddedStore(tmp_path / "store")
    result = import_paths(store, [good, bad], max_bytes=LIMIT)
    assert not result.ok and result.files[0].ok and result.written == 0
    assert list(store.quads()) == []
    assert not any((tmp_path / "store").glob("specialekatalog-journal*"))


def test_a_new_graph_goes_as_mapped_and_a_reimport_still_changes_nothing() -> None:
    rows = [{**row, "turnover": "0,50"} for row in _rows()]  # the store reads "0.50" as "0.5"
    store = EmbeddedStore()
    assert import_data(store, [("a.csv", _csv(rows))], max_bytes=LIMIT).written == PROVIDERS
    turnover = {
        q.object.value for q in store.quads() if q.predicate.value.endswith("#staffTurnover")
    }
    assert turnover == {"0.5"}
    again = import_data(store, [("a.csv", _csv(rows))], max_bytes=LIMIT)
    assert again.ok and again.written == 0


def test_read_file_without_the_stored_graphs_reads_every_graph_back_canonical() -> None:
    from catalogue.importing import read_file
    from catalogue.importing.writer import Spool, write_graphs

    data = _csv([{**row, "turnover": "0,50"} for row in _rows()])
    store = EmbeddedStore()
    assert import_data(store, [("a.csv", data)], max_bytes=LIMIT).written == PROVIDERS
    with Spool() as spool:
        assert read_file("a.csv", data, LIMIT, records=False, spool=spool).ok
        assert write_graphs(store, spool) == 0


def test_a_recorded_approval_is_kept_in_a_later_chunk(small_chunks: None) -> None:
    from tests.test_import import _about, _record_approval

    store = EmbeddedStore()
    load_knowledge(store)
    data = _csv(_rows())
    first = import_data(store, [("a.csv", data)], max_bytes=LIMIT)
    last = first.files[0].providers[-1]  # in the last chunk
    recorded = _record_approval(store, last)
    kept = _about(store, last, recorded)
    before = canonical_hash(store.quads())
    again = import_data(store, [("a.csv", data)], max_bytes=LIMIT)
    assert again.ok and again.written == 0
    assert canonical_hash(store.quads()) == before and _about(store, last, recorded) == kept
