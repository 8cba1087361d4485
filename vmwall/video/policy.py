"""Which stream a tile plays, and the overload governor that steps tiles down. Pure logic, no clock.

A small tile plays the camera's sub stream, a maximised or large one the main stream. When the
machine cannot decode everything (CPU saturated, tiles losing pictures or below their rate), libVLC
freezes tiles rather than slowing them: the governor steps main-stream tiles down to their sub
stream, least important first, one at a time, and steps them back up, most important first, once
the load has stayed low for a while.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vmwall.model import StreamKind


@dataclass(frozen=True, slots=True)
class StreamPolicy:
    main_min_width_px: int = 1200  # a tile at least this wide plays the main stream
    main_min_screen_fraction: float = 0.3  # ... or covering at least this much of its screen
    hysteresis: float = 0.1  # a tile on main stays on main until 10 % below the thresholds


def choose_stream(
    tile_width: int,
    tile_height: int,
    screen_width: int,
    screen_height: int,
    *,
    maximised: bool = False,
    current: StreamKind | None = None,
    policy: StreamPolicy = StreamPolicy(),
) -> StreamKind:
    """The stream a tile of this pixel size should play on this screen."""
    if maximised:
        return StreamKind.MAIN
    scale = 1.0 - policy.hysteresis if current is StreamKind.MAIN else 1.0
    screen_area = max(1, screen_width * screen_height)
    wide = tile_width >= policy.main_min_width_px * scale
    large = tile_width * tile_height >= policy.main_min_screen_fraction * scale * screen_area
    return StreamKind.MAIN if wide or large else StreamKind.SUB


@dataclass(frozen=True, slots=True)
class TileLoad:
    """One tile as the governor sees it, sampled by the caller (from TilePlayer.status())."""

    tile: str  # any stable id
    wanted: StreamKind  # what choose_stream() asks for
    fps_displayed: float
    lost_per_s: float  # lost pictures per second over the last sample period
    priority: int = 0  # higher = stepped down last, stepped up first (maximised, selected tile)
    expected_fps: float = 25.0
    live: bool = True  # only live tiles say anything about the load


@dataclass(frozen=True, slots=True)
class GovernorConfig:
    cpu_high_percent: float = 170.0  # of the machine: 100 % = one core (2 cores: 200 %)
    cpu_low_percent: float = 120.0
    lost_per_s_high: float = 1.0
    fps_low_fraction: float = 0.8  # a live tile below 80 % of its rate is starving
    overload_hold_s: float = 3.0  # overload must last this long before a step down
    step_interval_s: float = 4.0  # at least this long between two steps (let the load settle)
    recover_hold_s: float = 30.0  # calm must last this long before a step up


@dataclass(frozen=True, slots=True)
class GovernorDecision:
    forced_sub: frozenset[str]  # tiles that must play their sub stream although they want main
    overloaded: bool  # the load is above the thresholds right now
    saturated: bool  # overloaded with nothing left to step down
    reason: str = ""

    def kind_for(self, tile: str, wanted: StreamKind) -> StreamKind:
        return StreamKind.SUB if tile in self.forced_sub else wanted


@dataclass
class OverloadGovernor:
    config: GovernorConfig = field(default_factory=GovernorConfig)
    _forced: list[str] = field(default_factory=list)  # in the order they were stepped down
    _overload_since: float | None = None
    _calm_since: float | None = None
    _last_step: float | None = None

    def update(self, now_s: float, cpu_percent: float, tiles: Sequence[TileLoad]) -> GovernorDecision:
        cfg = self.config
        by_id = {t.tile: t for t in tiles}
        # Tiles that went away or no longer want main are no longer forced.
        self._forced = [t for t in self._forced if t in by_id and by_id[t].wanted is StreamKind.MAIN]
        reasons = self._overload_reasons(cpu_percent, tiles)
        overloaded = bool(reasons)
        if overloaded:
            self._calm_since = None
            if self._overload_since is None:
                self._overload_since = now_s
        else:
            self._overload_since = None
            if cpu_percent <= cfg.cpu_low_percent:
                if self._calm_since is None:
                    self._calm_since = now_s
            else:
                self._calm_since = None
        since_step = now_s - self._last_step if self._last_step is not None else float("inf")
        candidates = sorted(
            (t for t in tiles if t.wanted is StreamKind.MAIN and t.tile not in self._forced),
            key=lambda t: (t.priority, t.tile),
        )
        saturated = overloaded and not candidates
        if (
            overloaded
            and candidates
            and self._overload_since is not None
            and now_s - self._overload_since >= cfg.overload_hold_s
            and since_step >= cfg.step_interval_s
        ):
            self._forced.append(candidates[0].tile)
            self._last_step = now_s
            self._overload_since = now_s  # the next step needs a fresh overload period
        elif (
            self._forced
            and self._calm_since is not None
            and now_s - self._calm_since >= cfg.recover_hold_s
            and since_step >= cfg.step_interval_s
        ):
            best = max(self._forced, key=lambda t: (by_id[t].priority, t))
            self._forced.remove(best)
            self._last_step = now_s
            self._calm_since = now_s
        return GovernorDecision(frozenset(self._forced), overloaded, saturated, "; ".join(reasons))

    def _overload_reasons(self, cpu_percent: float, tiles: Sequence[TileLoad]) -> list[str]:
        cfg = self.config
        reasons = []
        if cpu_percent >= cfg.cpu_high_percent:
            reasons.append(f"CPU {cpu_percent:.0f} %")
        losing = [t.tile for t in tiles if t.live and t.lost_per_s >= cfg.lost_per_s_high]
        if losing:
            reasons.append(f"losing pictures: {', '.join(losing)}")
        # 0 fps on a live tile means "not measured yet" (just started or switched): a frozen tile is
        # reported LOST by its player's watchdog, not starving.
        starving = [
            t.tile for t in tiles if t.live and 0 < t.fps_displayed < cfg.fps_low_fraction * t.expected_fps
        ]
        if starving:
            reasons.append(f"below rate: {', '.join(starving)}")
        return reasons
