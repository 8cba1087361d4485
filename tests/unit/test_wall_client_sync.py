"""``WallClient.synced`` only says yes once readers of ``snapshot()`` see the adopted snapshot.

The link adopts a controller snapshot inside ``pump()``; the client publishes it to readers a
moment later. A caller that waited for ``synced`` and then read ``snapshot()`` used to find the
empty mirror of before (seen once in CI after a controller restart).
"""

from __future__ import annotations

from pathlib import Path

from vmwall.model.wall import ScreenContent, ScreenRef
from vmwall.wall.client import WallClient
from vmwall.wall.config import WallConfig
from vmwall.wall.state import screen_change

SCREEN = ScreenRef("mur-1", 0)


def test_synced_waits_for_the_published_snapshot(tmp_path: Path) -> None:
    client = WallClient(WallConfig(key_dir=tmp_path), user="op")  # never started: no sockets
    link = client._link
    link.session = "s1"
    link.mirror.on_snapshot("epoch-2", 7, [screen_change(SCREEN, ScreenContent("1x1", (5,)))])
    assert link.ready
    assert not client.synced  # adopted by the link, not yet visible through snapshot()
    assert client.snapshot().content(SCREEN) is None

    client._publish_snapshot()
    assert client.synced
    assert client.snapshot().content(SCREEN) == ScreenContent("1x1", (5,))


def test_a_new_epoch_is_not_synced_until_published(tmp_path: Path) -> None:
    client = WallClient(WallConfig(key_dir=tmp_path), user="op")
    link = client._link
    link.session = "s1"
    link.mirror.on_snapshot("epoch-1", 3, [])
    client._publish_snapshot()
    assert client.synced
    link.mirror.on_snapshot("epoch-2", 4, [screen_change(SCREEN, ScreenContent("1x1", (6,)))])
    assert not client.synced  # readers still hold the old controller's mirror
    client._publish_snapshot()
    assert client.synced and client.snapshot().epoch == "epoch-2"
