"""Capped exponential backoff with jitter, for reconnecting a lost stream. Pure: no clock, no sleep."""

from __future__ import annotations

import random


class Backoff:
    """Delays ``initial * factor**n`` capped at ``cap``, each spread by ±``jitter`` (a fraction).

    The jitter keeps tiles that lost the same hub at the same moment from reconnecting in step;
    the result never exceeds ``cap``.
    """

    def __init__(
        self,
        initial: float = 0.5,
        cap: float = 15.0,
        jitter: float = 0.2,
        factor: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        if initial <= 0 or cap < initial:
            raise ValueError("backoff needs 0 < initial <= cap")
        if not 0 <= jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")
        if factor < 1:
            raise ValueError("factor must be >= 1")
        self.initial = initial
        self.cap = cap
        self.jitter = jitter
        self.factor = factor
        self._rng = rng or random.Random()
        self._attempts = 0

    @property
    def attempts(self) -> int:
        """Delays handed out since the last reset."""
        return self._attempts

    def next_delay(self) -> float:
        # min() before the power would overflow: stop growing once the cap is reached.
        base = self.initial
        for _ in range(self._attempts):
            base *= self.factor
            if base >= self.cap:
                base = self.cap
                break
        self._attempts += 1
        spread = 1.0 + self._rng.uniform(-self.jitter, self.jitter)
        return min(self.cap, base * spread)

    def reset(self) -> None:
        self._attempts = 0
