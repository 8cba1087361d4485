from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vmwall.video.snapshot import SnapshotInfo, annotate_png, read_png_info, save_png

INFO = SnapshotInfo(
    12, "Marcq-en-Barœul", datetime(2025, 6, 1, 2, 3, 4, tzinfo=UTC), camera_name="Gare", stream="main"
)


def test_png_carries_camera_commune_and_time(tmp_path: Path) -> None:
    rgb = np.zeros((36, 64, 3), np.uint8)
    rgb[..., 0] = 200
    path = save_png(rgb, tmp_path / "a" / "snap.png", INFO)
    text = read_png_info(path)
    assert text["vmwall:camera"] == "12"
    assert text["vmwall:commune"] == "Marcq-en-Barœul"
    assert text["Creation Time"] == "2025-06-01T02:03:04.000+00:00"
    assert text["vmwall:stream"] == "main" and "Gare" in text["Title"]
    with Image.open(path) as image:
        assert image.size == (64, 36) and image.getpixel((0, 0)) == (200, 0, 0)
    assert not list(path.parent.glob(".*.tmp"))


def test_annotates_an_existing_image(tmp_path: Path) -> None:
    raw = tmp_path / "raw.png"
    Image.new("RGB", (8, 8), (1, 2, 3)).save(raw)
    out = annotate_png(raw, tmp_path / "out.png", INFO)
    assert read_png_info(out)["vmwall:camera"] == "12"


def test_time_must_be_timezone_aware(tmp_path: Path) -> None:
    naive = SnapshotInfo(1, "X", datetime(2025, 1, 1))
    with pytest.raises(ValueError):
        save_png(np.zeros((4, 4, 3), np.uint8), tmp_path / "x.png", naive)
