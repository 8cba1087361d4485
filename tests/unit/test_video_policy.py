from __future__ import annotations

from vmwall.model import StreamKind
from vmwall.video.policy import GovernorConfig, OverloadGovernor, StreamPolicy, TileLoad, choose_stream

MAIN, SUB = StreamKind.MAIN, StreamKind.SUB


def test_grid_tiles_play_sub_large_and_maximised_tiles_main() -> None:
    screen = (1920, 1080)
    assert choose_stream(480, 270, *screen) is SUB  # 4x4
    assert choose_stream(640, 360, *screen) is SUB  # 3x3
    assert choose_stream(960, 540, *screen) is SUB  # 2x2
    assert choose_stream(1280, 720, *screen) is MAIN  # the big tile of 1+5
    assert choose_stream(1920, 1080, *screen) is MAIN  # 1x1
    assert choose_stream(300, 200, *screen, maximised=True) is MAIN


def test_a_large_share_of_a_small_screen_is_main() -> None:
    assert choose_stream(800, 600, 1280, 1024) is MAIN
    assert choose_stream(640, 512, 1280, 1024) is SUB


def test_thresholds_are_configurable() -> None:
    eager = StreamPolicy(main_min_width_px=900, main_min_screen_fraction=0.2)
    assert choose_stream(960, 540, 1920, 1080, policy=eager) is MAIN


def test_hysteresis_keeps_a_tile_on_main_while_it_shrinks_a_little() -> None:
    assert choose_stream(1150, 500, 1920, 1080) is SUB
    assert choose_stream(1150, 500, 1920, 1080, current=MAIN) is MAIN
    assert choose_stream(1000, 500, 1920, 1080, current=MAIN) is SUB


def tiles(n_main: int, n_sub: int, *, fps: float = 25, lost: float = 0) -> list[TileLoad]:
    loads = [TileLoad(f"m{i}", MAIN, fps, lost, priority=i) for i in range(n_main)]
    return loads + [TileLoad(f"s{i}", SUB, fps, lost) for i in range(n_sub)]


def test_calm_machine_changes_nothing() -> None:
    governor = OverloadGovernor()
    for t in range(100):
        decision = governor.update(float(t), 80, tiles(4, 0))
    assert decision.forced_sub == frozenset() and not decision.overloaded and not decision.saturated


def test_overload_steps_main_tiles_down_least_important_first_one_at_a_time() -> None:
    governor = OverloadGovernor(GovernorConfig(overload_hold_s=3, step_interval_s=4))
    forced_over_time = []
    for t in range(0, 30):
        decision = governor.update(float(t), 195, tiles(4, 0, fps=16))
        forced_over_time.append(set(decision.forced_sub))
    assert forced_over_time[2] == set(), "a short overload must not step anything down"
    assert forced_over_time[3] == {"m0"}
    assert forced_over_time[6] == {"m0"}, "the next step waits for the load to settle"
    assert forced_over_time[-1] == {"m0", "m1", "m2", "m3"}
    assert decision.saturated and "CPU" in decision.reason and "below rate" in decision.reason
    assert decision.kind_for("m3", MAIN) is SUB and decision.kind_for("x", MAIN) is MAIN


def test_losing_pictures_is_overload_even_at_moderate_cpu() -> None:
    governor = OverloadGovernor(GovernorConfig(overload_hold_s=1))
    governor.update(0.0, 100, tiles(2, 2, lost=5))
    decision = governor.update(1.0, 100, tiles(2, 2, lost=5))
    assert decision.forced_sub == {"m0"} and "losing pictures" in decision.reason


def test_settles_when_the_load_drops_then_steps_back_up_most_important_first() -> None:
    cfg = GovernorConfig(overload_hold_s=1, step_interval_s=1, recover_hold_s=10)
    governor = OverloadGovernor(cfg)
    t = 0.0
    for _ in range(3):
        decision = governor.update(t, 190, tiles(3, 0))
        t += 1
    assert decision.forced_sub == {"m0", "m1"}
    settled = decision.forced_sub
    for _ in range(9):  # calm, but not long enough
        decision = governor.update(t, 100, tiles(3, 0))
        t += 1
    assert decision.forced_sub == settled
    decision = governor.update(t + 1, 100, tiles(3, 0))
    assert decision.forced_sub == {"m0"}, "the more important tile comes back first"


def test_middling_cpu_neither_steps_down_nor_up() -> None:
    governor = OverloadGovernor(GovernorConfig(overload_hold_s=1, step_interval_s=1, recover_hold_s=2))
    governor.update(0, 190, tiles(2, 0))
    decision = governor.update(1, 190, tiles(2, 0))
    assert decision.forced_sub == {"m0"}
    for t in range(2, 50):
        decision = governor.update(float(t), 150, tiles(2, 0))  # between low and high
    assert decision.forced_sub == {"m0"} and not decision.overloaded


def test_tiles_that_leave_or_shrink_are_forgotten() -> None:
    governor = OverloadGovernor(GovernorConfig(overload_hold_s=0, step_interval_s=0))
    decision = governor.update(0, 190, tiles(2, 0))
    assert decision.forced_sub == {"m0"}
    decision = governor.update(1, 100, [TileLoad("m1", MAIN, 25, 0)])
    assert "m0" not in decision.forced_sub


def test_tiles_not_live_say_nothing_about_the_load() -> None:
    governor = OverloadGovernor(GovernorConfig(overload_hold_s=0))
    lost = TileLoad("m0", MAIN, 0.0, 0.0, live=False)
    assert not governor.update(0, 50, [lost]).overloaded


def test_unmeasured_tiles_are_not_starving() -> None:
    governor = OverloadGovernor(GovernorConfig(overload_hold_s=0))
    just_switched = TileLoad("m0", MAIN, 0.0, 0.0)
    assert not governor.update(0, 50, [just_switched]).overloaded
