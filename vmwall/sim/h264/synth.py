"""Splices a pre-encoded picture with synthesised frames that update only a band of macroblocks.

A group of pictures is:
  * an IDR access unit: the encoder's slices for everything below the band, plus one I slice of
    I_PCM macroblocks for the band (so the band is exact from the very first frame);
  * P frames built here: every macroblock P_Skip (a copy of the reference) except the band's
    macroblocks that changed since the previous frame, sent as I_PCM.

I_PCM carries raw samples, so no transform or entropy coding is needed and the band is lossless.
Deblocking is disabled in the synthesised slices, and the encoder runs without deblocking, so the
skipped picture never drifts from what the encoder produced.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vmwall.sim.h264.bits import START_CODE, BitWriter, nal, split_annexb
from vmwall.sim.h264.params import (
    NAL_IDR,
    NAL_PPS,
    NAL_SLICE,
    NAL_SPS,
    Pps,
    Sps,
    UnsupportedStreamError,
    parse_pps,
    parse_slice_header,
    parse_sps,
)

MB = 16
PCM_MB_TYPE_I_SLICE = 25
PCM_MB_TYPE_P_SLICE = 30  # I macroblock types are offset by 5 in P slices
SLICE_TYPE_P_ALL = 5
SLICE_TYPE_I_ALL = 7
CHROMA_NEUTRAL = 128

YPlane = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class BasePicture:
    """One encoder IDR, reduced to what the synthesiser needs."""

    parameter_sets: bytes  # SPS + PPS NAL units, Annex B
    sps: Sps
    pps: Pps
    body: bytes  # the encoder's IDR slices below the band, Annex B
    idr_pic_id: int

    @classmethod
    def from_encoder_output(cls, annexb: bytes, band_rows: int) -> BasePicture:
        sps: Sps | None = None
        pps: Pps | None = None
        parameter_sets: list[bytes] = []
        body: list[bytes] = []
        idr_pic_id: int | None = None
        starts: list[int] = []
        for unit in split_annexb(annexb):
            kind = unit[0] & 0x1F
            if kind == NAL_SPS:
                sps = parse_sps(unit)
                parameter_sets.append(START_CODE + unit)
            elif kind == NAL_PPS:
                pps = parse_pps(unit)
                parameter_sets.append(START_CODE + unit)
            elif kind == NAL_IDR:
                if sps is None or pps is None:
                    raise UnsupportedStreamError("IDR slice before its parameter sets")
                header = parse_slice_header(unit, sps)
                starts.append(header.first_mb)
                idr_pic_id = header.idr_pic_id
                if header.first_mb >= band_rows * sps.width_mbs:
                    body.append(START_CODE + unit)
            elif kind == NAL_SLICE:
                raise UnsupportedStreamError("expected one IDR picture, got a non-IDR slice")
        if sps is None or pps is None or idr_pic_id is None:
            raise UnsupportedStreamError("encoder output has no complete IDR picture")
        band_mbs = band_rows * sps.width_mbs
        if band_mbs not in starts:
            raise UnsupportedStreamError(
                f"no slice starts at macroblock {band_mbs}; slices start at {starts}"
            )
        if pps.cabac or pps.weighted_pred or not pps.deblocking_control_present:
            raise UnsupportedStreamError(
                "the encoder must use CAVLC, no weighted prediction, deblocking control"
            )
        if sps.max_num_ref_frames < 1:
            raise UnsupportedStreamError("the encoder's SPS allows no reference frame")
        return cls(b"".join(parameter_sets), sps, pps, b"".join(body), idr_pic_id)


class FrameSynthesizer:
    """Builds the access units of one stream. Not thread-safe: one producer per stream."""

    def __init__(self, band_rows: int) -> None:
        self.band_rows = band_rows
        self._base: BasePicture | None = None
        self._frame_index = 0  # frames since the last IDR
        self._previous_band: YPlane | None = None

    @property
    def base(self) -> BasePicture | None:
        return self._base

    def idr(self, base: BasePicture, band_y: YPlane) -> bytes:
        """An IDR access unit: parameter sets, the band as I_PCM, the pre-encoded rest."""
        self._check_band(base.sps, band_y)
        self._base = base
        self._frame_index = 0
        self._previous_band = band_y.copy()
        w = BitWriter()
        w.ue(0)  # first_mb_in_slice
        w.ue(SLICE_TYPE_I_ALL)
        w.ue(base.pps.pps_id)
        w.u(base.sps.log2_max_frame_num, 0)
        w.ue(base.idr_pic_id)
        self._write_poc(w, base, 0)
        w.u(1, 0)  # no_output_of_prior_pics_flag
        w.u(1, 0)  # long_term_reference_flag
        self._write_qp_and_deblocking(w, base.pps)
        band_mbs = self.band_rows * base.sps.width_mbs
        for address in range(band_mbs):
            w.ue(PCM_MB_TYPE_I_SLICE)
            w.align_zero()
            w.raw(_pcm_bytes(band_y, address, base.sps.width_mbs))
        w.trailing_bits()
        return base.parameter_sets + nal(3, NAL_IDR, w.getvalue()) + base.body

    def p_frame(self, band_y: YPlane) -> bytes:
        """A P access unit repeating the picture, with the changed band macroblocks as I_PCM."""
        base = self._base
        if base is None or self._previous_band is None:
            raise RuntimeError("a P frame needs an IDR first")
        self._check_band(base.sps, band_y)
        self._frame_index += 1
        sps = base.sps
        w = BitWriter()
        w.ue(0)
        w.ue(SLICE_TYPE_P_ALL)
        w.ue(base.pps.pps_id)
        w.u(sps.log2_max_frame_num, self._frame_index % (1 << sps.log2_max_frame_num))
        self._write_poc(w, base, self._frame_index)
        w.u(1, 1)  # num_ref_idx_active_override_flag
        w.ue(0)  # num_ref_idx_l0_active_minus1: one reference, the previous frame
        w.u(1, 0)  # ref_pic_list_modification_flag_l0
        w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
        self._write_qp_and_deblocking(w, base.pps)
        total = sps.width_mbs * sps.height_mbs
        changed = changed_macroblocks(self._previous_band, band_y)
        parts: list[bytes] = []
        if changed:
            blocks = _blocks(band_y)
            first = changed[0]
            w.ue(first)  # mb_skip_run
            w.ue(PCM_MB_TYPE_P_SLICE)
            w.align_zero()
            parts.append(w.getvalue())
            parts.append(blocks[first])
            # After I_PCM samples the bitstream is byte-aligned: each next macroblock's header
            # (skip run, macroblock type, alignment) is a fixed byte string per skip run.
            for previous, address in itertools.pairwise(changed):
                parts.append(_pcm_header(address - previous - 1))
                parts.append(blocks[address])
            w = BitWriter()
            next_address = changed[-1] + 1
        else:
            next_address = 0
        if next_address < total:
            w.ue(total - next_address)
        w.trailing_bits()
        parts.append(w.getvalue())
        self._previous_band = band_y.copy()
        return nal(2, NAL_SLICE, b"".join(parts))

    def _check_band(self, sps: Sps, band_y: YPlane) -> None:
        expected = (self.band_rows * MB, sps.width_mbs * MB)
        if band_y.shape != expected or band_y.dtype != np.uint8:
            raise ValueError(f"band must be uint8 {expected}, got {band_y.dtype} {band_y.shape}")

    @staticmethod
    def _write_poc(w: BitWriter, base: BasePicture, frame_index: int) -> None:
        if base.sps.poc_type == 0:
            w.u(base.sps.log2_max_poc_lsb, (2 * frame_index) % (1 << base.sps.log2_max_poc_lsb))
            if base.pps.bottom_field_poc_present:
                w.se(0)
        if base.pps.redundant_pic_cnt_present:
            w.ue(0)

    @staticmethod
    def _write_qp_and_deblocking(w: BitWriter, pps: Pps) -> None:
        w.se(0)  # slice_qp_delta (irrelevant for I_PCM and skipped macroblocks)
        w.ue(1)  # disable_deblocking_filter_idc: off


def changed_macroblocks(before: YPlane, after: YPlane) -> list[int]:
    """Raster addresses of the band's macroblocks whose samples differ."""
    rows, cols = after.shape[0] // MB, after.shape[1] // MB
    diff = (before != after).reshape(rows, MB, cols, MB).any(axis=(1, 3))
    return [int(a) for a in np.flatnonzero(diff)]


