from __future__ import annotations

import random

import pytest

from vmwall.video.backoff import Backoff


def test_doubles_up_to_the_cap_without_jitter() -> None:
    backoff = Backoff(initial=0.5, cap=15, jitter=0)
    assert [backoff.next_delay() for _ in range(8)] == [0.5, 1, 2, 4, 8, 15, 15, 15]
    assert backoff.attempts == 8


def test_jitter_stays_within_its_fraction_and_never_exceeds_the_cap() -> None:
    backoff = Backoff(initial=0.5, cap=15, jitter=0.2, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(200)]
    assert 0.4 <= delays[0] <= 0.6 and 0.8 <= delays[1] <= 1.2
    assert all(12 <= d <= 15 for d in delays[6:])
    assert len({round(d, 6) for d in delays[6:]}) > 50, "capped delays must still be spread"


def test_jitter_spreads_tiles_that_failed_together() -> None:
    firsts = {Backoff(rng=random.Random(seed)).next_delay() for seed in range(20)}
    assert len(firsts) == 20


def test_reset_starts_again() -> None:
    backoff = Backoff(jitter=0)
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert backoff.attempts == 0 and backoff.next_delay() == 0.5


def test_huge_attempt_counts_do_not_overflow() -> None:
    backoff = Backoff(initial=0.5, cap=15, jitter=0)
    for _ in range(5000):
        delay = backoff.next_delay()
    assert delay == 15


@pytest.mark.parametrize(
    "kwargs", [{"initial": 0}, {"initial": 2, "cap": 1}, {"jitter": 1.0}, {"jitter": -0.1}, {"factor": 0.5}]
)
def test_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)  # type: ignore[arg-type]
