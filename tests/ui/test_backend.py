"""The console's real back end (vmwall.app.ConsoleBackend) on a real database: catalogue, views, scope."""

from __future__ import annotations

from datetime import datetime

import pytest

from vmwall.app import ConsoleBackend, parse_camera_list
from vmwall.errors import UserFacingError
from vmwall.hub.client import HubClient
from vmwall.model import Camera, Commune, Forfait, Role, SavedView, StreamKind, User
from vmwall.store import CameraRepository, CommuneRepository, Database, UserRepository
from vmwall.ui.directory import Refusal, within_hours


@pytest.fixture
def catalogue(database: Database) -> Database:
    communes = CommuneRepository(database)
    lille = communes.add(Commune("Lille", "59350"))
    hem = communes.add(Commune("Hem", "59299", Forfait.STORAGE_ONLY))
    croix = communes.add(Commune("Croix", "59163", Forfait.LIVE_HOURS, live_hours="08:00-20:00"))
    assert lille.id and hem.id and croix.id
    cameras = CameraRepository(database)
    cameras.add(Camera(1, "Place de la Mairie", lille.id))
    cameras.add(Camera(2, "Gare", lille.id))
    cameras.add(Camera(30, "Parking", hem.id))
    cameras.add(Camera(40, "Parc", croix.id))
    users = UserRepository(database)
    users.add(User("mdupont", "Marie Dupont", Role.OPERATEUR))
    users.add(User("pm.lille", "Paul Martin", Role.POLICIER_MUNICIPAL, communes=frozenset({lille.id})))
    users.add(User("admin", "Alice Admin", Role.ADMINISTRATEUR))
    return database


def backend(database: Database, user: str | None = None) -> ConsoleBackend:
    return ConsoleBackend(database.url, HubClient(base_url="http://127.0.0.1:9"), user, None, start_hub=False)


def test_directory_and_the_commune_rule(catalogue: Database) -> None:
    services = backend(catalogue)
    try:
        directory = services.load_directory()
        assert sorted(directory.cameras) == [1, 2, 30, 40]
        assert [c.name for c in directory.visible_communes()] == ["Croix", "Hem", "Lille"]
        noon, night = datetime(2026, 1, 5, 12, 0), datetime(2026, 1, 5, 22, 30)
        assert directory.refusal(1, night) is None
        assert directory.refusal(30, noon) is Refusal.STORAGE_ONLY
        assert directory.refusal(40, noon) is None and directory.refusal(40, night) is Refusal.OUTSIDE_HOURS
        assert directory.refusal(99, noon) is Refusal.UNKNOWN_CAMERA
        assert directory.step(2, 1) == 30 and directory.step(1, -1) == 40
        # The keypad's +/- skip what may not be shown now.
        assert directory.step(2, 1, noon) == 40 and directory.step(2, 1, night) == 1
    finally:
        services.close()


def test_account_scope(catalogue: Database) -> None:
    police = backend(catalogue, "pm.lille")
    admin = backend(catalogue, "admin")
    try:
        directory = police.load_directory()
        assert [c.name for c in directory.visible_communes()] == ["Lille"]
        assert directory.numbers() == [1, 2]
        assert directory.refusal(40, datetime(2026, 1, 5, 12, 0)) is Refusal.OTHER_COMMUNE
        # The technical administrator sees no images (DOMAIN.md).
        assert admin.load_directory().refusal(1, datetime.now()) is Refusal.NO_LIVE_RIGHT
        with pytest.raises(UserFacingError, match="'nobody' does not exist"):
            backend(catalogue, "nobody").load_directory()
    finally:
        police.close()
        admin.close()


def test_views_per_user_and_shared(catalogue: Database) -> None:
    marie = backend(catalogue, "mdupont")
    paul = backend(catalogue, "pm.lille")
    try:
        marie.load_directory()
        paul.load_directory()
        own = marie.save_view(SavedView("Nuit", "2x2", (1, 2, None, None), owner_id=marie.user_id()))
        shared = marie.save_view(SavedView("Marché", "1+5", (1, None, 2), owner_id=None))
        assert [v.name for v in marie.list_views()] == ["Marché", "Nuit"]
        assert [v.name for v in paul.list_views()] == ["Marché"]
        # Saving under the same name and owner replaces.
        again = marie.save_view(SavedView("Nuit", "3x3", (2,), owner_id=marie.user_id()))
        assert again.id == own.id and [v.layout_name for v in marie.list_views()] == ["1+5", "3x3"]
        paul.delete_view(shared)
        assert [v.name for v in marie.list_views()] == ["Nuit"]
    finally:
        marie.close()
        paul.close()


def test_stream_urls_and_an_unreachable_hub(catalogue: Database) -> None:
    services = backend(catalogue)
    try:
        assert services.stream_url(12, StreamKind.SUB) == "http://127.0.0.1:9/camera/12/sub.ts"
        report = services.check_hub([1])
        assert not report.reachable and "127.0.0.1:9" in report.detail
    finally:
        services.close()


def test_camera_lists_and_hours() -> None:
    assert parse_camera_list("1,2,,4") == (1, 2, None, 4)
    assert parse_camera_list("7") == (7,)
    with pytest.raises(UserFacingError):
        parse_camera_list("1,0")
    assert within_hours("20:00-06:00", datetime(2026, 1, 1, 23, 0).time())
    assert not within_hours("20:00-06:00", datetime(2026, 1, 1, 12, 0).time())
    assert not within_hours("08:00-20:00", datetime(2026, 1, 1, 20, 0).time())
