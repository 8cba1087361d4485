"""MPEG-TS packet surgery: find timestamps (PCR, PTS, DTS) and shift them, packet by packet."""

from __future__ import annotations

from dataclasses import dataclass

TS_PACKET = 188
SYNC = 0x47
PAT_PID = 0x0000
TIMESTAMP_MODULO = 1 << 33  # 90 kHz, 33 bits


@dataclass(frozen=True, slots=True)
class PacketInfo:
    pid: int
    unit_start: bool
    pcr: int | None  # base, 90 kHz
    pts: int | None
    dts: int | None


def packets(data: bytes | bytearray | memoryview) -> range:
    if len(data) % TS_PACKET:
        raise ValueError(f"{len(data)} bytes is not a whole number of TS packets")
    return range(0, len(data), TS_PACKET)


def _payload_offset(data: bytes | bytearray | memoryview, at: int) -> int | None:
    control = (data[at + 3] >> 4) & 3
    if control & 1 == 0:
        return None  # no payload
    if control & 2:
        return at + 5 + data[at + 4]
    return at + 4


def _pcr_offset(data: bytes | bytearray | memoryview, at: int) -> int | None:
    if (data[at + 3] >> 4) & 2 and data[at + 4] >= 7 and data[at + 5] & 0x10:
        return at + 6
    return None


def _read_pcr(data: bytes | bytearray | memoryview, o: int) -> int:
    return (
        (data[o] << 25) | (data[o + 1] << 17) | (data[o + 2] << 9) | (data[o + 3] << 1) | (data[o + 4] >> 7)
    )


def _write_pcr(data: bytearray, o: int, base: int) -> None:
    base %= TIMESTAMP_MODULO
    data[o] = (base >> 25) & 0xFF
    data[o + 1] = (base >> 17) & 0xFF
    data[o + 2] = (base >> 9) & 0xFF
    data[o + 3] = (base >> 1) & 0xFF
    data[o + 4] = ((base & 1) << 7) | (data[o + 4] & 0x7F)


def _read_ts(data: bytes | bytearray | memoryview, o: int) -> int:
    return (
        (((data[o] >> 1) & 0x07) << 30)
        | (data[o + 1] << 22)
        | ((data[o + 2] >> 1) << 15)
        | (data[o + 3] << 7)
        | (data[o + 4] >> 1)
    )


def _write_ts(data: bytearray, o: int, value: int) -> None:
    value %= TIMESTAMP_MODULO
    data[o] = (data[o] & 0xF0) | (((value >> 30) & 0x07) << 1) | 1
    data[o + 1] = (value >> 22) & 0xFF
    data[o + 2] = (((value >> 15) & 0x7F) << 1) | 1
    data[o + 3] = (value >> 7) & 0xFF
    data[o + 4] = ((value & 0x7F) << 1) | 1


def _pes_timestamp_offsets(data: bytes | bytearray | memoryview, at: int) -> tuple[int | None, int | None]:
    if not data[at + 1] & 0x40:
        return None, None
    p = _payload_offset(data, at)
    if p is None or p + 14 > at + TS_PACKET or data[p : p + 3] != b"\x00\x00\x01":
        return None, None
    flags = data[p + 7] >> 6
    pts = p + 9 if flags & 2 else None
    dts = p + 14 if flags == 3 and p + 19 <= at + TS_PACKET else None
    return pts, dts


def inspect(data: bytes | bytearray | memoryview, at: int) -> PacketInfo:
    if data[at] != SYNC:
        raise ValueError(f"lost TS sync at byte {at}")
    pid = ((data[at + 1] & 0x1F) << 8) | data[at + 2]
    pcr_at = _pcr_offset(data, at)
    pts_at, dts_at = _pes_timestamp_offsets(data, at)
    return PacketInfo(
        pid,
        bool(data[at + 1] & 0x40),
        _read_pcr(data, pcr_at) if pcr_at is not None else None,
        _read_ts(data, pts_at) if pts_at is not None else None,
        _read_ts(data, dts_at) if dts_at is not None else None,
    )


def first_timestamp(data: bytes | bytearray | memoryview) -> int | None:
    """The DTS (or PTS) of the first PES header in ``data``."""
    for at in packets(data):
        info = inspect(data, at)
        if info.dts is not None:
            return info.dts
        if info.pts is not None:
            return info.pts
    return None


def shift_timestamps(data: bytes | bytearray | memoryview, delta: int) -> bytes:
    """A copy of ``data`` with every PCR, PTS and DTS moved by ``delta`` ticks of 90 kHz."""
    out = bytearray(data)
    for at in packets(out):
        pcr_at = _pcr_offset(out, at)
        if pcr_at is not None:
            _write_pcr(out, pcr_at, _read_pcr(out, pcr_at) + delta)
        pts_at, dts_at = _pes_timestamp_offsets(out, at)
        if pts_at is not None:
            _write_ts(out, pts_at, _read_ts(out, pts_at) + delta)
        if dts_at is not None:
            _write_ts(out, dts_at, _read_ts(out, dts_at) + delta)
    return bytes(out)


def program_tables(
    data: bytes | bytearray | memoryview, pmt_pid: int | None
) -> tuple[bytes | None, int | None, bytes | None]:
    """The PAT (and from it the PMT PID) and PMT packets at the head of ``data``.

    The muxer writes the program tables before a unit's PES packets, so only the leading packets
    are looked at: the scan stops at the first packet that is not service information.
    """
    pat: bytes | None = None
    pmt: bytes | None = None
    for at in range(0, len(data) - TS_PACKET + 1, TS_PACKET):
        pid = ((data[at + 1] & 0x1F) << 8) | data[at + 2]
        if pid == PAT_PID:
            if data[at + 1] & 0x40:
                pat = bytes(data[at : at + TS_PACKET])
                p = _payload_offset(data, at)
                if p is not None:
                    section = p + 1 + data[p]  # pointer field
                    # PAT: table_id(1) length(2) tsid(2) version(1) sec(1) last(1) then program loop
                    program = section + 8
                    pmt_pid = ((data[program + 2] & 0x1F) << 8) | data[program + 3]
        elif pmt_pid is not None and pid == pmt_pid:
            if data[at + 1] & 0x40:
                pmt = bytes(data[at : at + TS_PACKET])
        elif pid >= 0x20:  # past the service information (SDT, NIT…): the PES packets begin
            break
    return pat, pmt_pid, pmt
