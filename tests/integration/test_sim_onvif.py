"""The simulated ONVIF devices, driven by the unmodified onvif-zeep-async client over real HTTP SOAP."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import io
import itertools
import socket
import statistics
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
import zeep.exceptions
from lxml import etree
from onvif import ONVIFCamera, ONVIFService
from onvif.client import _WSDL_PATH
from onvif.exceptions import ONVIFError
from onvif.util import is_auth_error
from PIL import Image

from tests.fixtures.onvif_sim import SIM_USER, run, sim_specs, spec_of
from vmwall.sim.discovery import DiscoveryResponder
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.spec import SimCameraSpec
from vmwall.sim.wsse import password_digest

TER = "http://www.onvif.org/ver10/error"
ENV = "http://www.w3.org/2003/05/soap-envelope"
PULLPOINT_NS = "http://www.onvif.org/ver10/events/wsdl/PullPointSubscription"


@asynccontextmanager
async def camera(spec: SimCameraSpec, password: str | None = None) -> AsyncIterator[ONVIFCamera]:
    cam = ONVIFCamera(
        spec.host, spec.onvif_port, spec.username, spec.password if password is None else password
    )
    try:
        yield cam
    finally:
        await cam.close()


def subcodes(fault: zeep.exceptions.Fault) -> list[str]:
    return [code.localname if hasattr(code, "localname") else str(code) for code in fault.subcodes or []]


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


# --- device service -----------------------------------------------------------------------------------


def test_device_information_and_services(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        serials = set()
        for number in (1, 3):
            spec = spec_of(onvif_farm, number)
            async with camera(spec) as cam:
                await cam.update_xaddrs()
                info = await (await cam.create_devicemgmt_service()).GetDeviceInformation()
                assert (info.Manufacturer, info.Model) == ("vmwall", "SimCam")
                assert info.FirmwareVersion and info.HardwareId
                serials.add(info.SerialNumber)
                has_ptz = "http://www.onvif.org/ver20/ptz/wsdl" in cam.xaddrs
                assert has_ptz is spec.ptz
                assert cam.xaddrs["http://www.onvif.org/ver10/media/wsdl"].startswith(
                    f"http://{spec.onvif_address}/"
                )
                capabilities = await cam.get_capabilities()
                assert capabilities is not None
                assert (capabilities["PTZ"] is not None) is spec.ptz
                assert capabilities["Events"]["WSPullPointSupport"] is True
        assert len(serials) == 2

    run(scenario())


def test_date_hostname_scopes_and_interfaces(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 1)

    async def scenario() -> None:
        async with camera(spec) as cam:
            device = await cam.create_devicemgmt_service()
            clock = (await device.GetSystemDateAndTime()).UTCDateTime
            device_time = dt.datetime(
                clock.Date.Year, clock.Date.Month, clock.Date.Day, clock.Time.Hour, clock.Time.Minute,
                clock.Time.Second, tzinfo=dt.UTC,
            )  # fmt: skip
            assert abs((device_time - dt.datetime.now(dt.UTC)).total_seconds()) < 5
            assert (await device.GetHostname()).Name == "simcam-1"
            scopes = [scope.ScopeItem for scope in await device.GetScopes()]
            assert "onvif://www.onvif.org/name/Parvis%20de%20la%20mairie" in scopes
            assert "onvif://www.onvif.org/type/ptz" in scopes
            interfaces = await device.GetNetworkInterfaces()
            assert interfaces[0].IPv4.Config.Manual[0].Address == "127.0.0.1"

    run(scenario())


# --- media ----------------------------------------------------------------------------------------------


def test_profiles_stream_uris_and_snapshot(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        for number in (1, 3):
            spec = spec_of(onvif_farm, number)
            async with camera(spec) as cam:
                await cam.update_xaddrs()
                media = await cam.create_media_service()
                profiles = await media.GetProfiles()
                assert [p.Name for p in profiles] == ["main", "sub"]
                main, sub = profiles
                encoders = [p.VideoEncoderConfiguration for p in profiles]
                resolutions = [(e.Resolution.Width, e.Resolution.Height) for e in encoders]
                assert resolutions == [(1920, 1080), (640, 360)]
                assert main.VideoEncoderConfiguration.Encoding == "H264"
                assert main.VideoEncoderConfiguration.RateControl.FrameRateLimit == 25
                assert main.VideoSourceConfiguration.SourceToken == "vs_1"
                assert (main.PTZConfiguration is not None) is spec.ptz
                setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
                uris = [
                    (await media.GetStreamUri({"StreamSetup": setup, "ProfileToken": p.token})).Uri
                    for p in profiles
                ]
                assert uris == [spec.rtsp_main_uri, spec.rtsp_sub_uri]
                assert (await media.GetProfile({"ProfileToken": sub.token})).Name == "sub"
                assert await cam.get_snapshot_uri(main.token) == spec.snapshot_uri
                jpeg = await cam.get_snapshot(main.token)  # HTTP Digest, as the library does it
                assert jpeg is not None
                with Image.open(io.BytesIO(jpeg)) as image:
                    assert image.format == "JPEG" and image.size == (640, 360)
                sources = await media.GetVideoSources()
                assert sources[0].token == "vs_1" and sources[0].Resolution.Width == 1920
            async with aiohttp.ClientSession() as session:
                async with session.get(spec.snapshot_uri) as response:
                    assert response.status == 401
                    assert response.headers["WWW-Authenticate"].startswith("Digest ")
                basic = base64.b64encode(f"{spec.username}:{spec.password}".encode()).decode()
                async with session.get(
                    spec.snapshot_uri, headers={"Authorization": f"Basic {basic}"}
                ) as response:
                    assert response.status == 401

    run(scenario())


def test_snapshot_provider_is_served(onvif_farm: SimOnvifFarm) -> None:
    calls: list[int] = []

    def provider(number: int) -> bytes:
        calls.append(number)
        buffer = io.BytesIO()
        Image.new("RGB", (32, 16), (number * 40, 0, 0)).save(buffer, format="JPEG")
        return buffer.getvalue()

    farm = SimOnvifFarm(sim_specs()[:1], snapshot_provider=provider, motion_interval_s=None)
    farm.start()
    try:
        spec = farm.specs[0]

        async def scenario() -> bytes | None:
            async with camera(spec) as cam:
                await cam.update_xaddrs()
                return await cam.get_snapshot("main")

        jpeg = run(scenario())
        assert jpeg is not None and calls == [1]
        with Image.open(io.BytesIO(jpeg)) as image:
            assert image.size == (32, 16)
    finally:
        farm.close()


def test_unknown_profile_is_a_no_profile_fault(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        async with camera(spec_of(onvif_farm, 1)) as cam:
            await cam.update_xaddrs()
            media = await cam.create_media_service()
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await media.GetProfile({"ProfileToken": "nope"})
            assert subcodes(caught.value) == ["InvalidArgVal", "NoProfile"]
            ptz = await cam.create_ptz_service()
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await ptz.GetStatus({"ProfileToken": "nope"})
            assert subcodes(caught.value) == ["InvalidArgVal", "NoProfile"]

    run(scenario())


# --- authentication -------------------------------------------------------------------------------------


def test_wrong_password_is_refused_with_not_authorized(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 1)

    async def scenario() -> None:
        async with camera(spec, password="not-the-password") as cam:
            # update_xaddrs: GetServices is refused (swallowed by the library), then GetCapabilities
            # is refused and raised as is: a zeep Fault, not an ONVIFError.
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await cam.update_xaddrs()
            fault = caught.value
            assert fault.code == "env:Sender"
            assert [(q.namespace, q.localname) for q in fault.subcodes] == [(TER, "NotAuthorized")]
            assert is_auth_error(fault)
            device = await cam.create_devicemgmt_service()
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await device.GetDeviceInformation()
            assert subcodes(caught.value) == ["NotAuthorized"]
            # No credentials at all: the clock is public (PRE_AUTH-free), the rest is not.
            assert (await device.authless_GetSystemDateAndTime()).UTCDateTime.Date.Year >= 2024
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await device.authless_GetDeviceInformation()
            assert subcodes(caught.value) == ["NotAuthorized"]
            services = await device.authless_GetServices({"IncludeCapability": False})  # PRE_AUTH
            assert len(services) == 5  # device, media, events, PTZ, imaging

    run(scenario())
    assert onvif_farm.request_count(1, "GetCapabilities") >= 1


def test_replayed_nonce_and_stale_created_are_refused(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 2)

    async def scenario() -> None:
        async with camera(spec) as cam:
            device = await cam.create_devicemgmt_service()
            token = device.zeep_client.wsse  # the library's own UsernameToken, made to repeat itself
            token.nonce = f"replay-{uuid.uuid4().hex[:8]}"
            token.created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            assert (await device.GetDeviceInformation()).Model == "SimCam"
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await device.GetDeviceInformation()
            assert subcodes(caught.value) == ["NotAuthorized"]
            token.nonce = f"stale-{uuid.uuid4().hex[:8]}"
            token.created = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)
            with pytest.raises(zeep.exceptions.Fault):
                await device.GetDeviceInformation()
            token.nonce = token.created = None  # back to normal: fresh nonce and time per call
            assert (await device.GetDeviceInformation()).Model == "SimCam"

    run(scenario())


def test_adjust_time_handshake_and_plaintext_password(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 1)

    async def scenario() -> None:
        cam = ONVIFCamera(spec.host, spec.onvif_port, spec.username, spec.password, adjust_time=True)
        try:
            await cam.update_xaddrs()
            assert cam.dt_diff is not None and abs(cam.dt_diff.total_seconds()) < 5
        finally:
            await cam.close()
        cam = ONVIFCamera(spec.host, spec.onvif_port, spec.username, spec.password, encrypt=False)
        try:
            await cam.update_xaddrs()
            assert (await (await cam.create_devicemgmt_service()).GetDeviceInformation()).Model == "SimCam"
        finally:
            await cam.close()

    run(scenario())


# --- PTZ ------------------------------------------------------------------------------------------------


async def status(ptz: ONVIFService) -> tuple[float, float, float, str, str]:
    result = await ptz.GetStatus({"ProfileToken": "main"})
    position = result.Position
    return (
        position.PanTilt.x,
        position.PanTilt.y,
        position.Zoom.x,
        result.MoveStatus.PanTilt,
        result.MoveStatus.Zoom,
    )


@asynccontextmanager
async def ptz_service(spec: SimCameraSpec) -> AsyncIterator[ONVIFService]:
    async with camera(spec) as cam:
        await cam.update_xaddrs()
        yield await cam.create_ptz_service()


def test_ptz_description(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        async with ptz_service(spec_of(onvif_farm, 1)) as ptz:
            nodes = await ptz.GetNodes()
            assert nodes[0].MaximumNumberOfPresets == 64 and nodes[0].HomeSupported
            assert (await ptz.GetNode({"NodeToken": nodes[0].token})).token == nodes[0].token
            configuration = (await ptz.GetConfigurations())[0]
            assert configuration.DefaultPTZTimeout == dt.timedelta(seconds=10)
            options = await ptz.GetConfigurationOptions({"ConfigurationToken": configuration.token})
            space = options.Spaces.ContinuousPanTiltVelocitySpace[0]
            assert space.URI.endswith("VelocityGenericSpace") and (space.XRange.Min, space.XRange.Max) == (
                -1,
                1,
            )

    run(scenario())


def test_continuous_move_honours_its_timeout(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        async with ptz_service(spec_of(onvif_farm, 1)) as ptz:
            velocity = {"PanTilt": {"x": 1.0, "y": -0.5}, "Zoom": {"x": 0.5}}
            await ptz.ContinuousMove({"ProfileToken": "main", "Velocity": velocity, "Timeout": "PT0.6S"})
            await asyncio.sleep(0.25)
            pan, tilt, zoom, pan_tilt_status, zoom_status = await status(ptz)
            assert pan > 0.05 and tilt < -0.02 and zoom > 0.02
            assert (pan_tilt_status, zoom_status) == ("MOVING", "MOVING")
            await asyncio.sleep(0.6)  # past the timeout, nobody sent Stop
            first = await status(ptz)
            await asyncio.sleep(0.2)
            assert await status(ptz) == first
            assert first[3:] == ("IDLE", "IDLE")
            assert first[0] == pytest.approx(0.3, abs=0.02)  # 0.5 units/s for 0.6 s
            assert first[1] == pytest.approx(-0.15, abs=0.02)

    run(scenario())
    assert onvif_farm.request_count(1, "ContinuousMove") == 1


def test_stop_freezes_a_move(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        async with ptz_service(spec_of(onvif_farm, 2)) as ptz:
            await ptz.ContinuousMove({"ProfileToken": "main", "Velocity": {"PanTilt": {"x": -1.0, "y": 1.0}}})
            await asyncio.sleep(0.2)
            await ptz.Stop({"ProfileToken": "main", "PanTilt": True, "Zoom": True})
            stopped = await status(ptz)
            assert stopped[0] < 0 < stopped[1] and stopped[3] == "IDLE"
            await asyncio.sleep(0.2)
            assert await status(ptz) == stopped

    run(scenario())


def test_absolute_move_reaches_its_target_at_finite_speed(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        async with ptz_service(spec_of(onvif_farm, 1)) as ptz:
            target = {"PanTilt": {"x": 0.3, "y": -0.2}, "Zoom": {"x": 0.4}}
            await ptz.AbsoluteMove({"ProfileToken": "main", "Position": target})
            early = await status(ptz)
            assert early[3] == "MOVING" and early[0] < 0.3

            async def arrived() -> bool:
                return (await status(ptz))[3:] == ("IDLE", "IDLE")

            await wait_until(arrived)
            pan, tilt, zoom, _, _ = await status(ptz)
            assert (pan, tilt, zoom) == (pytest.approx(0.3), pytest.approx(-0.2), pytest.approx(0.4))
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await ptz.AbsoluteMove(
                    {"ProfileToken": "main", "Position": {"PanTilt": {"x": 2.0, "y": 0.0}}}
                )
            assert subcodes(caught.value) == ["InvalidArgVal", "InvalidPosition"]

    run(scenario())


def test_relative_move_and_home(onvif_farm: SimOnvifFarm) -> None:
    farm_ptz = onvif_farm.ptz(2)

    async def scenario() -> None:
        async with ptz_service(spec_of(onvif_farm, 2)) as ptz:
            start = farm_ptz.position()
            translation = {"PanTilt": {"x": 0.1, "y": 0.05}, "Zoom": {"x": 0.1}}
            speed = {"PanTilt": {"x": 1.0, "y": 1.0}, "Zoom": {"x": 1.0}}
            await ptz.RelativeMove({"ProfileToken": "main", "Translation": translation, "Speed": speed})

            async def idle() -> bool:
                return not farm_ptz.is_moving()

            await wait_until(idle)
            pan, tilt, zoom, _, _ = await status(ptz)
            assert pan == pytest.approx(start.pan + 0.1)
            assert tilt == pytest.approx(start.tilt + 0.05)
            assert zoom == pytest.approx(start.zoom + 0.1)
            await ptz.SetHomePosition({"ProfileToken": "main"})
            await ptz.AbsoluteMove({"ProfileToken": "main", "Position": {"PanTilt": {"x": -0.2, "y": 0.0}}})
            await wait_until(idle)
            await ptz.GotoHomePosition({"ProfileToken": "main"})
            await wait_until(idle)
            assert (await status(ptz))[0] == pytest.approx(start.pan + 0.1)

    run(scenario())


def test_presets_set_goto_remove(onvif_farm: SimOnvifFarm) -> None:
    farm_ptz = onvif_farm.ptz(1)

    async def idle() -> bool:
        return not farm_ptz.is_moving()

    async def scenario() -> None:
        async with ptz_service(spec_of(onvif_farm, 1)) as ptz:
            await ptz.AbsoluteMove({"ProfileToken": "main", "Position": {"PanTilt": {"x": 0.2, "y": 0.1}}})
            await wait_until(idle)
            token = await ptz.SetPreset({"ProfileToken": "main", "PresetName": "Entrée mairie"})
            presets = await ptz.GetPresets({"ProfileToken": "main"})
            assert [(p.token, p.Name) for p in presets] == [(token, "Entrée mairie")]
            assert presets[0].PTZPosition.PanTilt.x == pytest.approx(0.2)
            await ptz.AbsoluteMove({"ProfileToken": "main", "Position": {"PanTilt": {"x": -0.2, "y": -0.1}}})
            await wait_until(idle)
            await ptz.GotoPreset({"ProfileToken": "main", "PresetToken": token})
            await wait_until(idle)
            pan, tilt, *_ = await status(ptz)
            assert (pan, tilt) == (pytest.approx(0.2), pytest.approx(0.1))
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await ptz.SetPreset({"ProfileToken": "main", "PresetName": "Entrée mairie"})
            assert subcodes(caught.value) == ["InvalidArgVal", "PresetExist"]
            await ptz.RemovePreset({"ProfileToken": "main", "PresetToken": token})
            assert await ptz.GetPresets({"ProfileToken": "main"}) == []
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await ptz.GotoPreset({"ProfileToken": "main", "PresetToken": token})
            assert subcodes(caught.value) == ["InvalidArgVal", "NoToken"]

    run(scenario())


def test_a_fixed_camera_has_no_ptz(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 3)
    with pytest.raises(ValueError):
        onvif_farm.ptz(3)

    async def scenario() -> None:
        async with camera(spec) as cam:
            await cam.update_xaddrs()
            with pytest.raises(ONVIFError):
                await cam.create_ptz_service()  # not advertised
            # A client that insists anyway gets a fault.
            ptz = ONVIFService(
                f"http://{spec.onvif_address}/onvif/ptz_service", spec.username, spec.password,
                f"{_WSDL_PATH}/ptz.wsdl", binding_name="{http://www.onvif.org/ver20/ptz/wsdl}PTZBinding",
            )  # fmt: skip
            await ptz.setup()
            try:
                with pytest.raises(zeep.exceptions.Fault) as caught:
                    await ptz.ContinuousMove(
                        {"ProfileToken": "main", "Velocity": {"PanTilt": {"x": 1, "y": 0}}}
                    )
                assert caught.value.code == "env:Receiver"
                assert subcodes(caught.value) == ["ActionNotSupported", "PTZNotSupported"]
            finally:
                await ptz.close()

    run(scenario())


def test_ptz_latency_has_no_nagle_delay(onvif_farm: SimOnvifFarm) -> None:
    """FACTS: without TCP_NODELAY a call took ~44 ms instead of ~1.6 ms."""

    async def scenario() -> list[float]:
        async with ptz_service(spec_of(onvif_farm, 1)) as ptz:
            durations = []
            for _ in range(60):
                start = time.perf_counter()
                await ptz.GetStatus({"ProfileToken": "main"})
                durations.append(time.perf_counter() - start)
            return durations

    durations = run(scenario())
    assert statistics.median(durations) < 0.02


# --- events ---------------------------------------------------------------------------------------------


def message_state(notification: Any) -> tuple[str, str | None, str | None]:
    """(topic, PropertyOperation, State) of one wsnt:NotificationMessage as zeep returns it.

    zeep knows tt:Message from the schema, so the payload arrives typed (as Home Assistant reads it).
    """
    message = notification.Message._value_1
    state = message.Data.SimpleItem[0]
    assert state.Name == "State"
    return notification.Topic._value_1, message.PropertyOperation, state.Value


def test_pull_point_receives_motion_events(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 1)

    async def scenario() -> None:
        async with camera(spec) as cam:
            await cam.update_xaddrs()
            properties = await (await cam.create_events_service()).GetEventProperties()
            assert properties.FixedTopicSet is True
            manager = await cam.create_pullpoint_manager(dt.timedelta(seconds=60), lambda: None)
            assert onvif_farm.subscription_count(1) == 1
            pullpoint = manager.get_service()
            first = await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=1), "MessageLimit": 10})
            assert [message_state(m) for m in first.NotificationMessage] == [
                ("tns1:VideoSource/MotionAlarm", "Initialized", "false")
            ]
            assert first.TerminationTime > first.CurrentTime
            timer = threading.Timer(0.3, onvif_farm.emit_motion, args=(1, True))
            timer.start()
            start = time.monotonic()
            result = await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=5), "MessageLimit": 10})
            waited = time.monotonic() - start
            timer.join()
            assert [message_state(m) for m in result.NotificationMessage] == [
                ("tns1:VideoSource/MotionAlarm", "Changed", "true")
            ]
            assert 0.2 < waited < 3.0  # long poll woken by the event, not by its timeout
            source = result.NotificationMessage[0].Message._value_1.Source.SimpleItem[0]
            assert (source.Name, source.Value) == ("Source", "vs_1")
            onvif_farm.emit_motion(1, False)
            result = await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=1), "MessageLimit": 10})
            assert [message_state(m)[2] for m in result.NotificationMessage] == ["false"]
            start = time.monotonic()
            empty = await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=0.5), "MessageLimit": 10})
            assert empty.NotificationMessage == [] and time.monotonic() - start >= 0.45
            subscription = await cam.create_subscription_service("PullPointSubscription")
            renewed = await subscription.Renew("PT120S")
            assert (renewed.TerminationTime - renewed.CurrentTime).total_seconds() == pytest.approx(
                120, abs=2
            )
            await manager.shutdown()  # Unsubscribe
            assert onvif_farm.subscription_count(1) == 0
            with pytest.raises(zeep.exceptions.Fault):
                await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=1), "MessageLimit": 10})

    run(scenario())


def test_subscriptions_expire_and_are_bounded(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 2)

    async def scenario() -> None:
        async with camera(spec) as cam:
            await cam.update_xaddrs()
            events = await cam.create_events_service()
            result = await events.CreatePullPointSubscription({"InitialTerminationTime": "PT1S"})
            cam.xaddrs[PULLPOINT_NS] = result.SubscriptionReference.Address._value_1
            pullpoint = await cam.create_pullpoint_service()
            assert onvif_farm.subscription_count(2) == 1
            await asyncio.sleep(1.2)
            assert onvif_farm.subscription_count(2) == 0
            with pytest.raises(zeep.exceptions.Fault) as caught:
                await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=1), "MessageLimit": 1})
            assert caught.value.detail is not None and "ResourceUnknownFault" in caught.value.detail[0].tag
            for _ in range(16):
                await events.CreatePullPointSubscription({"InitialTerminationTime": "PT30S"})
            with pytest.raises(zeep.exceptions.Fault):
                await events.CreatePullPointSubscription({"InitialTerminationTime": "PT30S"})
            assert onvif_farm.subscription_count(2) == 16

    run(scenario())


def test_close_ends_a_pending_long_poll() -> None:
    farm = SimOnvifFarm(sim_specs()[:1], motion_interval_s=None)
    farm.start()
    spec = farm.specs[0]
    errors: list[BaseException] = []

    async def scenario() -> float:
        async with camera(spec) as cam:
            await cam.update_xaddrs()
            manager = await cam.create_pullpoint_manager(dt.timedelta(seconds=60), lambda: None)
            pullpoint = manager.get_service()
            await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=1), "MessageLimit": 10})
            threading.Timer(0.3, farm.close).start()
            start = time.monotonic()
            try:
                await pullpoint.PullMessages({"Timeout": dt.timedelta(seconds=30), "MessageLimit": 10})
            except Exception as exc:  # the connection may be cut: fine, as long as it is quick
                errors.append(exc)
            waited = time.monotonic() - start
            await manager.shutdown()
            return waited

    try:
        assert run(scenario()) < 5.0
    finally:
        farm.close()
    assert not [t for t in threading.enumerate() if t.name == "vmwall-sim-onvif"]


def test_periodic_motion_alarms() -> None:
    farm = SimOnvifFarm(sim_specs()[:1], motion_interval_s=0.3)
    farm.start()
    try:
        spec = farm.specs[0]

        async def scenario() -> list[str | None]:
            async with camera(spec) as cam:
                await cam.update_xaddrs()
                manager = await cam.create_pullpoint_manager(dt.timedelta(seconds=60), lambda: None)
                states: list[str | None] = []
                deadline = time.monotonic() + 5
                while len(states) < 4 and time.monotonic() < deadline:
                    result = await manager.get_service().PullMessages(
                        {"Timeout": dt.timedelta(seconds=1), "MessageLimit": 10}
                    )
                    states += [message_state(m)[2] for m in result.NotificationMessage]
                await manager.shutdown()
                return states

        states = run(scenario())
        assert len(states) >= 4
        changes = states[1:]  # after the Initialized one, the state alternates
        assert all(a != b for a, b in itertools.pairwise(changes))
    finally:
        farm.close()


# --- robustness -----------------------------------------------------------------------------------------


def fault_codes(body: bytes) -> tuple[str | None, list[str]]:
    root = etree.fromstring(body)
    code = root.findtext(f".//{{{ENV}}}Code/{{{ENV}}}Value")
    subs = [node.text or "" for node in root.iterfind(f".//{{{ENV}}}Subcode/{{{ENV}}}Value")]
    return code, subs


def soap(body: str, header: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?><s:Envelope xmlns:s="{ENV}"><s:Header>{header}</s:Header>'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


GET_DATE = soap('<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>')
SOAP12 = "application/soap+xml; charset=utf-8"


@pytest.mark.parametrize(
    ("payload", "content_type", "status", "code", "subcodes_"),
    [
        (b"\x00\xff garbage \x13\x37" * 50, SOAP12, 400, "env:Sender", ["ter:WellFormed"]),
        (GET_DATE[:-20], SOAP12, 400, "env:Sender", ["ter:WellFormed"]),
        (b"", SOAP12, 400, "env:Sender", []),
        (b"<html><body>hello</body></html>", SOAP12, 400, "env:Sender", []),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><x>&a;</x>', SOAP12, 400, "env:Sender",
         ["ter:WellFormed"]),
        (soap('<Reboot xmlns="http://www.onvif.org/ver10/device/wsdl"/>'), SOAP12, 500, "env:Receiver",
         ["ter:ActionNotSupported"]),
        (soap("<Nope/>"), SOAP12, 500, "env:Receiver", ["ter:ActionNotSupported"]),
        (soap('<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>',
              '<x:Critical xmlns:x="urn:x" s:mustUnderstand="true"/>'),
         SOAP12, 500, "env:MustUnderstand", []),
        (GET_DATE.replace(ENV.encode(), b"http://schemas.xmlsoap.org/soap/envelope/"), "text/xml", 500,
         "env:VersionMismatch", []),
        (GET_DATE, "application/json", 415, "env:Sender", []),
        (b"<" * (5 * 1024 * 1024), SOAP12, 413, "env:Sender", []),
    ],
    ids=["garbage", "truncated", "empty", "not-soap", "dtd", "unsupported-op", "unknown-op",
         "must-understand", "soap11", "content-type", "5MB"],
)  # fmt: skip
def test_malformed_requests_get_faults_and_the_device_survives(
    onvif_farm: SimOnvifFarm, payload: bytes, content_type: str, status: int, code: str, subcodes_: list[str]
) -> None:
    spec = spec_of(onvif_farm, 3)
    url = f"http://{spec.onvif_address}/onvif/device_service"

    async def scenario() -> None:
        headers = {"Content-Type": content_type}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=payload, headers=headers) as response,
        ):
            assert response.status == status
            assert response.headers["Content-Type"].startswith("application/soap+xml")
            assert fault_codes(await response.read()) == (code, subcodes_)
        async with camera(spec) as cam:  # still answering
            assert (await (await cam.create_devicemgmt_service()).GetDeviceInformation()).Model == "SimCam"

    run(scenario())


def test_chunked_oversized_body_and_raw_garbage_connections(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 3)
    url = f"http://{spec.onvif_address}/onvif/device_service"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"x" * 65536

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=chunks(), headers={"Content-Type": SOAP12}) as response:
                assert response.status == 413
            async with session.get(url) as response:
                assert response.status == 405

    run(scenario())
    for junk in (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /x HTTP/1.1\r\n" + b"A" * 20000,
    ):
        with socket.create_connection((spec.host, spec.onvif_port), timeout=5) as sock:
            sock.sendall(junk)
            sock.shutdown(socket.SHUT_WR)
            sock.recv(65536)  # an HTTP error or a close, never a hang
    run(check_answers(spec))


async def check_answers(spec: SimCameraSpec) -> None:
    async with camera(spec) as cam:
        assert (await (await cam.create_devicemgmt_service()).GetDeviceInformation()).Model == "SimCam"


def test_raw_digest_request_is_accepted_once(onvif_farm: SimOnvifFarm) -> None:
    """A hand-made token (independent of zeep) is accepted, and replaying the same bytes is not."""
    spec = spec_of(onvif_farm, 1)
    nonce = uuid.uuid4().bytes
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    wsse = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
    wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    profile = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    digest = password_digest(nonce, created, spec.password)
    header = (
        f'<wsse:Security xmlns:wsse="{wsse}" xmlns:wsu="{wsu}" s:mustUnderstand="true"><wsse:UsernameToken>'
        f"<wsse:Username>{SIM_USER}</wsse:Username>"
        f'<wsse:Password Type="{profile}#PasswordDigest">{digest}</wsse:Password>'
        f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce><wsu:Created>{created}</wsu:Created>"
        "</wsse:UsernameToken></wsse:Security>"
    )
    request = soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>', header)
    url = f"http://{spec.onvif_address}/onvif/device_service"

    async def scenario() -> list[int]:
        statuses = []
        async with aiohttp.ClientSession() as session:
            for _ in range(2):
                async with session.post(url, data=request, headers={"Content-Type": SOAP12}) as response:
                    statuses.append(response.status)
                    if response.status != 200:
                        assert fault_codes(await response.read()) == ("env:Sender", ["ter:NotAuthorized"])
        return statuses

    assert run(scenario()) == [200, 400]


# --- farm lifecycle and scale ---------------------------------------------------------------------------


def test_sixteen_devices_on_one_thread_and_clean_close() -> None:
    specs = [
        SimCameraSpec(n, f"Cam {n}", "u", f"p{n}", "127.0.0.1", 0, 9000 + n, ptz=n % 2 == 0)
        for n in range(1, 17)
    ]
    before = threading.active_count()
    farm = SimOnvifFarm(specs, motion_interval_s=0.5)
    farm.start()
    try:
        assert threading.active_count() == before + 1
        assert len({s.onvif_port for s in farm.specs}) == 16

        async def one(spec: SimCameraSpec) -> str:
            async with camera(spec) as cam:
                await cam.update_xaddrs()
                return str(
                    (await (await cam.create_devicemgmt_service()).GetDeviceInformation()).SerialNumber
                )

        async def everyone() -> list[str]:
            return await asyncio.gather(*(one(spec) for spec in farm.specs))

        assert len(set(run(everyone()))) == 16
    finally:
        farm.close()
        farm.close()  # idempotent
    assert not [t for t in threading.enumerate() if t.name == "vmwall-sim-onvif"]
    with socket.socket() as sock:  # the ports are free again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", farm.specs[0].onvif_port))


def test_a_busy_port_fails_start_cleanly() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        specs = sim_specs()
        specs[1] = SimCameraSpec(2, "Gare", "u", "p", "127.0.0.1", busy.getsockname()[1], 9000)
        farm = SimOnvifFarm(specs, motion_interval_s=None)
        with pytest.raises(OSError):
            farm.start()
        farm.close()
    assert not [t for t in threading.enumerate() if t.name == "vmwall-sim-onvif"]


# --- WS-Discovery ---------------------------------------------------------------------------------------

PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"
 xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<s:Header><a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>
<a:MessageID>{message_id}</a:MessageID>
<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>
</s:Header><s:Body><d:Probe>{filters}</d:Probe></s:Body></s:Envelope>"""
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"


