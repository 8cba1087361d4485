"""Bit-level reading and writing for H.264 headers (Exp-Golomb), and NAL unit framing."""

from __future__ import annotations

import re
from collections.abc import Iterator

START_CODE = b"\x00\x00\x00\x01"
_START = re.compile(b"\x00\x00\x01")
_NEEDS_ESCAPE = re.compile(b"\x00\x00(?=[\x00-\x03])")
_ESCAPED = re.compile(b"\x00\x00\x03")


class BitWriter:
    """Accumulates bits MSB first; byte-aligned payloads can be appended in bulk."""

    __slots__ = ("_acc", "_chunks", "_nbits")

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._acc = 0  # pending bits not yet forming whole bytes
        self._nbits = 0

    def u(self, nbits: int, value: int) -> None:
        if nbits == 0:
            return
        if value < 0 or value >> nbits:
            raise ValueError(f"{value} does not fit in {nbits} bits")
        self._acc = (self._acc << nbits) | value
        self._nbits += nbits
        if self._nbits >= 8:
            whole = self._nbits - self._nbits % 8
            rest = self._nbits - whole
            self._chunks.append((self._acc >> rest).to_bytes(whole // 8, "big"))
            self._acc &= (1 << rest) - 1
            self._nbits = rest

    def ue(self, value: int) -> None:
        code = value + 1
        length = code.bit_length()
        self.u(2 * length - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    @property
    def aligned(self) -> bool:
        return self._nbits == 0

    def align_zero(self) -> None:
        if self._nbits:
            self.u(8 - self._nbits, 0)

    def raw(self, data: bytes) -> None:
        if self._nbits:
            raise ValueError("raw bytes need a byte-aligned writer")
        self._chunks.append(data)

    def trailing_bits(self) -> None:
        self.u(1, 1)
        self.align_zero()

    def getvalue(self) -> bytes:
        if self._nbits:
            raise ValueError("writer is not byte-aligned")
        return b"".join(self._chunks)


class BitReader:
    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = int.from_bytes(data, "big")
        self._pos = len(data) * 8  # bits remaining

    def u(self, nbits: int) -> int:
        if nbits > self._pos:
            raise ValueError("read past the end of the NAL unit")
        self._pos -= nbits
        return (self._data >> self._pos) & ((1 << nbits) - 1)

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("malformed Exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)

    @property
    def remaining(self) -> int:
        return self._pos


def escape(rbsp: bytes) -> bytes:
    """Insert emulation-prevention bytes so the payload never contains a start code."""
    return _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)


def unescape(ebsp: bytes) -> bytes:
    return _ESCAPED.sub(b"\x00\x00", ebsp)


def nal(nal_ref_idc: int, nal_type: int, rbsp: bytes) -> bytes:
    """One Annex B NAL unit (4-byte start code) from its RBSP."""
    return START_CODE + bytes([(nal_ref_idc << 5) | nal_type]) + escape(rbsp)


def split_annexb(stream: bytes) -> Iterator[bytes]:
    """Yield each NAL unit (header byte + escaped payload, no start code) of an Annex B stream."""
    starts = [m.end() for m in _START.finditer(stream)]
    for i, begin in enumerate(starts):
        end = starts[i + 1] - 3 if i + 1 < len(starts) else len(stream)
        unit = stream[begin:end]
        # A 4-byte start code leaves a zero byte at the end of the previous unit.
        yield unit.rstrip(b"\x00") if i + 1 < len(starts) else unit
