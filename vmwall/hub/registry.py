"""The hub's streams: started on first viewer, kept warm a while after the last, closed after that."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict

from vmwall.hub.fanout import Consumer
from vmwall.hub.upstream import Source, Upstream
from vmwall.model import StreamKind

log = logging.getLogger(__name__)

StreamKey = tuple[int, StreamKind]


class StreamRegistry:
    def __init__(
        self,
        resolve: Callable[[StreamKey], Source],
        *,
        linger_s: float = 30.0,
        always_warm: set[StreamKey] | None = None,
        rtsp_transport: str = "tcp",
    ) -> None:
        self._resolve = resolve
        self.linger_s = linger_s
        self._always_warm = set(always_warm or ())
        self._warm_until: dict[StreamKey, float] = {}
        self.rtsp_transport = rtsp_transport
        self._lock = threading.Lock()
        self._streams: dict[StreamKey, Upstream] = {}

    def upstream(self, key: StreamKey) -> Upstream:
        """The stream's upstream, started if needed: one RTSP session per stream per machine."""
        with self._lock:
            return self._upstream_locked(key)

    def existing(self, key: StreamKey) -> Upstream | None:
        with self._lock:
            return self._streams.get(key)

    def join(self, key: StreamKey, consumer: Consumer) -> Upstream:
        """Attach a player; atomic with respect to reap(), so it never joins a closing upstream."""
        with self._lock:
            stream = self._upstream_locked(key)
            stream.join(consumer)
            return stream

    def _upstream_locked(self, key: StreamKey) -> Upstream:
        stream = self._streams.get(key)
        if stream is None:
            stream = Upstream(lambda: self._resolve(key), rtsp_transport=self.rtsp_transport)
            self._streams[key] = stream
            stream.start()
            log.info("camera %d %s: pulling", key[0], key[1])
        return stream

    def warm(self, keys: list[StreamKey], ttl_s: float) -> None:
        """Keep these streams pulled for ttl_s even with no viewer (e.g. sub streams of visible cameras)."""
        until = time.monotonic() + ttl_s
        for key in keys:
            with self._lock:
                self._warm_until[key] = max(until, self._warm_until.get(key, 0.0))
            self.upstream(key)

    def reap(self) -> None:
        """Close streams nobody watched for linger_s and nobody keeps warm."""
        now = time.monotonic()
        closing: list[tuple[StreamKey, Upstream]] = []
        with self._lock:
            for key, stream in list(self._streams.items()):
                if key in self._always_warm or self._warm_until.get(key, 0.0) > now:
                    continue
                if (
                    stream.consumer_count == 0
                    and now - max(stream.idle_since, self._warm_until.get(key, 0.0)) > self.linger_s
                ):
                    closing.append((key, stream))
                    del self._streams[key]
                    self._warm_until.pop(key, None)
        for key, stream in closing:
            log.info("camera %d %s: no viewer for %.0f s, released", key[0], key[1], self.linger_s)
            stream.close()

    def start_always_warm(self) -> None:
        for key in self._always_warm:
            self.upstream(key)

    def status(self) -> list[dict[str, object]]:
        with self._lock:
            items = sorted(self._streams.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))
        now = time.monotonic()
        return [
            {
                "camera": key[0],
                "kind": str(key[1]),
                "warm": key in self._always_warm or self._warm_until.get(key, 0.0) > now,
                **asdict(stream.stats()),
            }
            for key, stream in items
        ]

    def close(self) -> None:
        with self._lock:
            streams = list(self._streams.values())
            self._streams.clear()
        for stream in streams:
            stream.close()
