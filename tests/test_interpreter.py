"""Batch work's interpreter settings: nested, overlapping across threads, restored as found."""

from __future__ import annotations

import gc
import os
import sys
import threading
import weakref
from collections.abc import Iterator

import pytest

from catalogue.interpreter import COLLECT_EVERY, SWITCH_INTERVAL_S, batch_work


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.set_threshold(*thresholds)
    sys.setswitchinterval(interval)


def test_batch_work_collects_less_often_and_shortens_the_switch_interval() -> None:
    gc.set_threshold(700, 10, 10)
    sys.setswitchinterval(0.005)
    with batch_work():
        assert gc.get_threshold() == (COLLECT_EVERY, 10, 10)
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
        with batch_work():
            assert gc.get_threshold() == (COLLECT_EVERY, 10, 10)
        assert gc.get_threshold() == (COLLECT_EVERY, 10, 10)  # the outer batch is still open
    assert gc.get_threshold() == (700, 10, 10)
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_settings_already_further_are_kept() -> None:
    gc.set_threshold(COLLECT_EVERY * 2, 5, 5)
    sys.setswitchinterval(SWITCH_INTERVAL_S / 2)
    with batch_work():
        assert gc.get_threshold() == (COLLECT_EVERY * 2, 5, 5)
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S / 2)
    assert gc.get_threshold() == (COLLECT_EVERY * 2, 5, 5)
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S / 2)


def test_cycles_are_still_collected_during_batch_work() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    collected = threading.Event()
    gc.collect()
    with batch_work():
        node = Node()
        weakref.finalize(node, collected.set)
        del node  # a cycle: only the collector frees it
        kept = [[] for _ in range(COLLECT_EVERY + 100)]  # enough new objects for it to run
        assert collected.is_set()
    assert len(kept) > COLLECT_EVERY


def test_an_error_ends_the_batch() -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(ValueError), batch_work():
        raise ValueError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_batches_overlapping_in_two_threads() -> None:
    gc.set_threshold(700, 10, 10)
    entered, leave = threading.Event(), threading.Event()

    def other() -> None:
        with batch_work():
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    entered.wait(10)
    with batch_work():
        pass
    assert gc.get_threshold() == (COLLECT_EVERY, 10, 10)  # the other thread's batch is still open
    leave.set()
    thread.join(10)
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_child_forked_during_a_batch_gets_the_settings_back() -> None:
    gc.set_threshold(700, 10, 10)
    read, write = os.pipe()
    with batch_work():
        pid = os.fork()
        if pid == 0:  # the child: the batch that was open belongs to the parent
            os.write(write, repr(gc.get_threshold()).encode())
    if pid == 0:  # the child leaves the batch it was forked in, then begins a new one
        with batch_work():
            os.write(write, f" {gc.get_threshold()}".encode())
        os.write(write, f" {gc.get_threshold()}".encode())
        os._exit(0)
    os.waitpid(pid, 0)
    os.close(write)
    assert os.read(read, 200).decode() == f"(700, 10, 10) {(COLLECT_EVERY, 10, 10)} (700, 10, 10)"
    os.close(read)
