"""Reconnection delays: capped exponential backoff with jitter (pure, no clock, no sleep)."""

from __future__ import annotations

import random


class Backoff:
    """0.5 s, 1 s, 2 s, … capped, each ±jitter, so that many clients never retry in step."""

    def __init__(self, initial: float = 0.5, cap: float = 15.0, jitter: float = 0.2, factor: float = 2.0,
                 rng: random.Random | None = None) -> None:
        if not (0 < initial <= cap and 0 <= jitter < 1 and factor >= 1):
            raise ValueError("backoff needs 0 < initial <= cap, 0 <= jitter < 1, factor >= 1")
        self.initial = initial
        self.cap = cap
        self.jitter = jitter
        self.factor = factor
        self._rng = rng or random.Random()
        self._attempt = 0

    @property
    def attempts(self) -> int:
        return self._attempt

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts one failed attempt."""
        base = min(self.cap, self.initial * self.factor**self._attempt)
        self._attempt += 1
        return base * (1 + self._rng.uniform(-self.jitter, self.jitter))

    def reset(self) -> None:
        """After a success: the next failure starts again from the initial delay."""
        self._attempt = 0
