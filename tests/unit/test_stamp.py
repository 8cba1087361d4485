import numpy as np
import pytest
from PIL import Image

from vmwall.sim.stamp import TIME_MODULO_MS, Stamp, decode_stamp, stamp_bits, stamp_row


def _frame(width: int, height: int, camera: int, frame: int, time_ms: int) -> np.ndarray:
    rgb = np.full((height, width, 3), (60, 90, 150), np.uint8)
    rgb[10:20] = stamp_row(width, camera, frame, time_ms)[None, :, None]
    return rgb


def test_round_trip_at_native_size() -> None:
    rgb = _frame(1920, 1080, 12, 123456, 9_876_543)
    assert decode_stamp(rgb) == Stamp(12, 123456, 9_876_543)


@pytest.mark.parametrize("size", [(320, 180), (480, 270), (1280, 720)])
def test_round_trip_after_scaling(size: tuple[int, int]) -> None:
    rgb = _frame(640, 360, 3, 77, 1_000)
    scaled = np.asarray(Image.fromarray(rgb).resize(size, Image.BILINEAR))
    assert decode_stamp(scaled) == Stamp(3, 77, 1_000)


def test_no_stamp_in_plain_or_noisy_pictures() -> None:
    assert decode_stamp(np.full((360, 640, 3), 128, np.uint8)) is None
    rng = np.random.default_rng(1)
    assert decode_stamp(rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)) is None


def test_corrupted_cell_is_rejected_by_the_crc() -> None:
    rgb = _frame(640, 360, 5, 10, 20)
    cell = 640 // 68
    x = int(20.5 * 640 / 68)
    rgb[10:20, x - cell // 3 : x + cell // 3] = 255 - rgb[10:20, x - cell // 3 : x + cell // 3]
    assert decode_stamp(rgb) is None


def test_values_wrap_and_age_is_modular() -> None:
    bits = stamp_bits(1, 2**20 + 5, TIME_MODULO_MS + 7)
    assert bits == stamp_bits(1, 5, 7)
    assert Stamp(1, 0, TIME_MODULO_MS - 10).age_ms(5) == 15


def test_camera_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        stamp_bits(5000, 0, 0)
