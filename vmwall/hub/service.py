"""`vmwall hub` as a process: catalogue + keyring → registry of upstreams → HTTP front."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field

from vmwall.hub.client import DEFAULT_PORT
from vmwall.hub.directory import CameraDirectory
from vmwall.hub.http import HubHttpServer
from vmwall.hub.registry import StreamKey, StreamRegistry
from vmwall.hub.upstream import Source
from vmwall.store import Database

log = logging.getLogger(__name__)



@dataclass(frozen=True, slots=True)
class HubOptions:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    linger_s: float = 30.0
    always_warm: frozenset[StreamKey] = field(default_factory=frozenset)
    rtsp_transport: str = "tcp"
    token: str | None = None


class Hub:
    """The whole service on one asyncio loop (upstreams pull in their own threads)."""

    def __init__(self, db: Database, options: HubOptions) -> None:
        self.options = options
        self.directory = CameraDirectory(db)
        self.registry = StreamRegistry(
            self._resolve,
            linger_s=options.linger_s,
            always_warm=set(options.always_warm),
            rtsp_transport=options.rtsp_transport,
        )
        self.http = HubHttpServer(
            self.registry, self._check, host=options.host, port=options.port, token=options.token
        )
        self._stopped = asyncio.Event()

    def _resolve(self, key: StreamKey) -> Source:
        stream = self.directory.stream(*key)
        return Source(stream.url, stream.label)

    def _check(self, key: StreamKey) -> None:
        self.directory.stream(*key)

    async def start(self) -> None:
        await self.http.start()
        self.registry.start_always_warm()

    async def run_until_stopped(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, or not the main thread
                loop.add_signal_handler(sig, self._stopped.set)
        while not self._stopped.is_set():
            try:
                await asyncio.wait_for(self._stopped.wait(), 1.0)
            except TimeoutError:
                await loop.run_in_executor(None, self.registry.reap)

    def stop(self) -> None:
        self._stopped.set()

    async def close(self) -> None:
        await self.http.close()
        await asyncio.get_running_loop().run_in_executor(None, self.registry.close)
