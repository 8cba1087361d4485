"""Parsing of the SPS, PPS and slice header fields the synthesiser must agree with."""

from __future__ import annotations

from dataclasses import dataclass

from vmwall.sim.h264.bits import BitReader, unescape

NAL_SLICE = 1
NAL_IDR = 5
NAL_SPS = 7
NAL_PPS = 8

_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


class UnsupportedStreamError(ValueError):
    """The encoder produced a stream feature the synthesiser cannot splice with."""


@dataclass(frozen=True, slots=True)
class Sps:
    sps_id: int
    log2_max_frame_num: int
    poc_type: int
    log2_max_poc_lsb: int
    max_num_ref_frames: int
    width_mbs: int
    height_mbs: int


@dataclass(frozen=True, slots=True)
class Pps:
    pps_id: int
    sps_id: int
    cabac: bool
    bottom_field_poc_present: bool
    weighted_pred: bool
    deblocking_control_present: bool
    redundant_pic_cnt_present: bool


@dataclass(frozen=True, slots=True)
class SliceHeader:
    first_mb: int
    slice_type: int
    pps_id: int
    frame_num: int
    idr_pic_id: int | None
    poc_lsb: int | None


def parse_sps(unit: bytes) -> Sps:
    r = BitReader(unescape(unit[1:]))
    profile_idc = r.u(8)
    r.u(16)  # constraint flags, reserved bits, level_idc
    sps_id = r.ue()
    if profile_idc in _HIGH_PROFILES:
        chroma_format_idc = r.ue()
        if chroma_format_idc != 1:
            raise UnsupportedStreamError("only 4:2:0 chroma is supported")
        r.ue()  # bit_depth_luma_minus8
        r.ue()  # bit_depth_chroma_minus8
        r.u(1)  # qpprime_y_zero_transform_bypass_flag
        if r.u(1):
            raise UnsupportedStreamError("scaling matrices are not supported")
    log2_max_frame_num = r.ue() + 4
    poc_type = r.ue()
    log2_max_poc_lsb = 0
    if poc_type == 0:
        log2_max_poc_lsb = r.ue() + 4
    elif poc_type == 1:
        raise UnsupportedStreamError("pic_order_cnt_type 1 is not supported")
    max_num_ref_frames = r.ue()
    r.u(1)  # gaps_in_frame_num_value_allowed_flag
    width_mbs = r.ue() + 1
    height_map_units = r.ue() + 1
    if not r.u(1):
        raise UnsupportedStreamError("interlaced streams are not supported")
    return Sps(
        sps_id,
        log2_max_frame_num,
        poc_type,
        log2_max_poc_lsb,
        max_num_ref_frames,
        width_mbs,
        height_map_units,
    )


def parse_pps(unit: bytes) -> Pps:
    r = BitReader(unescape(unit[1:]))
    pps_id = r.ue()
    sps_id = r.ue()
    cabac = bool(r.u(1))
    bottom_field_poc_present = bool(r.u(1))
    if r.ue() != 0:
        raise UnsupportedStreamError("slice groups are not supported")
    r.ue()  # num_ref_idx_l0_default_active_minus1
    r.ue()  # num_ref_idx_l1_default_active_minus1
    weighted_pred = bool(r.u(1))
    r.u(2)  # weighted_bipred_idc
    r.se()  # pic_init_qp_minus26
    r.se()  # pic_init_qs_minus26
    r.se()  # chroma_qp_index_offset
    deblocking_control_present = bool(r.u(1))
    r.u(1)  # constrained_intra_pred_flag
    redundant_pic_cnt_present = bool(r.u(1))
    return Pps(
        pps_id,
        sps_id,
        cabac,
        bottom_field_poc_present,
        weighted_pred,
        deblocking_control_present,
        redundant_pic_cnt_present,
    )


def parse_slice_header(unit: bytes, sps: Sps) -> SliceHeader:
    nal_type = unit[0] & 0x1F
    r = BitReader(unescape(unit[1:64]))
    first_mb = r.ue()
    slice_type = r.ue()
    pps_id = r.ue()
    frame_num = r.u(sps.log2_max_frame_num)
    idr_pic_id = r.ue() if nal_type == NAL_IDR else None
    poc_lsb = r.u(sps.log2_max_poc_lsb) if sps.poc_type == 0 else None
    return SliceHeader(first_mb, slice_type, pps_id, frame_num, idr_pic_id, poc_lsb)
