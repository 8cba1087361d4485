"""Pull-point event subscriptions of one simulated camera (ONVIF motion alarms).

Used from the farm's event-loop thread only (the farm marshals `emit_motion` onto it), so no lock.
Subscriptions expire at their termination time and are swept; queues are bounded (oldest dropped).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

MOTION_TOPIC = "tns1:VideoSource/MotionAlarm"
DEFAULT_TERMINATION_S = 60.0
MAX_TERMINATION_S = 3600.0
MAX_PULL_TIMEOUT_S = 60.0
DEFAULT_MAX_SUBSCRIPTIONS = 16
DEFAULT_QUEUE_LIMIT = 256


@dataclass(frozen=True, slots=True)
class MotionEvent:
    utc_time: datetime
    source_token: str
    state: bool
    property_operation: str  # "Initialized" (sent to a new subscription) or "Changed"


class SubscriptionError(Exception):
    pass


class UnknownSubscriptionError(SubscriptionError):
    pass


class TooManySubscriptionsError(SubscriptionError):
    pass


@dataclass(eq=False)
class Subscription:
    id: str
    expires_at: float  # in the hub's clock
    queue: deque[MotionEvent]
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False


class EventHub:
    """Motion state and pull-point subscriptions of one camera."""

    def __init__(
        self,
        source_token: str,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_subscriptions: int = DEFAULT_MAX_SUBSCRIPTIONS,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
    ) -> None:
        self.source_token = source_token
        self._clock = clock
        self._max_subscriptions = max_subscriptions
        self._queue_limit = queue_limit
        self._subscriptions: dict[str, Subscription] = {}
        self._motion = False
        self._closed = False

    @property
    def motion_active(self) -> bool:
        return self._motion

    @property
    def subscription_count(self) -> int:
        return len(self._subscriptions)

    def remaining_s(self, subscription: Subscription) -> float:
        return max(0.0, subscription.expires_at - self._clock())

    def _clamp_termination(self, duration_s: float) -> float:
        return min(MAX_TERMINATION_S, max(1.0, duration_s))

    def subscribe(self, duration_s: float, utc_now: datetime) -> Subscription:
        self.sweep()
        if self._closed or len(self._subscriptions) >= self._max_subscriptions:
            raise TooManySubscriptionsError(f"at most {self._max_subscriptions} subscriptions")
        subscription = Subscription(
            id=secrets.token_hex(8),
            expires_at=self._clock() + self._clamp_termination(duration_s),
            queue=deque(maxlen=self._queue_limit),
        )
        # ONVIF property events: a new subscriber first learns the current state.
        subscription.queue.append(MotionEvent(utc_now, self.source_token, self._motion, "Initialized"))
        self._subscriptions[subscription.id] = subscription
        return subscription

    def get(self, subscription_id: str) -> Subscription:
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None:
            raise UnknownSubscriptionError(subscription_id)
        if subscription.expires_at <= self._clock():
            self._drop(subscription)
            raise UnknownSubscriptionError(subscription_id)
        return subscription

    def renew(self, subscription_id: str, duration_s: float) -> Subscription:
        subscription = self.get(subscription_id)
        subscription.expires_at = self._clock() + self._clamp_termination(duration_s)
        return subscription

    def unsubscribe(self, subscription_id: str) -> None:
        self._drop(self.get(subscription_id))

    def _drop(self, subscription: Subscription) -> None:
        subscription.closed = True
        subscription.wakeup.set()
        self._subscriptions.pop(subscription.id, None)

    def sweep(self) -> int:
        """Remove expired subscriptions; return how many."""
        now = self._clock()
        expired = [s for s in self._subscriptions.values() if s.expires_at <= now]
        for subscription in expired:
            self._drop(subscription)
        return len(expired)

    def publish_motion(self, active: bool, utc_now: datetime) -> None:
        self._motion = active
        event = MotionEvent(utc_now, self.source_token, active, "Changed")
        for subscription in self._subscriptions.values():
            subscription.queue.append(event)
            subscription.wakeup.set()

    async def pull(self, subscription: Subscription, timeout_s: float, limit: int) -> list[MotionEvent]:
        """Up to `limit` queued events; wait up to `timeout_s` for the first one (long poll)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(MAX_PULL_TIMEOUT_S, max(0.0, timeout_s))
        while True:
            if subscription.queue:
                count = min(max(1, limit), len(subscription.queue))
                return [subscription.queue.popleft() for _ in range(count)]
            remaining = deadline - loop.time()
            if remaining <= 0 or subscription.closed or self._closed:
                return []
            subscription.wakeup.clear()
            try:
                await asyncio.wait_for(subscription.wakeup.wait(), remaining)
            except TimeoutError:
                return []

    def close(self) -> None:
        """Wake every pending pull and drop every subscription."""
        self._closed = True
        for subscription in list(self._subscriptions.values()):
            self._drop(subscription)
