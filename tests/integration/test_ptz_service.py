"""The PTZ service against the simulated ONVIF devices (real SOAP over HTTP), locks in memory.

The lock in the shared database, between processes, is in test_ptz_locks.py.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from concurrent.futures import Future

import pytest

from tests.fixtures.onvif_sim import spec_of
from tests.fixtures.ptz import WAIT_S, ServiceFactory, wait_for
from vmwall.model.ptz import PtzPosition
from vmwall.ptz.api import (
    LockStatus,
    PtzAction,
    PtzError,
    PtzErrorKind,
    PtzSettings,
    TourStep,
)
from vmwall.ptz.geometry import DEFAULT_LENS
from vmwall.sim.onvif_device import SimOnvifFarm


def result(future: Future[object]) -> object:
    return future.result(timeout=WAIT_S)


def test_velocity_moves_the_camera_that_way_and_release_stops_it(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    head = onvif_farm.ptz(1)
    service.velocity(1, 0.6, -0.4, 0.5)  # right, down, zoom in
    wait_for(lambda: head.is_moving(), what="camera moving")
    time.sleep(1.5)  # longer than the move timeout (1 s): the pilot keeps it moving
    during = head.position()
    assert during.pan > 0.2 and during.tilt < -0.1 and during.zoom > 0.1
    assert head.is_moving()
    service.velocity(1, 0.0, 0.0, 0.0)
    wait_for(lambda: not head.is_moving(), timeout=1.0, what="stopped at once")
    stopped = head.position()
    time.sleep(0.5)
    assert head.position() == stopped
    assert len(head.received("Stop")) == 1
    wait_for(lambda: PtzAction.STOP in recorder.actions(1))
    assert recorder.actions(1)[:2] == [PtzAction.MOVE, PtzAction.STOP]
    move = recorder.events[0]
    assert move.user == "mdupont" and move.camera == 1 and move.console == "poste-mdupont"
    assert move.at.tzinfo is not None
    assert recorder.errors == []
    assert recorder.locks[0] == (1, "mdupont")


def test_the_request_rate_stays_under_the_maximum(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, _ = make_service(settings=PtzSettings(max_rate=8.0))
    head = onvif_farm.ptz(2)
    give_up = time.monotonic() + 15.0
    end: float | None = None  # 2 s of moving, from the first move the camera takes
    i = 0
    while end is None or time.monotonic() < end:  # a 100 Hz stick, always changing
        assert time.monotonic() < give_up, "the camera received no ContinuousMove in 15 s"
        i += 1
        service.velocity(2, 0.2 + (i % 40) / 100, 0.1, 0.0)
        time.sleep(0.01)
        if end is None and head.received("ContinuousMove"):
            end = time.monotonic() + 2.0
    service.velocity(2, 0, 0, 0)
    wait_for(lambda: not head.is_moving())
    times = [c.at for c in head.received("ContinuousMove")]
    assert len(times) >= 10
    window = [sum(1 for t in times if start <= t < start + 1.0) for start in times]
    assert max(window) <= 8  # never more than the maximum in any second, as the camera counts
    # (single gaps on arrival may be shorter than 1/8 s: a request delayed on the way arrives
    # close to the next one, which left on time; the rate is what the camera must not exceed.)
    assert statistics.median(b - a for a, b in itertools.pairwise(times)) >= 1 / 8


def test_stop_all_stops_every_camera_this_console_moves(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, _ = make_service()
    service.velocity(1, 0.5, 0, 0)
    service.velocity(2, -0.5, 0, 0)
    wait_for(lambda: onvif_farm.ptz(1).is_moving() and onvif_farm.ptz(2).is_moving())
    service.stop_all()
    wait_for(lambda: not onvif_farm.ptz(1).is_moving() and not onvif_farm.ptz(2).is_moving(), timeout=1.0)


def test_close_stops_a_moving_camera_and_frees_it(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, _ = make_service()
    other, _ = make_service("bob")
    service.velocity(1, 0.5, 0, 0)
    wait_for(lambda: onvif_farm.ptz(1).is_moving())
    service.close()
    assert not onvif_farm.ptz(1).is_moving()
    assert result(other.holder(1)) is None
    service.close()  # idempotent


def test_a_fixed_camera_is_refused_with_a_clear_message(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    caps = result(service.capabilities(3))
    assert not caps.ptz  # type: ignore[attr-defined]
    service.velocity(3, 0.5, 0, 0)
    wait_for(lambda: recorder.errors != [])
    error = recorder.errors[0]
    assert error.kind is PtzErrorKind.UNSUPPORTED and error.camera == 3
    assert str(error) == "camera 3 (Parc des Sports) is a fixed camera: it has no PTZ"
    with pytest.raises(PtzError, match="fixed camera"):
        result(service.goto_preset(3, "preset_1"))
    with pytest.raises(PtzError, match="fixed camera"):
        result(service.take_control(3))
    assert onvif_farm.request_count(3, "ContinuousMove") == 0


def test_wrong_password_names_the_camera(onvif_farm: SimOnvifFarm, make_service: ServiceFactory) -> None:
    service, recorder = make_service(passwords={1: "not-the-password"})
    spec = spec_of(onvif_farm, 1)
    with pytest.raises(PtzError) as refused:
        result(service.status(1))
    assert refused.value.kind is PtzErrorKind.AUTH
    assert (
        str(refused.value) == f"camera 1 (Parvis de la mairie) refused the credentials ({spec.onvif_address})"
    )
    service.velocity(1, 0.5, 0, 0)
    wait_for(lambda: len(recorder.errors) == 2)
    assert recorder.errors[1].kind is PtzErrorKind.AUTH
    assert all("not-the-password" not in str(e) for e in recorder.errors)
    assert not onvif_farm.ptz(1).is_moving()


def test_a_camera_that_stops_answering_mid_move_is_reported_and_stopped_when_back(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service(
        settings=PtzSettings(request_timeout_s=0.5, retry_s=0.2, move_timeout_s=2.0)
    )
    head = onvif_farm.ptz(1)
    service.velocity(1, 0.3, 0, 0)
    wait_for(lambda: head.is_moving())
    head.stall()
    stalled_at = time.monotonic()
    service.velocity(1, 0.6, 0, 0)  # the next request hangs
    wait_for(lambda: recorder.errors != [], timeout=3.0)
    assert time.monotonic() - stalled_at < 2.0  # reported within about the request timeout
    error = recorder.errors[0]
    assert error.kind is PtzErrorKind.UNREACHABLE and error.camera == 1
    assert str(error).startswith("no answer from camera 1 (Parvis de la mairie) at 127.0.0.1:")
    assert "within 0.5 s" in str(error)
    service.velocity(1, 0, 0, 0)  # released while the camera is silent: nothing hangs
    stops_before = len(head.received("Stop"))
    time.sleep(0.8)
    assert len(head.received("Stop")) > stops_before  # Stop keeps being tried
    assert len(recorder.errors) == 1  # ... without flooding the operator
    head.resume()
    wait_for(lambda: recorder.recovered == [1], timeout=3.0)
    wait_for(lambda: not head.is_moving(), timeout=1.0)
    assert head.received()[-1].operation == "Stop"
    # Driving again works once the camera is back.
    service.velocity(1, -0.5, 0, 0)
    wait_for(lambda: head.is_moving())
    service.velocity(1, 0, 0, 0)
    wait_for(lambda: not head.is_moving())


def test_lock_refusal_and_priority_take_over(onvif_farm: SimOnvifFarm, make_service: ServiceFactory) -> None:
    alice, alice_seen = make_service("alice", "operateur")
    bob, bob_seen = make_service("bob", "operateur")
    chef, _ = make_service("chef", "chef-de-salle")
    head = onvif_farm.ptz(1)
    alice.velocity(1, 0.5, 0, 0)
    wait_for(lambda: head.is_moving())
    # An operator of the same priority is refused, with the holder named.
    bob.velocity(1, -0.5, 0, 0)
    wait_for(lambda: bob_seen.errors != [])
    assert bob_seen.errors[0].kind is PtzErrorKind.LOCKED
    assert "driven by Alice Test (operateur) at poste-alice" in str(bob_seen.errors[0])
    refused = result(bob.take_control(1))
    assert refused.status is LockStatus.REFUSED  # type: ignore[attr-defined]
    # The chef de salle takes over: the camera stops, alice is told, and can no longer move it.
    outcome = result(chef.take_control(1))
    assert outcome.status is LockStatus.TAKEN_OVER  # type: ignore[attr-defined]
    assert outcome.previous.login == "alice"  # type: ignore[attr-defined]
    wait_for(lambda: not head.is_moving(), timeout=2.0)
    wait_for(lambda: any(e.kind is PtzErrorKind.LOCKED for e in alice_seen.errors), timeout=5.0)
    taken = next(e for e in alice_seen.errors if e.kind is PtzErrorKind.LOCKED)
    assert (
        str(taken)
        == "camera 1 (Parvis de la mairie) was taken over by Chef Test (chef-de-salle) at poste-chef"
    )
    moves = len(head.received("ContinuousMove"))
    alice.velocity(1, 0.7, 0, 0)
    wait_for(lambda: len(alice_seen.errors) >= 2)
    time.sleep(0.3)
    assert len(head.received("ContinuousMove")) == moves
    assert (result(bob.holder(1))).login == "chef"  # type: ignore[attr-defined]
    result(chef.release(1))
    assert result(bob.holder(1)) is None


def test_idle_release_frees_the_camera_and_can_send_it_home(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    settings = PtzSettings(idle_release_s=1.0, auto_home=True, request_timeout_s=1.0)
    service, recorder = make_service(settings=settings)
    other, _ = make_service("bob")
    result(service.absolute_move(2, 0.4, 0.2, 0.0))
    assert result(other.holder(2)).login == "mdupont"  # type: ignore[attr-defined]
    wait_for(lambda: PtzAction.IDLE_RELEASE in recorder.actions(2), timeout=5.0)
    wait_for(lambda: PtzAction.AUTO_HOME in recorder.actions(2), timeout=3.0)
    wait_for(lambda: not onvif_farm.ptz(2).is_moving())
    home = onvif_farm.ptz(2).position()
    assert (home.pan, home.tilt, home.zoom) == (0.0, 0.0, 0.0)
    wait_for(lambda: result(other.holder(2)) is None, timeout=3.0)
    result(other.home(2))  # free for the next operator


def test_tour_goes_round_the_presets_until_stopped(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    head = onvif_farm.ptz(1)
    result(service.absolute_move(1, -0.2, 0.0, 0.0))
    wait_for(lambda: not head.is_moving())
    first = result(service.set_preset(1, "Parvis"))
    result(service.absolute_move(1, 0.2, 0.1, 0.0))
    wait_for(lambda: not head.is_moving())
    second = result(service.set_preset(1, "Rue"))
    steps = [TourStep(first.token, 0.3), TourStep(second.token, 0.3)]  # type: ignore[attr-defined]
    result(service.start_tour(1, steps))
    wait_for(lambda: len(head.received("GotoPreset")) >= 3, timeout=10.0, what="two steps and a loop")
    assert [c.operation for c in head.received() if c.operation == "GotoPreset"][:3] == ["GotoPreset"] * 3
    state = service.tours()[1]
    assert state.running and state.started_by == "mdupont"
    # A manual command ends the tour.
    service.velocity(1, 0.3, 0, 0)
    wait_for(lambda: not service.tours()[1].running)
    assert service.tours()[1].reason == "manual control"
    service.velocity(1, 0, 0, 0)
    count = len(head.received("GotoPreset"))
    time.sleep(1.0)
    assert len(head.received("GotoPreset")) == count
    # A one-shot tour finishes by itself; stop_tour ends a looping one.
    result(service.start_tour(1, steps, loop=False))
    wait_for(lambda: service.tours()[1].reason == "finished", timeout=10.0)
    result(service.start_tour(1, steps))
    service.stop_tour(1)
    wait_for(lambda: service.tours()[1].reason == "stopped")
    assert PtzAction.TOUR_START in recorder.actions(1) and PtzAction.TOUR_STOP in recorder.actions(1)


def test_a_tour_step_on_a_missing_preset_ends_it_with_the_reason(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    result(service.start_tour(2, [TourStep("gone", 1.0)]))
    wait_for(lambda: not service.tours()[2].running)
    assert "no such preset" in service.tours()[2].reason.lower()
    assert recorder.errors and recorder.errors[0].camera == 2


def _centred_azimuth(position: PtzPosition) -> tuple[float, float]:
    """Where the camera looks, in degrees (the simulated lens: pan ±1 = ±180°, tilt ±1 = ±45°)."""
    return position.pan * 180.0, position.tilt * 45.0


@pytest.mark.parametrize("mode", ["fov", "absolute", "relative"])
def test_click_to_centre_brings_the_point_to_the_centre(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory, mode: str
) -> None:
    head = onvif_farm.ptz(2)
    if mode != "fov":
        head.fov_space = False
    if mode == "relative":
        head.unsupported = {"AbsoluteMove"}
    service, _ = make_service()
    result(service.relative_move(2, 0.1, 0.1, 0.3)) if mode == "relative" else result(
        service.absolute_move(2, 0.1, 0.1, 0.3)
    )
    wait_for(lambda: not head.is_moving())
    before = head.position()
    hfov = DEFAULT_LENS.hfov(before.zoom)
    vfov = hfov * 9 / 16
    x, y = 0.5, -0.4  # right of centre, below it
    azimuth, elevation = _centred_azimuth(before)
    expected = (azimuth + x * hfov / 2, elevation + y * vfov / 2)
    result(service.centre_on(2, x, y))
    wait_for(lambda: not head.is_moving())
    after = head.position()
    assert _centred_azimuth(after) == pytest.approx(expected, abs=0.05)
    assert after.zoom == pytest.approx(before.zoom)
    assert len(head.received("AbsoluteMove" if mode == "absolute" else "RelativeMove")) >= 1


@pytest.mark.parametrize("mode", ["fov", "absolute"])
def test_box_zoom_centres_the_box_and_fills_the_picture(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory, mode: str
) -> None:
    head = onvif_farm.ptz(1)
    head.fov_space = mode == "fov"
    service, recorder = make_service()
    wait_for(lambda: not head.is_moving())
    before = head.position()
    result(service.zoom_to_box(1, -0.6, 0.5, -0.2, 0.3))  # a box 20 % wide, 10 % high, upper left
    wait_for(lambda: not head.is_moving())
    after = head.position()
    hfov = DEFAULT_LENS.hfov(before.zoom)
    assert _centred_azimuth(after) == pytest.approx(
        (before.pan * 180 - 0.4 * hfov / 2, before.tilt * 45 + 0.4 * hfov * 9 / 16 / 2), abs=0.05
    )
    assert DEFAULT_LENS.hfov(after.zoom) == pytest.approx(hfov * 0.2, rel=0.01)
    assert recorder.actions(1)[-1] is PtzAction.ZOOM_BOX


def test_bad_input_gets_clear_errors_and_breaks_nothing(
    onvif_farm: SimOnvifFarm, make_service: ServiceFactory
) -> None:
    service, recorder = make_service()
    with pytest.raises(PtzError, match=r"pan 3\.0 is outside -1\.\.1") as bad:
        result(service.absolute_move(1, 3.0, 0.0))
    assert bad.value.kind is PtzErrorKind.INVALID
    with pytest.raises(PtzError, match=r"must lie in \[-1, 1\]"):
        result(service.centre_on(1, 2.0, 0.0))
    with pytest.raises(PtzError, match="needs a name"):
        result(service.set_preset(1, "   "))
    with pytest.raises(PtzError, match="cannot read camera 99 from the catalogue"):
        result(service.status(99))  # the test's resolver fails badly (StopIteration): still an error
    service.velocity(1, float("nan"), 0, 0)
    with pytest.raises(PtzError, match="has no preset"):
        result(service.rename_preset(1, "nope", "Nouveau nom"))
    wait_for(lambda: len(recorder.errors) >= 6)
    assert onvif_farm.request_count(1, "AbsoluteMove") == 0
    # The service still works afterwards.
    result(service.absolute_move(1, 0.1, 0.1))


def test_rename_preset_keeps_its_position(onvif_farm: SimOnvifFarm, make_service: ServiceFactory) -> None:
    service, _ = make_service()
    head = onvif_farm.ptz(2)
    result(service.absolute_move(2, 0.3, 0.3, 0.2))
    wait_for(lambda: not head.is_moving())
    preset = result(service.set_preset(2, "Carrefour"))
    result(service.absolute_move(2, -0.3, 0.0, 0.0))
    wait_for(lambda: not head.is_moving())
    result(service.rename_preset(2, preset.token, "Carrefour Nord"))  # type: ignore[attr-defined]
    presets = result(service.presets(2))
    assert [(p.token, p.name) for p in presets] == [(preset.token, "Carrefour Nord")]  # type: ignore[attr-defined]
    stored = presets[0].position  # type: ignore[index]
    assert (stored.pan, stored.tilt, stored.zoom) == pytest.approx((0.3, 0.3, 0.2), abs=1e-3)
    result(service.remove_preset(2, preset.token))  # type: ignore[attr-defined]
    assert result(service.presets(2)) == []


def test_the_gui_thread_never_waits(onvif_farm: SimOnvifFarm, make_service: ServiceFactory) -> None:
    """Every call returns at once, even while the camera hangs."""
    service, _ = make_service(settings=PtzSettings(request_timeout_s=2.0))
    onvif_farm.ptz(1).stall()
    calls: list[Callable[[], object]] = [
        lambda: service.velocity(1, 0.5, 0, 0),
        lambda: service.status(1),
        lambda: service.presets(1),
        lambda: service.goto_preset(1, "p"),
        lambda: service.centre_on(1, 0.1, 0.1),
        lambda: service.take_control(1),
        lambda: service.holders([1, 2, 3]),
        lambda: service.stop(1),
        lambda: service.stop_all(),
        lambda: service.watch([1, 2]),
        lambda: service.tours(),
    ]
    for call in calls:
        started = time.perf_counter()
        call()
        assert time.perf_counter() - started < 0.05
    onvif_farm.ptz(1).resume()
