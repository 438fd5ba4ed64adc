"""Quota pacing: requests are spread to stay under the per-minute quota (injected clock)."""

from __future__ import annotations

import pytest

from sheets.client import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_sixty_a_minute_means_one_a_second() -> None:
    clock = Clock()
    pacer = Pacer(60, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        pacer.wait()
    assert clock.slept == [1.0, 1.0, 1.0]
    assert clock.now == pytest.approx(103.0)


def test_idle_time_counts_towards_the_next_request() -> None:
    clock = Clock()
    pacer = Pacer(30, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += 1.5
    pacer.wait()
    assert clock.slept == [pytest.approx(0.5)]
