"""The ONVIF PTZ adapter against the simulated devices, over real SOAP/HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from tests.fixtures.onvif_sim import spec_of
from vmwall.onvif.errors import CameraAuthError, CameraProtocolError, CameraUnreachableError
from vmwall.onvif.ptz import OnvifPtzDevice, PtzUnsupportedError
from vmwall.sim.onvif_device import SimOnvifFarm

T = TypeVar("T")


def device(
    farm: SimOnvifFarm, number: int, *, password: str | None = None, timeout_s: float = 3.0
) -> OnvifPtzDevice:
    spec = spec_of(farm, number)
    return OnvifPtzDevice(
        spec.host,
        spec.onvif_port,
        spec.username,
        spec.password if password is None else password,
        profile_token="main",
        timeout_s=timeout_s,
    )


def with_device(
    farm: SimOnvifFarm, number: int, work: Callable[[OnvifPtzDevice], Awaitable[T]], **kwargs: object
) -> T:
    async def run() -> T:
        dev = device(farm, number, **kwargs)  # type: ignore[arg-type]
        try:
            return await work(dev)
        finally:
            await dev.close()

    return asyncio.run(run())


def test_capabilities_are_read_from_the_node_and_configuration(onvif_farm: SimOnvifFarm) -> None:
    caps = with_device(onvif_farm, 1, lambda d: d.open())
    assert caps.ptz and caps.continuous and caps.absolute and caps.relative and caps.zoom
    assert caps.presets and caps.max_presets == 64 and caps.home
    assert caps.fov_translation
    assert caps.pan_range == (-1.0, 1.0) and caps.zoom_range == (0.0, 1.0)
    assert caps.timeout_range == pytest.approx((0.1, 300.0))
    assert onvif_farm.request_count(1, "GetConfigurationOptions") == 1


def test_a_fixed_camera_reads_as_fixed_and_refuses_moves(onvif_farm: SimOnvifFarm) -> None:
    async def work(dev: OnvifPtzDevice) -> None:
        caps = await dev.open()
        assert not caps.ptz and not caps.continuous
        with pytest.raises(PtzUnsupportedError, match="does not support PTZ"):
            await dev.continuous_move(0.5, 0, 0, 1.0)

    with_device(onvif_farm, 3, work)
    assert onvif_farm.request_count(3, "ContinuousMove") == 0


def test_continuous_move_carries_a_timeout_and_the_camera_stops_by_itself(onvif_farm: SimOnvifFarm) -> None:
    head = onvif_farm.ptz(1)

    async def work(dev: OnvifPtzDevice) -> None:
        await dev.continuous_move(0.8, -0.4, 0.0, 0.5)

    with_device(onvif_farm, 1, work)  # the client is gone once this returns: nothing sends Stop
    received = head.received("ContinuousMove")
    assert len(received) == 1
    pan, tilt, zoom, timeout = received[0].args
    assert (pan, tilt, zoom) == (0.8, -0.4, 0.0) and timeout == pytest.approx(0.5)
    assert head.is_moving()
    time.sleep(0.8)
    assert not head.is_moving()  # stopped by its own timeout
    position = head.position()
    assert position.pan > 0 and position.tilt < 0
    assert head.received("Stop") == []


def test_moves_status_presets_and_home(onvif_farm: SimOnvifFarm) -> None:
    async def work(dev: OnvifPtzDevice) -> None:
        await dev.absolute_move(0.3, -0.2, 0.4)
        await asyncio.sleep(1.2)
        here = await dev.status()
        assert (here.pan, here.tilt, here.zoom) == pytest.approx((0.3, -0.2, 0.4), abs=1e-6)
        assert not here.moving
        token = await dev.set_preset("Entrée nord")
        await dev.relative_move(0.1, 0.1, 0.0)
        await asyncio.sleep(0.5)
        moved = await dev.status()
        assert moved.pan == pytest.approx(0.4, abs=1e-6) and moved.tilt == pytest.approx(-0.1, abs=1e-6)
        presets = await dev.presets()
        assert [(p.token, p.name) for p in presets] == [(token, "Entrée nord")]
        assert presets[0].position is not None and presets[0].position.pan == pytest.approx(0.3)
        await dev.goto_preset(token)
        await asyncio.sleep(0.5)
        assert (await dev.status()).pan == pytest.approx(0.3, abs=1e-6)
        assert await dev.set_preset("Entrée", token) == token  # a rename keeps the token
        assert [p.name for p in await dev.presets()] == ["Entrée"]
        await dev.remove_preset(token)
        assert await dev.presets() == []
        await dev.goto_home()
        await asyncio.sleep(1.5)
        home = await dev.status()
        assert (home.pan, home.tilt, home.zoom) == pytest.approx((0.0, 0.0, 0.0), abs=1e-6)

    with_device(onvif_farm, 2, work)


def test_relative_move_in_the_field_of_view_space(onvif_farm: SimOnvifFarm) -> None:
    async def work(dev: OnvifPtzDevice) -> None:
        await dev.relative_move(1.0, 0.0, 0.0, fov=True)  # the right edge of a 60° picture
        await asyncio.sleep(0.6)
        assert (await dev.status()).pan == pytest.approx(30 / 180, abs=1e-6)

    with_device(onvif_farm, 1, work)


def test_a_soap_fault_is_a_clear_protocol_error(onvif_farm: SimOnvifFarm) -> None:
    async def work(dev: OnvifPtzDevice) -> None:
        with pytest.raises(CameraProtocolError) as fault:
            await dev.goto_preset("no-such-preset")
        assert "no such preset" in str(fault.value).lower()
        assert dev.address in str(fault.value)

    with_device(onvif_farm, 1, work)


def test_an_unsupported_mode_is_refused_before_anything_is_sent(onvif_farm: SimOnvifFarm) -> None:
    onvif_farm.ptz(2).unsupported = {"AbsoluteMove", "ContinuousMove"}
    onvif_farm.ptz(2).fov_space = False

    async def work(dev: OnvifPtzDevice) -> None:
        caps = await dev.open()
        assert caps.relative and not caps.absolute and not caps.continuous and not caps.fov_translation
        with pytest.raises(PtzUnsupportedError, match="absolute moves"):
            await dev.absolute_move(0.1, 0.1, None)
        with pytest.raises(PtzUnsupportedError, match="continuous moves"):
            await dev.continuous_move(0.1, 0, 0, 1)
        with pytest.raises(PtzUnsupportedError, match="field-of-view"):
            await dev.relative_move(0.1, 0, 0, fov=True)

    with_device(onvif_farm, 2, work)
    assert onvif_farm.ptz(2).received("AbsoluteMove") == []


def test_wrong_password_is_refused_credentials(onvif_farm: SimOnvifFarm) -> None:
    spec = spec_of(onvif_farm, 1)
    with pytest.raises(CameraAuthError) as refused:
        with_device(onvif_farm, 1, lambda d: d.open(), password="wrong")
    assert str(refused.value) == f"camera {spec.onvif_address} refused the credentials"
    assert "wrong" not in str(refused.value)


def test_nothing_listening_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def work() -> None:
        dev = OnvifPtzDevice("127.0.0.1", port, "u", "p", timeout_s=2)
        try:
            with pytest.raises(CameraUnreachableError, match="connection refused"):
                await dev.open()
        finally:
            await dev.close()

    asyncio.run(work())


def test_a_device_that_stops_answering_times_out_and_answers_again_later(onvif_farm: SimOnvifFarm) -> None:
    head = onvif_farm.ptz(1)

    async def work(dev: OnvifPtzDevice) -> None:
        await dev.open()
        await dev.continuous_move(0.5, 0, 0, 1.0)
        head.stall()
        started = time.monotonic()
        with pytest.raises(CameraUnreachableError, match=r"within 0\.5 s"):
            await dev.stop()
        assert time.monotonic() - started < 1.5  # bounded, whatever the device does
        head.resume()
        await dev.stop()
        assert not (await dev.status()).moving

    with_device(onvif_farm, 1, work, timeout_s=0.5)
