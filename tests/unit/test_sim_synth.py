"""The spliced H.264 streams decode in a real decoder (FFmpeg through PyAV) and show what they should."""

from __future__ import annotations

import io
import time
from types import SimpleNamespace

import av
import numpy as np
import pytest

from vmwall.sim.band import BandRenderer
from vmwall.sim.h264.encoder import encode_base_picture
from vmwall.sim.h264.params import UnsupportedStreamError
from vmwall.sim.h264.synth import BasePicture, FrameSynthesizer, changed_macroblocks
from vmwall.sim.scene import SceneRenderer
from vmwall.sim.spec import camera_colour
from vmwall.sim.stamp import decode_stamp


def _decode(stream: bytes) -> list[np.ndarray]:
    container = av.open(io.BytesIO(stream), format="h264")
    frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    container.close()
    return frames


def _gop(
    width: int, height: int, rows: int, camera: int, frames: int, position: object
) -> tuple[bytes, float]:
    scene = SceneRenderer(camera, f"Camera {camera}", camera_colour(camera))
    base = encode_base_picture(scene.render(width, height, position), rows)  # type: ignore[arg-type]
    band = BandRenderer(width, rows, camera, f"CAM {camera}")
    synth = FrameSynthesizer(rows)
    start = time.time()
    units = [synth.idr(base, band.render(0, start))]
    units += [synth.p_frame(band.render(i, start + i * 0.04)) for i in range(1, frames)]
    return b"".join(units), start


@pytest.mark.parametrize(("width", "height", "rows"), [(1920, 1080, 4), (640, 360, 2)])
def test_every_frame_decodes_with_its_stamp(width: int, height: int, rows: int) -> None:
    home = SimpleNamespace(pan=0.0, tilt=0.0, zoom=0.0)
    stream, start = _gop(width, height, rows, 7, 30, home)
    frames = _decode(stream)
    assert len(frames) == 30
    assert frames[0].shape == (height, width, 3)
    for i, frame in enumerate(frames):
        stamp = decode_stamp(frame)
        assert stamp is not None, f"frame {i} has no readable stamp"
        assert (stamp.camera, stamp.frame) == (7, i)
        assert stamp.time_ms == int((start + i * 0.04) * 1000) % (1 << 24)
    # Under the band, the sky of the camera's scene (at home position) is the camera's own colour.
    sky = frames[-1][int(height * 0.12) : int(height * 0.2)]
    median = np.median(sky.reshape(-1, 3), axis=0)
    assert np.abs(median - np.array(camera_colour(7))).max() < 12
    # Skipped macroblocks repeat the picture exactly: no drift across the group of pictures.
    assert np.array_equal(frames[1][height // 8 :], frames[-1][height // 8 :])


def test_pan_changes_the_picture() -> None:
    a, _ = _gop(640, 360, 2, 3, 1, SimpleNamespace(pan=0.0, tilt=0.0, zoom=0.0))
    b, _ = _gop(640, 360, 2, 3, 1, SimpleNamespace(pan=0.3, tilt=0.0, zoom=0.5))
    fa, fb = _decode(a)[0], _decode(b)[0]
    diff = np.abs(fa[60:].astype(int) - fb[60:].astype(int)).mean()
    assert diff > 3


def test_only_changed_macroblocks_are_sent() -> None:
    before = np.full((32, 64), 40, np.uint8)
    after = before.copy()
    after[20, 17] = 235  # row 1, column 1 of a 2 x 4 macroblock band
    assert changed_macroblocks(before, after) == [5]
    assert changed_macroblocks(before, before) == []


def test_band_size_is_checked() -> None:
    home = SimpleNamespace(pan=0.0, tilt=0.0, zoom=0.0)
    scene = SceneRenderer(1, "x", (10, 20, 30))
    base = encode_base_picture(scene.render(640, 360, home), 2)
    with pytest.raises(ValueError):
        FrameSynthesizer(2).idr(base, np.zeros((16, 640), np.uint8))


def test_stream_without_slice_boundary_under_the_band_is_refused() -> None:
    home = SimpleNamespace(pan=0.0, tilt=0.0, zoom=0.0)
    scene = SceneRenderer(1, "x", (10, 20, 30))
    base = encode_base_picture(scene.render(640, 360, home), 2)
    stream = base.parameter_sets + base.body  # body slices alone start below the band, not at 0
    with pytest.raises(UnsupportedStreamError):
        BasePicture.from_encoder_output(stream, 3)


@pytest.mark.parametrize(
    ("pan", "tilt", "zoom"), [(-1, -1, 0), (1, 1, 1), (0.99, -1, 1), (0, 1, 0), (-0.5, 0.3, 0.7)]
)
def test_scene_renders_at_every_ptz_extreme(pan: float, tilt: float, zoom: float) -> None:
    scene = SceneRenderer(5, "Rue Nationale", camera_colour(5))
    rgb = scene.render(640, 360, SimpleNamespace(pan=pan, tilt=tilt, zoom=zoom))
    assert rgb.shape == (360, 640, 3)
