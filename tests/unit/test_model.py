"""The rules the domain types enforce on their own, before anything is stored or shown."""

from __future__ import annotations

from datetime import date

import pytest

from vmwall.model import (
    MAX_RETENTION_DAYS,
    Camera,
    Commune,
    Forfait,
    Layout,
    Permission,
    Role,
    SavedView,
    StreamKind,
    Tile,
    User,
    ValidationError,
    permissions_of,
)

# ------------------------------------------------------------------------------------------ communes


def test_retention_is_capped_at_one_month() -> None:
    assert MAX_RETENTION_DAYS == 30
    assert Commune("Lille", "59350", retention_days=30).retention_days == 30
    assert Commune("Lille", "59350", retention_days=1).retention_days == 1
    with pytest.raises(ValidationError, match="L252-5"):
        Commune("Lille", "59350", retention_days=31)


@pytest.mark.parametrize("days", [0, -1])
def test_retention_must_be_at_least_one_day(days: int) -> None:
    with pytest.raises(ValidationError, match="retention"):
        Commune("Lille", "59350", retention_days=days)


@pytest.mark.parametrize("code", ["59350", "57463", "2A004", "2B033", "97411"])
def test_valid_insee_codes(code: str) -> None:
    assert Commune("Somewhere", code).insee_code == code


@pytest.mark.parametrize("code", ["5935", "593500", "59 350", "2C004", "2a004", "ABCDE", ""])
def test_invalid_insee_codes(code: str) -> None:
    with pytest.raises(ValidationError, match="INSEE"):
        Commune("Somewhere", code)


def test_commune_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="name"):
        Commune("  ", "59350")


def test_live_hours_forfait_needs_hours() -> None:
    commune = Commune("Roubaix", "59512", forfait=Forfait.LIVE_HOURS, live_hours="08:00-20:00")
    assert commune.live_hours == "08:00-20:00"
    with pytest.raises(ValidationError, match="HH:MM-HH:MM"):
        Commune("Roubaix", "59512", forfait=Forfait.LIVE_HOURS)
    with pytest.raises(ValidationError, match="HH:MM-HH:MM"):
        Commune("Roubaix", "59512", forfait=Forfait.LIVE_HOURS, live_hours="24:00-08:00")
    with pytest.raises(ValidationError, match="HH:MM-HH:MM"):
        Commune("Roubaix", "59512", forfait=Forfait.LIVE_HOURS, live_hours="8:00-20:00")


@pytest.mark.parametrize("forfait", [Forfait.STORAGE_ONLY, Forfait.LIVE_24_7])
def test_live_hours_only_for_the_live_hours_forfait(forfait: Forfait) -> None:
    with pytest.raises(ValidationError, match="live_hours only applies"):
        Commune("Roubaix", "59512", forfait=forfait, live_hours="08:00-20:00")


def test_storage_only_forfait_never_allows_live_viewing() -> None:
    assert not Forfait.STORAGE_ONLY.allows_live
    assert Forfait.LIVE_HOURS.allows_live
    assert Forfait.LIVE_24_7.allows_live


def test_commune_is_immutable() -> None:
    commune = Commune("Lille", "59350")
    with pytest.raises(AttributeError):
        commune.retention_days = 60  # type: ignore[misc]


# ------------------------------------------------------------------------------------------- cameras


@pytest.mark.parametrize("number", [0, -5, 1_000_000])
def test_camera_number_range(number: int) -> None:
    with pytest.raises(ValidationError, match=r"outside 1\.\.999999"):
        Camera(number, "Parvis", commune_id=1)


def test_camera_number_bounds_are_inclusive() -> None:
    assert Camera(1, "A", 1).number == 1
    assert Camera(999_999, "B", 1).number == 999_999


