"""Batch work's interpreter settings: nested, overlapping across threads, restored as found."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator

import pytest

from catalogue.interpreter import SWITCH_INTERVAL_S, batch_work


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    before, interval = gc.isenabled(), sys.getswitchinterval()
    yield
    (gc.enable if before else gc.disable)()
    sys.setswitchinterval(interval)


def test_batch_work_pauses_the_collector_and_shortens_the_switch_interval() -> None:
    gc.enable()
    sys.setswitchinterval(0.005)
    with batch_work():
        assert not gc.isenabled()
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
        with batch_work():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer batch is still open
    assert gc.isenabled()
    assert sys.getswitchinterval() == pytest.approx(0.005)


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with batch_work():
        pass
    assert not gc.isenabled()


def test_a_shorter_interval_is_kept() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_S / 2)
    with batch_work():
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S / 2)
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S / 2)


def test_an_error_ends_the_batch() -> None:
    gc.enable()
    with pytest.raises(ValueError), batch_work():
        raise ValueError("boom")
    assert gc.isenabled()


def test_batches_overlapping_in_two_threads() -> None:
    gc.enable()
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
    assert not gc.isenabled()  # the other thread's batch is still open
    leave.set()
    thread.join(10)
    assert gc.isenabled()
