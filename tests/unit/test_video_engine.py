from __future__ import annotations

import pytest

from vmwall.model import StreamKind
from vmwall.video.engine import MIN_CACHING_MS, EngineOptions, instance_args, media_options
from vmwall.video.status import TileSource


def test_instance_args_carry_the_measured_choices() -> None:
    args = instance_args(EngineOptions())
    assert "--no-xlib" in args and "--no-audio" in args and "--ignore-config" in args
    assert "--network-caching=200" in args and "--quiet" in args
    assert "--no-mouse-events" in args, "clicks must reach the tile widget, not libVLC's window"
    # Measured on the 4x4 grid: one decoder thread and fast bilinear scaling cost 41 % CPU, not 57 %.
    assert "--avcodec-threads=1" in args and "--swscale-mode=0" in args
    assert media_options(EngineOptions()) == [":avcodec-hw=none"]
    assert media_options(EngineOptions(hardware_decoding=True)) == []


def test_options_are_tunable() -> None:
    args = instance_args(
        EngineOptions(
            network_caching_ms=300,
            plain_x11_output=False,
            decoder_threads=2,
            scaling_mode=2,
            verbose=True,
            extra_args=("--foo",),
        )
    )
    assert "--network-caching=300" in args and "--no-xlib" not in args
    assert "--avcodec-threads=2" in args and "--verbose=2" in args and args[-1] == "--foo"
    assert "--swscale-mode=2" in args


@pytest.mark.parametrize("field", ["network_caching_ms", "live_caching_ms"])
def test_caching_below_the_cliff_is_refused(field: str) -> None:
    with pytest.raises(ValueError, match="caching"):
        instance_args(EngineOptions(**{field: MIN_CACHING_MS - 1}))  # type: ignore[arg-type]


def test_a_tile_source_never_prints_credentials() -> None:
    source = TileSource(12, "Roubaix", StreamKind.SUB, "http://op:s3cret@hub:8899/camera/12/sub.ts?token=abc")
    text = repr(source)
    assert "s3cret" not in text and "abc" not in text and "camera=12" in text
