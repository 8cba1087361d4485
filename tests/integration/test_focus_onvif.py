"""Focus through the ONVIF imaging service of the simulated devices (real SOAP over HTTP on 127.0.0.1).

The adapter alone (`OnvifImagingDevice`), then the PTZ service's focus (`FocusService`): near/far
move the lens as GetStatus reports it, release stops it, autofocus toggles, a camera that stops
answering mid-focus is stopped once it answers again, a held focus stops by itself.
"""

from __future__ import annotations

import itertools
import time

import pytest

from tests.fixtures.onvif_sim import run, sim_specs, spec_of
from tests.fixtures.ptz import WAIT_S, ServiceFactory, wait_for
from vmwall.onvif.imaging import FocusOptions, ImagingUnsupportedError, OnvifImagingDevice
from vmwall.ptz.api import (
    FocusCapabilities,
    FocusService,
    FocusStatus,
    PtzAction,
    PtzError,
    PtzErrorKind,
    PtzSettings,
)
from vmwall.ptz.lock import MemoryLockStore
from vmwall.ptz.service import OnvifPtzService, make_operator
from vmwall.ptz.targets import PtzTarget
from vmwall.sim.onvif_device import SimOnvifFarm
from vmwall.sim.onvif_imaging import SHARP_POSITION

# --- the adapter ------------------------------------------------------------------------------------


def device_for(farm: SimOnvifFarm, number: int, *, timeout_s: float = 3.0) -> OnvifImagingDevice:
    spec = spec_of(farm, number)
    return OnvifImagingDevice(
        spec.host, spec.onvif_port, spec.username, spec.password, profile_token="main", timeout_s=timeout_s
    )


def test_the_adapter_reads_the_lens_and_drives_it(onvif_farm: SimOnvifFarm) -> None:
    async def scenario() -> None:
        for number in (1, 3):  # a PTZ dome and a fixed camera: both have a motorised lens
            device = device_for(onvif_farm, number)
            try:
                options = await device.open()
                assert options == FocusOptions(
                    imaging=True,
                    continuous=True,
                    speed_range=(-1.0, 1.0),
                    auto_modes=frozenset({"AUTO", "MANUAL"}),
                    auto=True,
                    video_source="vs_1",  # from the media profile
                )
                lens = onvif_farm.focus(number)
                start = await device.status()
                assert start.position == pytest.approx(SHARP_POSITION) and not start.moving
                # In AUTO the lens refuses manual moves, as many cameras do.
                with pytest.raises(Exception, match="AUTO"):
                    await device.continuous_focus(-0.5)
                await device.set_auto_focus(False)
                assert await device.auto_focus() is False and not lens.auto
                await device.continuous_focus(-1.0)
                assert lens.received("Move")[-1].value == -1.0
                time.sleep(0.3)
                moving = await device.status()
                assert moving.moving and moving.position is not None and moving.position < SHARP_POSITION
                await device.stop()
                stopped = await device.status()
                assert not stopped.moving
                await device.set_auto_focus(True)
                assert lens.auto and await device.auto_focus() is True
            finally:
                await device.close()

    run(scenario())


def test_a_camera_without_imaging_reads_as_no_focus() -> None:
    farm = SimOnvifFarm(sim_specs(), motion_interval_s=None, focus_cameras={1})
    farm.start()
    try:

        async def scenario() -> None:
            device = device_for(farm, 2)
            try:
                assert await device.open() == FocusOptions.none()
                with pytest.raises(ImagingUnsupportedError, match="no imaging service"):
                    await device.continuous_focus(0.5)
            finally:
                await device.close()

        run(scenario())
        with pytest.raises(ValueError):
            farm.focus(2)
    finally:
        farm.close()


# --- the service ------------------------------------------------------------------------------------


def status(service: OnvifPtzService, camera: int = 1) -> FocusStatus:
    return service.focus_status(camera).result(timeout=WAIT_S)


def assert_still(service: OnvifPtzService, camera: int = 1) -> float:
    wait_for(lambda: not status(service, camera).moving, f"camera {camera}'s lens stopped")
    before = status(service, camera).position
    time.sleep(0.4)
    after = status(service, camera).position
    assert before is not None and after == pytest.approx(before, abs=1e-9)
    return before


