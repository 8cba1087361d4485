"""The simulated camera farm: RTSP streams and one ONVIF device per camera, wired together."""

from __future__ import annotations

import dataclasses
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from vmwall.sim import device_secrets
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.rtsp_server import RtspFarmServer
from vmwall.sim.spec import SimCameraSpec
from vmwall.sim.streams import VideoFarm

log = logging.getLogger(__name__)

DEFAULT_USERNAME = "admin"

_PLACES = (
    "Place de la Mairie",
    "Gare – parvis nord",
    "Rue Nationale",
    "Parking du Marché",
    "Rond-point des Nations",
    "Esplanade du Théâtre",
    "Pont Saint-Jacques",
    "Avenue de la République",
    "Square Jean-Moulin",
    "Halle aux Grains",
    "Collège Victor-Hugo",
    "Quai de la Deûle",
    "Rue de la Paix",
    "Porte de Paris",
    "Boulevard Carnot",
    "Place du Général-de-Gaulle",
    "Parc Barbieux",
    "Rue Faidherbe",
    "Marché couvert",
    "Boulevard Vauban",
    "Stade municipal",
    "Médiathèque",
    "Cimetière de l'Est",
    "Zone d'activités Sud",
)


def camera_name(number: int) -> str:
    base = _PLACES[(number - 1) % len(_PLACES)]
    cycle = (number - 1) // len(_PLACES)
    return base if cycle == 0 else f"{base} {cycle + 1}"


def is_ptz(number: int) -> bool:
    """Three cameras in four are PTZ domes; every fourth is a fixed camera."""
    return number % 4 != 0


@dataclass(frozen=True, slots=True)
class FarmOptions:
    cameras: int = 16
    host: str = "127.0.0.1"
    rtsp_base_port: int = 8554  # camera N listens on base + N - 1; 0 = ephemeral ports
    onvif_base_port: int = 8080  # camera N listens on base + N; 0 = ephemeral ports
    require_rtsp_auth: bool = True
    motion_interval_s: float | None = 20.0
    discovery_port: int | None = None  # WS-Discovery responder (3702 is the standard port)
    secrets_file: Path | None = None
    subtitle: str = "vmwall simulation"


class SimFarm:
    def __init__(self, options: FarmOptions, secrets_file: Path) -> None:
        if not 1 <= options.cameras <= 999:
            raise ValueError("the farm simulates 1..999 cameras")
        self.options = options
        numbers = list(range(1, options.cameras + 1))
        passwords = device_secrets.load_or_create(secrets_file, numbers)
        self._specs = [
            SimCameraSpec(
                number=n,
                name=camera_name(n),
                username=DEFAULT_USERNAME,
                password=passwords[n],
                host=options.host,
                onvif_port=options.onvif_base_port + n if options.onvif_base_port else 0,
                rtsp_port=options.rtsp_base_port + n - 1 if options.rtsp_base_port else 0,
                ptz=is_ptz(n),
            )
            for n in numbers
        ]
        self._onvif: SimOnvifFarm | None = None
        self._video: VideoFarm | None = None
        self._rtsp: RtspFarmServer | None = None
        self._discovery: Any = None

    @property
    def specs(self) -> list[SimCameraSpec]:
        return list(self._specs)

    @property
    def onvif(self) -> SimOnvifFarm:
        if self._onvif is None:
            raise RuntimeError("farm not started")
        return self._onvif

    @property
    def video(self) -> VideoFarm:
        if self._video is None:
            raise RuntimeError("farm not started")
        return self._video

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.close()
            raise

    def _start(self) -> None:
        self._video = VideoFarm([(s.number, s.name, s.colour) for s in self._specs], self.options.subtitle)
        self._rtsp = RtspFarmServer(self._specs, self._video, require_auth=self.options.require_rtsp_auth)
        self._rtsp.start()
        # The ONVIF devices must announce the RTSP ports actually bound.
        self._specs = [dataclasses.replace(s, rtsp_port=self._rtsp.port_of(s.number)) for s in self._specs]
        self._onvif = SimOnvifFarm(
            self._specs,
            snapshot_provider=self._snapshot_jpeg,
            motion_interval_s=self.options.motion_interval_s,
        )
        self._onvif.start()
        self._specs = self._onvif.specs
        for spec in self._specs:
            if spec.ptz:
                self._video.bind_ptz(spec.number, self._onvif.ptz(spec.number))
        self._video.start()
        if self.options.discovery_port is not None:
            from vmwall.sim.discovery import DiscoveryResponder

            self._discovery = DiscoveryResponder(
                self._specs,
                host=self.options.host,
                port=self.options.discovery_port,
                join_multicast=self.options.discovery_port == 3702,
            )
            self._discovery.start()
        log.info("farm of %d cameras started", len(self._specs))

    def _snapshot_jpeg(self, number: int) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(self.video.snapshot_rgb(number)).save(buffer, format="JPEG", quality=85)
        return buffer.getvalue()

    def close(self) -> None:
        for part in (self._discovery, self._rtsp, self._video, self._onvif):
            if part is not None:
                try:
                    part.close()
                except Exception:
                    log.exception("closing %s failed", type(part).__name__)
        self._discovery = self._rtsp = self._video = self._onvif = None
