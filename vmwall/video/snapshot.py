"""Snapshots as PNG files that say what they show: camera, commune, time, in PNG text chunks."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from vmwall.atomic_file import write_atomic


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    camera: int
    commune: str
    taken_at: datetime  # timezone-aware
    camera_name: str = ""
    stream: str = ""  # "main" / "sub"
    operator: str = ""

    def text_chunks(self) -> dict[str, str]:
        if self.taken_at.tzinfo is None:
            raise ValueError("snapshot time must be timezone-aware")
        chunks = {
            "Title": f"Caméra {self.camera}" + (f" – {self.camera_name}" if self.camera_name else ""),
            "Creation Time": self.taken_at.isoformat(timespec="milliseconds"),
            "Software": "vmwall",
            "vmwall:camera": str(self.camera),
            "vmwall:commune": self.commune,
        }
        for key, value in (
            ("vmwall:camera_name", self.camera_name),
            ("vmwall:stream", self.stream),
            ("vmwall:operator", self.operator),
        ):
            if value:
                chunks[key] = value
        return chunks


def _png_info(info: SnapshotInfo) -> PngInfo:
    png = PngInfo()
    for key, value in info.text_chunks().items():
        png.add_itxt(key, value)  # iTXt: UTF-8 (commune names have accents)
    return png


def save_png(rgb: npt.NDArray[np.uint8], path: Path, info: SnapshotInfo) -> Path:
    """Write an RGB frame (H x W x 3) as a PNG with ``info``; atomic (never a half-written file)."""
    return _save(Image.fromarray(np.ascontiguousarray(rgb[..., :3])), path, info)


def annotate_png(source: Path, path: Path, info: SnapshotInfo) -> Path:
    """Copy the image at ``source`` (libVLC's snapshot) to ``path`` as a PNG with ``info``."""
    with Image.open(source) as image:
        return _save(image.convert("RGB"), path, info)


def read_png_info(path: Path) -> dict[str, str]:
    """The text chunks of a PNG (for tests and the snapshot browser)."""
    with Image.open(path) as image:
        image.load()
        return {str(k): str(v) for k, v in getattr(image, "text", {}).items()}


def _save(image: Image.Image, path: Path, info: SnapshotInfo) -> Path:
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", pnginfo=_png_info(info))
    write_atomic(path, encoded.getvalue(), mode=0o644)
    return path
