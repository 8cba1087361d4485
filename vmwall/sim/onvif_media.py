"""Media service (trt, ver10) of a simulated camera: two H.264 profiles, "main" and "sub"."""

from __future__ import annotations

from vmwall.sim.onvif_context import (
    PROFILES,
    VIDEO_SOURCE_CONFIG_TOKEN,
    VIDEO_SOURCE_TOKEN,
    Call,
    Operation,
    StreamProfile,
    operation_key,
)
from vmwall.sim.onvif_ptz_spaces import ptz_configuration
from vmwall.sim.soap import Element, el, find, find_text, invalid_arg, sender_fault

_SOURCE_WIDTH, _SOURCE_HEIGHT, _SOURCE_FPS = 1920, 1080, 25


def profile_by_token(call: Call, tag: str = "trt:ProfileToken") -> StreamProfile:
    token = find_text(call.body, tag)
    if token is None:
        raise sender_fault("ter:InvalidArgs", reason="ProfileToken missing")
    for profile in PROFILES:
        if profile.token == token:
            return profile
    raise invalid_arg("ter:NoProfile", f"No profile {token!r}")


def _video_source_configuration(tag: str) -> Element:
    return el(
        tag,
        children=[
            el("tt:Name", "VideoSourceConfig"),
            el("tt:UseCount", str(len(PROFILES))),
            el("tt:SourceToken", VIDEO_SOURCE_TOKEN),
            el("tt:Bounds", x="0", y="0", width=str(_SOURCE_WIDTH), height=str(_SOURCE_HEIGHT)),
        ],
        token=VIDEO_SOURCE_CONFIG_TOKEN,
    )


def _video_encoder_configuration(tag: str, profile: StreamProfile) -> Element:
    return el(
        tag,
        children=[
            el("tt:Name", f"VideoEncoder_{profile.name}"),
            el("tt:UseCount", "1"),
            el("tt:Encoding", "H264"),
            el(
                "tt:Resolution",
                children=[el("tt:Width", str(profile.width)), el("tt:Height", str(profile.height))],
            ),
            el("tt:Quality", "5"),
            el(
                "tt:RateControl",
                children=[
                    el("tt:FrameRateLimit", str(profile.fps)),
                    el("tt:EncodingInterval", "1"),
                    el("tt:BitrateLimit", str(profile.bitrate_kbps)),
                ],
            ),
            el(
                "tt:H264",
                children=[el("tt:GovLength", str(profile.gov_length)), el("tt:H264Profile", "Main")],
            ),
            el(
                "tt:Multicast",
                children=[
                    el("tt:Address", children=[el("tt:Type", "IPv4"), el("tt:IPv4Address", "0.0.0.0")]),
                    el("tt:Port", "0"),
                    el("tt:TTL", "1"),
                    el("tt:AutoStart", "false"),
                ],
            ),
            el("tt:SessionTimeout", "PT60S"),
        ],
        token=profile.encoder_token,
    )


def _profile(call: Call, tag: str, profile: StreamProfile) -> Element:
    ptz = ptz_configuration("tt:PTZConfiguration") if call.device.spec.ptz else None
    return el(
        tag,
        children=[
            el("tt:Name", profile.name),
            _video_source_configuration("tt:VideoSourceConfiguration"),
            _video_encoder_configuration("tt:VideoEncoderConfiguration", profile),
            ptz,
        ],
        token=profile.token,
        fixed="true",
    )


def _media_uri(tag: str, uri: str) -> Element:
    return el(
        tag,
        children=[
            el("tt:Uri", uri),
            el("tt:InvalidAfterConnect", "false"),
            el("tt:InvalidAfterReboot", "false"),
            el("tt:Timeout", "PT0S"),
        ],
    )


async def get_profiles(call: Call) -> Element:
    return el("trt:GetProfilesResponse", children=[_profile(call, "trt:Profiles", p) for p in PROFILES])


async def get_profile(call: Call) -> Element:
    return el("trt:GetProfileResponse", children=[_profile(call, "trt:Profile", profile_by_token(call))])


async def get_stream_uri(call: Call) -> Element:
    profile = profile_by_token(call)
    setup = find(call.body, "trt:StreamSetup")
    if setup is not None:
        stream = find_text(setup, "tt:Stream")
        transport = find(setup, "tt:Transport")
        protocol = find_text(transport, "tt:Protocol") if transport is not None else None
        if stream not in (None, "RTP-Unicast") or protocol not in (None, "UDP", "TCP", "RTSP"):
            raise invalid_arg("ter:InvalidStreamSetup", "Only RTP-Unicast over RTSP (UDP/TCP) is offered")
    spec = call.device.spec
    uri = spec.rtsp_main_uri if profile.token == PROFILES[0].token else spec.rtsp_sub_uri
    uri = call.device.rewrite_host(uri, call.request_host)
    return el("trt:GetStreamUriResponse", children=[_media_uri("trt:MediaUri", uri)])


async def get_snapshot_uri(call: Call) -> Element:
    profile_by_token(call)
    uri = call.device.rewrite_host(call.device.spec.snapshot_uri, call.request_host)
    return el("trt:GetSnapshotUriResponse", children=[_media_uri("trt:MediaUri", uri)])


async def get_video_sources(call: Call) -> Element:
    source = el(
        "trt:VideoSources",
        children=[
            el("tt:Framerate", str(float(_SOURCE_FPS))),
            el(
                "tt:Resolution",
                children=[el("tt:Width", str(_SOURCE_WIDTH)), el("tt:Height", str(_SOURCE_HEIGHT))],
            ),
        ],
        token=VIDEO_SOURCE_TOKEN,
    )
    return el("trt:GetVideoSourcesResponse", children=[source])


async def get_video_source_configurations(call: Call) -> Element:
    return el(
        "trt:GetVideoSourceConfigurationsResponse",
        children=[_video_source_configuration("trt:Configurations")],
    )


async def get_video_encoder_configurations(call: Call) -> Element:
    return el(
        "trt:GetVideoEncoderConfigurationsResponse",
        children=[_video_encoder_configuration("trt:Configurations", p) for p in PROFILES],
    )


OPERATIONS: dict[str, Operation] = {
    operation_key("trt", "GetProfiles"): Operation(get_profiles),
    operation_key("trt", "GetProfile"): Operation(get_profile),
    operation_key("trt", "GetStreamUri"): Operation(get_stream_uri),
    operation_key("trt", "GetSnapshotUri"): Operation(get_snapshot_uri),
    operation_key("trt", "GetVideoSources"): Operation(get_video_sources),
    operation_key("trt", "GetVideoSourceConfigurations"): Operation(get_video_source_configurations),
    operation_key("trt", "GetVideoEncoderConfigurations"): Operation(get_video_encoder_configurations),
}
