"""The registry of leases held in flight: a stop releases exactly what is unfinished, once."""

from __future__ import annotations

from contextlib import ExitStack
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.weekly.held import Held


def test_finished_work_leaves_nothing_to_release() -> None:
    held, released = Held(), list[str]()
    with held.hold("sheet K1", lambda: released.append("K1")):
        pass
    assert held.release_all() == []
    assert released == []


def test_unfinished_work_is_released_and_named() -> None:
    held, released = Held(), list[str]()
    with held.hold("summary C1", lambda: released.append("C1")):
        assert held.release_all() == ["summary C1"]
        assert held.release_all() == []  # once
    assert released == ["C1"]


def test_a_failing_release_is_logged_and_the_others_still_released(
    caplog: pytest.LogCaptureFixture,
) -> None:
    held, released = Held(), list[str]()

    def broken() -> None:
        raise OSError("database down")

    with held.hold("sheet K1", broken), held.hold("sheet K2", lambda: released.append("K2")):
        assert held.release_all() == ["sheet K1", "sheet K2"]
    assert released == ["K2"]
    assert "could not release sheet K1: database down" in caplog.text


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["start", "finish", "stop"]), st.integers(0, 4))))
def test_release_all_gives_back_exactly_what_is_held_at_that_moment(
    steps: list[tuple[str, int]],
) -> None:
    """Any interleaving of work starting, finishing and stops: each stop releases just the
    work then unfinished and not yet released, and no piece of work is released twice."""
    held, released = Held(), list[int]()
    running: dict[int, ExitStack] = {}  # slot -> its work in progress
    unreleased: set[int] = set()  # ids of work running and not yet given back
    ids = iter(range(10**6))
    for action, slot in steps:
        if action == "start" and slot not in running:
            work = next(ids)
            running[slot] = stack = ExitStack()
            stack.enter_context(held.hold(str(work), partial(released.append, work)))
            stack.callback(unreleased.discard, work)
            unreleased.add(work)
        elif action == "finish" and slot in running:
            running.pop(slot).close()
        elif action == "stop":
            assert {int(what) for what in held.release_all()} == unreleased
            unreleased.clear()
    assert len(released) == len(set(released))  # none twice