def probe(
    port: int, filters: str, *, wait_s: float = 0.5, before: bytes | None = None
) -> tuple[str, list[bytes]]:
    message_id = f"urn:uuid:{uuid.uuid4()}"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.1)
        if before is not None:
            sock.sendto(before, ("127.0.0.1", port))
        datagram = PROBE.format(message_id=message_id, filters=filters).encode()
        sock.sendto(datagram, ("127.0.0.1", port))
        sock.sendto(datagram, ("127.0.0.1", port))  # SOAP-over-UDP retransmission: answered once
        replies = []
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                replies.append(sock.recv(65535))
            except TimeoutError:
                continue
    return message_id, replies


def test_ws_discovery_probe_gets_probe_matches(onvif_farm: SimOnvifFarm) -> None:
    responder = DiscoveryResponder(onvif_farm.specs, host="127.0.0.1", port=0)
    responder.start()
    try:
        message_id, replies = probe(
            responder.port, "<d:Types>dn:NetworkVideoTransmitter</d:Types>", before=b"\x00 not xml"
        )
        assert len(replies) == 3
        xaddrs = set()
        for reply in replies:
            root = etree.fromstring(reply)
            assert (
                root.findtext(".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}RelatesTo") == message_id
            )
            match = root.find(f".//{{{WSD}}}ProbeMatch")
            assert "NetworkVideoTransmitter" in match.findtext(f"{{{WSD}}}Types")
            assert "onvif://www.onvif.org/hardware/SimCam" in match.findtext(f"{{{WSD}}}Scopes").split()
            xaddrs.add(match.findtext(f"{{{WSD}}}XAddrs"))
        assert xaddrs == {f"http://{s.onvif_address}/onvif/device_service" for s in onvif_farm.specs}

        _, replies = probe(responder.port, '<d:Types xmlns:x="urn:x">x:Toaster</d:Types>', wait_s=0.3)
        assert replies == []
        _, replies = probe(
            responder.port, "<d:Scopes>onvif://www.onvif.org/name/Parc%20des%20Sports</d:Scopes>"
        )
        assert len(replies) == 1 and b"Parc%20des%20Sports" in replies[0]
        _, replies = probe(responder.port, "<d:Scopes>onvif://www.onvif.org/type/ptz</d:Scopes>")
        assert len(replies) == 2
    finally:
        responder.close()
        responder.close()
    assert not [t for t in threading.enumerate() if t.name == "vmwall-sim-discovery"]