def test_camera_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        Camera(12, " ", commune_id=1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", 90.5, "latitude"),
        ("latitude", -91.0, "latitude"),
        ("longitude", 180.1, "longitude"),
        ("longitude", -200.0, "longitude"),
        ("onvif_port", 0, "port"),
        ("onvif_port", 65536, "port"),
    ],
)
def test_camera_coordinates_and_port_are_checked(field: str, value: float, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Camera(12, "Parvis", 1, **{field: value})  # type: ignore[arg-type]


def test_camera_with_one_stream_serves_it_for_both_kinds() -> None:
    main_only = Camera(1, "A", 1, main_uri="rtsp://cam/main")
    sub_only = Camera(2, "B", 1, sub_uri="rtsp://cam/sub")
    both = Camera(3, "C", 1, main_uri="rtsp://cam/main", sub_uri="rtsp://cam/sub")
    assert main_only.stream_uri(StreamKind.SUB) == "rtsp://cam/main"
    assert sub_only.stream_uri(StreamKind.MAIN) == "rtsp://cam/sub"
    assert both.stream_uri(StreamKind.MAIN) == "rtsp://cam/main"
    assert both.stream_uri(StreamKind.SUB) == "rtsp://cam/sub"
    assert Camera(4, "D", 1).stream_uri(StreamKind.MAIN) is None


def test_camera_type_has_no_password_field() -> None:
    assert "password" not in {name for name in Camera.__dataclass_fields__}
    assert "credential_ref" in Camera.__dataclass_fields__


# ------------------------------------------------------------------------------------------- layouts


def test_grid_layout_covers_every_cell_in_reading_order() -> None:
    layout = Layout.grid(2, 3)
    assert layout.name == "2x3"
    assert [(t.row, t.column) for t in layout.tiles] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


def test_layout_with_a_spanning_tile() -> None:
    # One big tile top-left (2x2) and five small ones around it on a 3x3 grid.
    tiles = (Tile(0, 0, 2, 2), Tile(0, 2), Tile(1, 2), Tile(2, 0), Tile(2, 1), Tile(2, 2))
    assert len(Layout("1+5", 3, 3, tiles).tiles) == 6


def test_layout_tiles_must_not_overlap() -> None:
    with pytest.raises(ValidationError, match="tile 2 overlaps"):
        Layout("bad", 2, 2, (Tile(0, 0, 2, 1), Tile(1, 0), Tile(0, 1), Tile(1, 1)))


def test_layout_tiles_must_cover_the_grid() -> None:
    with pytest.raises(ValidationError, match="uncovered"):
        Layout("bad", 2, 2, (Tile(0, 0), Tile(0, 1), Tile(1, 0)))


def test_layout_tiles_must_stay_inside_the_grid() -> None:
    with pytest.raises(ValidationError, match="tile 1 goes outside"):
        Layout("bad", 2, 2, (Tile(1, 1, 2, 1),))
    with pytest.raises(ValidationError, match="goes outside"):
        Layout("bad", 1, 1, (Tile(-1, 0),))


def test_layout_tiles_need_a_positive_span() -> None:
    with pytest.raises(ValidationError, match="empty span"):
        Layout("bad", 1, 1, (Tile(0, 0, 0, 1),))


@pytest.mark.parametrize(("rows", "columns"), [(0, 1), (1, 0), (13, 1), (1, 13)])
def test_layout_grid_size_is_bounded(rows: int, columns: int) -> None:
    with pytest.raises(ValidationError, match=r"outside 1\.\.12"):
        Layout.grid(rows, columns)


def test_layout_needs_tiles_and_a_name() -> None:
    with pytest.raises(ValidationError, match="no tiles"):
        Layout("empty", 1, 1, ())
    with pytest.raises(ValidationError, match="needs a name"):
        Layout(" ", 1, 1, (Tile(0, 0),))


def test_saved_view_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        SavedView("", "2x2", (1, None, 3, 4))


# --------------------------------------------------------------------------------------------- users


@pytest.mark.parametrize("login", ["", " ", "jean dupont", "jean\tdupont"])
def test_login_is_one_word(login: str) -> None:
    with pytest.raises(ValidationError, match="one word"):
        User(login, "Jean Dupont", Role.OPERATEUR)


def test_user_needs_a_full_name() -> None:
    with pytest.raises(ValidationError, match="full name"):
        User("jdupont", "  ", Role.OPERATEUR)


def test_validity_cannot_end_before_it_starts() -> None:
    User("jdupont", "Jean Dupont", Role.OPERATEUR, valid_from=date(2025, 1, 1), valid_until=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="ends before it starts"):
        User(
            "jdupont",
            "Jean Dupont",
            Role.OPERATEUR,
            valid_from=date(2025, 1, 2),
            valid_until=date(2025, 1, 1),
        )


def test_every_role_has_permissions() -> None:
    for role in Role:
        assert permissions_of(role), role


def test_administrator_sees_no_images_and_dpo_only_reads_the_audit_trail() -> None:
    image_rights = {Permission.LIVE_VIEW, Permission.PLAYBACK, Permission.EXPORT, Permission.PTZ}
    assert not permissions_of(Role.ADMINISTRATEUR) & image_rights
    assert permissions_of(Role.DPO) == frozenset({Permission.AUDIT_READ})


def test_viewing_operators_cannot_extract_or_hand_over() -> None:
    for role in (Role.OPERATEUR, Role.POLICIER_MUNICIPAL):
        rights = User("x", "X Y", role).permissions
        assert Permission.LIVE_VIEW in rights
        assert not rights & {Permission.EXPORT, Permission.HANDOVER, Permission.USER_ADMIN}
