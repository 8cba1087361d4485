"""Encodes one still picture into an IDR that the synthesiser can splice (libx264 through PyAV)."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt

from vmwall.sim.h264.synth import MB, BasePicture

FPS = 25


def x264_params(width_mbs: int, band_rows: int, gop: int = FPS) -> str:
    """CAVLC, no deblocking, one reference, no B frames, a slice boundary right under the band."""
    return ":".join(
        [
            f"keyint={gop}",
            f"min-keyint={gop}",
            "scenecut=0",
            "bframes=0",
            "ref=1",
            "cabac=0",
            "no-deblock=1",
            "weightp=0",
            "threads=1",
            "sliced-threads=0",
            "repeat-headers=1",
            f"slice-max-mbs={band_rows * width_mbs}",
        ]
    )


def encode_base_picture(rgb: npt.NDArray[np.uint8], band_rows: int, crf: int = 26) -> BasePicture:
    """Encode an RGB picture (H x W x 3, both multiples of 8) and keep what lies below the band."""
    height, width = rgb.shape[:2]
    width_mbs = -(-width // MB)
    codec = av.CodecContext.create("libx264", "w")
    codec.width = width
    codec.height = height
    codec.pix_fmt = "yuv420p"
    codec.time_base = Fraction(1, FPS)
    codec.framerate = Fraction(FPS, 1)
    codec.options = {
        "preset": "ultrafast",
        "profile": "baseline",
        "crf": str(crf),
        "x264-params": x264_params(width_mbs, band_rows),
    }
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24").reformat(format="yuv420p")
    frame.pts = 0
    data = b"".join(bytes(p) for p in codec.encode(frame))
    data += b"".join(bytes(p) for p in codec.encode(None))
    return BasePicture.from_encoder_output(data, band_rows)
