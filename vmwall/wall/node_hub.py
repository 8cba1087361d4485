"""A wall node's link to the stream hub: where tiles fetch streams, and what the hub refuses. Qt-free.

The node has no catalogue and no database: a tile names its camera by number and the hub (on the
wall PC, or a site hub over the LAN with a token) serves it, or says why not. The hub's address
may change while the node runs (the controller gives it: ``set_hub``), unless the command line
pinned one. The token lives in this object only: never written to disk, masked in every log line.

Every method marked *blocking* talks HTTP to the hub and runs on a worker, never on the GUI thread.
The hub client module is imported by the first of them (``prepare``, on a worker): it pulls in the
hub service's modules, a sixth of a second of a node's start-up.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from vmwall.logs import register_secret
from vmwall.model import StreamKind
from vmwall.redact import redact_url

if TYPE_CHECKING:
    from vmwall.hub.client import HubClient

log = logging.getLogger(__name__)

# HTTP statuses of the hub's refusals that mean "never shown here" rather than "failing now".
REFUSAL_STATUSES = frozenset({403, 404})  # 403: storage-only commune; 404: no such camera
RECHECK_TTL_S = 5.0
_RANK = {"live": 4, "connecting": 3, "reconnecting": 2, "failed": 1}


@dataclass(frozen=True, slots=True)
class HubVerdict:
    """One look at the hub."""

    reachable: bool
    detail: str  # the hub's address, or why it does not answer
    problems: dict[int, str] = field(default_factory=dict)  # camera -> why the hub cannot serve it
    refusals: dict[int, int] = field(default_factory=dict)  # camera -> HTTP status of a lasting refusal
    accepted: frozenset[int] = frozenset()  # cameras asked about again that the hub now serves
    states: dict[int, str] = field(default_factory=dict)  # camera -> best state of its streams


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HubLink:
    """The hub a node's tiles play from. Thread-safe."""

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        pinned: bool = False,
        start_hub: bool = True,
        db_url: str | None = None,
        timeout_s: float = 2.0,
    ) -> None:
        if token:
            register_secret(token)
        self._lock = threading.Lock()
        self._url = url.strip().rstrip("/") if url else None  # None: $VMWALL_HUB_URL or the local hub
        self._token = token or None
        self._client: HubClient | None = None  # made on first use (see the module's docstring)
        self._timeout_s = timeout_s
        self.pinned = pinned  # given on the command line: the controller's address does not replace it
        self._start_hub = start_hub
        self._db_url = db_url

    @property
    def client(self) -> HubClient:
        with self._lock:
            if self._client is None:
                from vmwall.hub.client import HubClient, default_hub_url

                self._client = HubClient(
                    base_url=self._url or default_hub_url(), token=self._token, timeout_s=self._timeout_s
                )
            return self._client

    @property
    def url(self) -> str:
        return self.client.url

    def set_hub(self, url: str, token: str | None) -> bool:
        """Use this hub from now on; True if that changes anything (tiles must then re-open)."""
        url = url.strip().rstrip("/")
        if not url:
            return False
        if self.pinned:
            if url != self.url:
                log.info("hub %s from the controller ignored: --hub %s given", redact_url(url), self.url)
            return False
        if token:
            register_secret(token)
        current = self.client
        with self._lock:
            if (url, token or None) == (current.url, current.token):
                return False
            self._url, self._token = url, token or None
            self._client = None
        log.info("tiles now play from the hub at %s", redact_url(url))
        return True

    def stream_url(self, camera: int, kind: StreamKind) -> str:
        """Where a tile's player gets this stream. Instant: no I/O."""
        return self.client.stream_url(camera, kind)

    def prepare(self) -> HubVerdict:
        """Make sure a hub answers: start one on this machine when none does (and it is local). *Blocking*."""
        from vmwall.hub.client import HubUnavailableError

        client = self.client
        try:
            if self._start_hub and is_loopback_url(client.url):
                if client.ensure_running(db_url=self._db_url):
                    log.info("started a stream hub at %s", client.url)
            elif not client.is_running():
                return HubVerdict(False, f"no stream hub answers at {client.url}")
        except HubUnavailableError as error:
            return HubVerdict(False, str(error))
        return HubVerdict(True, client.url)

    def check(self, failing: set[int], recheck: set[int]) -> HubVerdict:
        """The hub's view of the node's cameras. *Blocking*.

        ``failing``: cameras whose tiles failed to play: a lasting refusal the hub reports for one
        of them is returned in ``refusals``. ``recheck``: cameras held as refused, asked about
        again (a commune's forfait may change); those the hub now serves are in ``accepted``.
        """
        from vmwall.hub.client import HubUnavailableError

        client = self.client
        try:
            streams, refused = client.report()
            accepted: frozenset[int] = frozenset()
            if recheck:
                answer = client.warm(sorted(recheck), StreamKind.SUB, ttl_s=RECHECK_TTL_S)
                still = {int(n) for n in answer.get("refused", {}) if str(n).isdigit()}
                accepted = frozenset(recheck - still)
        except HubUnavailableError as error:
            return HubVerdict(False, str(error))
        states: dict[int, str] = {}
        problems: dict[int, str] = {}
        for stream in streams:
            camera, state = stream.get("camera"), str(stream.get("state", ""))
            if not isinstance(camera, int):
                continue
            if _RANK.get(state, 0) > _RANK.get(states.get(camera, ""), 0):
                states[camera] = state
            if state in ("failed", "reconnecting") and stream.get("last_error"):
                problems[camera] = str(stream["last_error"])
        refusals: dict[int, int] = {}
        for entry in refused:
            camera, status = entry.get("camera"), entry.get("status")
            if not isinstance(camera, int) or camera in accepted:
                continue
            problems[camera] = str(entry.get("error", ""))
            if isinstance(status, int) and status in REFUSAL_STATUSES and camera in failing:
                refusals[camera] = status
        return HubVerdict(True, client.url, problems, refusals, accepted, states)