_CHROMA = bytes([CHROMA_NEUTRAL]) * 128


@functools.lru_cache(maxsize=4096)
def _pcm_header(skip_run: int) -> bytes:
    """mb_skip_run, mb_type I_PCM and alignment, starting byte-aligned."""
    w = BitWriter()
    w.ue(skip_run)
    w.ue(PCM_MB_TYPE_P_SLICE)
    w.align_zero()
    return w.getvalue()


class _Blocks:
    """I_PCM payloads of a band's macroblocks, made on demand (raster order)."""

    def __init__(self, band_y: YPlane) -> None:
        rows, cols = band_y.shape[0] // MB, band_y.shape[1] // MB
        self._cols = cols
        self._tiles = np.ascontiguousarray(band_y.reshape(rows, MB, cols, MB).transpose(0, 2, 1, 3))

    def __getitem__(self, address: int) -> bytes:
        row, col = divmod(address, self._cols)
        block: bytes = self._tiles[row, col].tobytes()
        return block + _CHROMA


def _blocks(band_y: YPlane) -> _Blocks:
    return _Blocks(band_y)


def _pcm_bytes(band_y: YPlane, address: int, width_mbs: int) -> bytes:
    row, col = divmod(address, width_mbs)
    block = band_y[row * MB : (row + 1) * MB, col * MB : (col + 1) * MB]
    return block.tobytes() + _CHROMA
