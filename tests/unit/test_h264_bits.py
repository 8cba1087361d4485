import pytest

from vmwall.sim.h264.bits import BitReader, BitWriter, escape, nal, split_annexb, unescape


def test_exp_golomb_round_trip() -> None:
    values = [0, 1, 2, 3, 7, 8, 254, 255, 1000, 65535, 2**20]
    signed = [0, 1, -1, 5, -5, 300, -300]
    w = BitWriter()
    for v in values:
        w.ue(v)
    for v in signed:
        w.se(v)
    w.u(3, 5)
    w.trailing_bits()
    r = BitReader(w.getvalue())
    assert [r.ue() for _ in values] == values
    assert [r.se() for _ in signed] == signed
    assert r.u(3) == 5
    assert r.u(1) == 1  # the stop bit


def test_known_codes() -> None:
    w = BitWriter()
    w.ue(0)  # 1
    w.ue(1)  # 010
    w.ue(2)  # 011
    w.ue(3)  # 00100
    w.align_zero()
    assert w.getvalue() == bytes([0b10100110, 0b01000000])


def test_raw_bytes_need_alignment() -> None:
    w = BitWriter()
    w.u(1, 1)
    with pytest.raises(ValueError):
        w.raw(b"x")
    w.align_zero()
    w.raw(b"xy")
    assert w.getvalue() == b"\x80xy"


def test_value_must_fit() -> None:
    with pytest.raises(ValueError):
        BitWriter().u(3, 8)


def test_emulation_prevention_round_trip() -> None:
    payload = b"\x00\x00\x00\x00\x00\x01\x00\x00\x02\x00\x00\x03\x05"
    escaped = escape(payload)
    assert b"\x00\x00\x00" not in escaped and b"\x00\x00\x01" not in escaped
    assert unescape(escaped) == payload


def test_split_annexb_finds_units() -> None:
    stream = nal(3, 7, b"\x42\x00\x00\x01sps") + nal(3, 8, b"pps") + nal(3, 5, b"slice")
    units = list(split_annexb(stream))
    assert [u[0] & 0x1F for u in units] == [7, 8, 5]
    assert unescape(units[0][1:]) == b"\x42\x00\x00\x01sps"
