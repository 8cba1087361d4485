"""Talking to the machine's stream hub from the console, the wall node and the CLI (blocking calls).

`ensure_running()` starts `vmwall hub` in the background when none answers: the first console or
wall node on a machine brings the hub up, later ones share it (one camera session per machine).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from vmwall.errors import UserFacingError
from vmwall.model import StreamKind

# The hub's default loopback port (vmwall.hub.service uses it; not imported from there: the service
# pulls in the database layer, and consoles and wall nodes import this client at start-up).
DEFAULT_PORT = 8490


class HubUnavailableError(UserFacingError):
    """No hub answers at the configured address."""


def default_hub_url() -> str:
    return os.environ.get("VMWALL_HUB_URL", f"http://127.0.0.1:{DEFAULT_PORT}").rstrip("/")


@dataclass(frozen=True, slots=True)
class HubClient:
    base_url: str = ""
    token: str | None = None
    timeout_s: float = 2.0

    @property
    def url(self) -> str:
        return (self.base_url or default_hub_url()).rstrip("/")

    def stream_url(self, camera_number: int, kind: StreamKind) -> str:
        """The URL a player opens for the camera's stream (no credentials in it, ever)."""
        suffix = f"?token={self.token}" if self.token else ""
        return f"{self.url}/camera/{camera_number}/{kind}.ts{suffix}"

    def _request(self, method: str, path: str) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path, method=method)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return dict(json.loads(response.read().decode()))
        except urllib.error.HTTPError as exc:
            try:
                reason = json.loads(exc.read().decode()).get("error", exc.reason)
            except ValueError:
                reason = exc.reason
            raise HubUnavailableError(f"the hub at {self.url} answered {exc.code}: {reason}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise HubUnavailableError(f"no stream hub answers at {self.url} ({exc})") from exc

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/api/health")

    def streams(self) -> list[dict[str, Any]]:
        return list(self._request("GET", "/api/streams")["streams"])

    def report(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The hub's streams, and the streams it last refused to players with why."""
        answer = self._request("GET", "/api/streams")
        return list(answer["streams"]), list(answer.get("refused", []))

    def warm(self, cameras: list[int], kind: StreamKind, ttl_s: float = 60.0) -> dict[str, Any]:
        numbers = ",".join(str(n) for n in cameras)
        return self._request("POST", f"/api/warm?cameras={numbers}&kind={kind}&ttl={ttl_s:g}")

    def is_running(self) -> bool:
        try:
            return self.health().get("service") == "vmwall-hub"
        except HubUnavailableError:
            return False

    def ensure_running(self, timeout_s: float = 15.0, db_url: str | None = None) -> bool:
        """Start a local hub if none answers; True if this call started one. Blocking: not on a GUI thread."""
        if self.is_running():
            return False
        port = self.url.rsplit(":", 1)[-1].split("/")[0]
        command = [sys.executable, "-m", "vmwall"]
        if db_url:
            command += ["--db", db_url]
        command += ["hub", "--port", port]
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.is_running():
                return True
            time.sleep(0.1)
        raise HubUnavailableError(f"started `vmwall hub` but it does not answer at {self.url}; see its log")
