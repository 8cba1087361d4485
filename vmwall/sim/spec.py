"""What one simulated camera is: identity, credentials, addresses. Shared by the RTSP and ONVIF halves."""

from __future__ import annotations

import colorsys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimCameraSpec:
    number: int  # 1..N, also the logical number when registered
    name: str
    username: str
    password: str  # the simulated device's own secret (a real camera keeps it in its flash)
    host: str  # address the farm listens on (127.0.0.1 in tests)
    onvif_port: int
    rtsp_port: int  # each simulated camera is its own RTSP server, like a real device
    ptz: bool = True

    @property
    def colour(self) -> tuple[int, int, int]:
        return camera_colour(self.number)

    @property
    def rtsp_main_uri(self) -> str:
        return f"rtsp://{self.host}:{self.rtsp_port}/main"

    @property
    def rtsp_sub_uri(self) -> str:
        return f"rtsp://{self.host}:{self.rtsp_port}/sub"

    @property
    def onvif_address(self) -> str:
        return f"{self.host}:{self.onvif_port}"

    @property
    def snapshot_uri(self) -> str:
        return f"http://{self.host}:{self.onvif_port}/snapshot.jpg"


def camera_colour(number: int) -> tuple[int, int, int]:
    """A distinct, mid-dark background colour per camera (RGB), so pixels tell cameras apart.

    Hues are spread by the golden ratio; saturation and value stay where the burned-in white text
    remains readable and where chroma survives H.264 compression.
    """
    hue = ((number - 1) * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.75, 0.62)
    return round(r * 255), round(g * 255), round(b * 255)