def test_near_and_far_move_the_lens_and_release_stops_it(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    assert isinstance(service, FocusService)
    caps = service.focus_capabilities(1).result(timeout=WAIT_S)
    assert caps == FocusCapabilities(continuous=True, auto=True, auto_on=True)
    start = status(service)
    assert start.position == pytest.approx(SHARP_POSITION) and start.auto is True

    service.focus(1, -0.8)  # near
    wait_for(lambda: (status(service).position or 1.0) < SHARP_POSITION - 0.05, "focused nearer")
    assert status(service).moving and status(service).auto is False  # switched to MANUAL to move
    stops = onvif_farm.request_count(1, "Stop")
    service.focus_stop(1)
    near = assert_still(service)
    assert onvif_farm.request_count(1, "Stop") > stops  # an explicit Stop
    assert near < SHARP_POSITION - 0.05

    service.focus(1, 0.6)  # far
    wait_for(lambda: (status(service).position or 0.0) > near + 0.05, "focused farther")
    service.focus(1, 0.0)
    far = assert_still(service)
    assert far > near + 0.05
    expected = ["auto off (manual focus)", "near 0.80", "stop", "far 0.60", "stop"]
    # The event is reported once the camera's answer is back, a moment after the lens stopped.
    wait_for(lambda: recorder.focus_details(1) == expected, "every focus action reported")
    events = [e for e in recorder.events if e.action is PtzAction.FOCUS]
    assert {e.user for e in events} == {"mdupont"} and all(e.camera == 1 for e in events)
    assert recorder.errors == []


def test_autofocus_toggles_and_brings_the_picture_back_into_focus(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    lens = onvif_farm.focus(1)
    service.auto_focus(1, False).result(timeout=WAIT_S)
    assert not lens.auto and status(service).auto is False
    assert service.focus_capabilities(1).result(timeout=WAIT_S).auto_on is False
    service.focus(1, 1.0)
    wait_for(lambda: lens.position() > SHARP_POSITION + 0.1, "defocused")
    # Autofocus on while focusing by hand: the manual focus stops, the lens goes back to sharp.
    service.auto_focus(1, True).result(timeout=WAIT_S)
    assert lens.auto and status(service).auto is True
    wait_for(lambda: lens.position() == pytest.approx(SHARP_POSITION), "sharp again")
    assert not status(service).moving
    wait_for(
        lambda: recorder.focus_details(1) == ["auto off", "far 1.00", "auto on"], "focus actions reported"
    )
    assert [c.value for c in lens.received("SetImagingSettings")] == ["MANUAL", "AUTO"]


def test_focus_requests_are_coalesced_and_rate_limited(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, _recorder = make_service(settings=PtzSettings(max_rate=5.0, request_timeout_s=1.0))
    lens = onvif_farm.focus(1)
    service.auto_focus(1, False).result(timeout=WAIT_S)
    speeds = [(-1) ** i * (0.2 + i / 100) for i in range(60)]
    for speed in speeds:
        service.focus(1, speed)
        time.sleep(0.01)
    moves = lens.received
    wait_for(lambda: bool(moves("Move")) and moves("Move")[-1].value == speeds[-1], "the last speed sent")
    sent = moves("Move")
    assert len(sent) < len(speeds) / 3  # coalesced
    gaps = [b.at - a.at for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 1 / 5.0 * 0.9  # never above the configured rate (some slack for the clock)
    service.focus_stop(1)
    assert_still(service)


def test_a_lens_that_stops_answering_is_stopped_once_it_answers_again(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    lens = onvif_farm.focus(1)
    service.auto_focus(1, False).result(timeout=WAIT_S)
    service.focus(1, -0.3)
    wait_for(lambda: lens.is_moving(), "focusing")
    lens.stall()
    service.focus_stop(1)  # the Stop times out: the lens goes on moving
    wait_for(lambda: bool(recorder.errors), "the failure reported")
    error = recorder.errors[0]
    assert error.camera == 1 and error.kind is PtzErrorKind.UNREACHABLE and "camera 1" in str(error)
    assert lens.is_moving()
    lens.resume()
    wait_for(lambda: not lens.is_moving(), "stopped once answering")
    wait_for(lambda: recorder.recovered == [1], "recovery reported")
    wait_for(
        lambda: "stop (sent once the camera answered again)" in recorder.focus_details(1),
        "the late stop reported",
    )
    assert len(recorder.errors) == 1  # reported once, not at every retry


def test_a_held_focus_stops_by_itself(onvif_farm: SimOnvifFarm, make_service: ServiceFactory) -> None:
    service, recorder = make_service(settings=PtzSettings(focus_max_hold_s=0.5, request_timeout_s=1.0))
    lens = onvif_farm.focus(1)
    service.auto_focus(1, False).result(timeout=WAIT_S)
    service.focus(1, 0.1)  # and the release never comes (a console that died, a lost event)
    wait_for(lambda: lens.is_moving(), "focusing")
    wait_for(lambda: not lens.is_moving(), "stopped after the hold limit", timeout=5.0)
    assert lens.position() < 1.0  # stopped by the Stop, not by the end of the lens
    # The Stop is reported once the camera's answer is back, a moment after the lens stopped.
    wait_for(lambda: recorder.focus_details(1)[-1:] == ["stop"], "the automatic stop reported")


def test_focus_needs_the_lock_and_bad_input_is_refused(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    first, _ = make_service("mdupont")
    second, recorder = make_service("pmartin")
    first.auto_focus(1, False).result(timeout=WAIT_S)  # takes the control of camera 1
    with pytest.raises(PtzError) as refused:
        second.auto_focus(1, True).result(timeout=WAIT_S)
    assert refused.value.kind is PtzErrorKind.LOCKED
    second.focus(1, 0.5)
    wait_for(lambda: any(e.kind is PtzErrorKind.LOCKED for e in recorder.errors[1:]), "focus refused")
    assert onvif_farm.focus(1).received("Move") == []
    second.focus(2, float("nan"))
    wait_for(lambda: any(e.kind is PtzErrorKind.INVALID for e in recorder.errors), "nan refused")
    # A fixed camera: the catalogue gives no ONVIF address for it (only PTZ cameras have one).
    fixed = OnvifPtzService(
        make_operator("x", "X", "operateur", PtzSettings()),
        lambda n: PtzTarget(n, "Parc des Sports", ptz=False),
        MemoryLockStore(),
    )
    fixed.start()
    try:
        caps = fixed.focus_capabilities(3).result(timeout=WAIT_S)
        assert not caps.any and "no ONVIF address" in caps.reason
        with pytest.raises(PtzError, match="Parc des Sports"):
            fixed.focus_status(3).result(timeout=WAIT_S)
    finally:
        fixed.close()
