"""Direct RTSP playback where libVLC has RTSP (VLC for Windows): a setting; the hub stays the default."""

from __future__ import annotations

from typing import Any

import pytest

from vmwall import credentials
from vmwall.app import direct_stream_urls, libvlc_has_rtsp
from vmwall.config.settings import Settings, parse_settings, settings_to_json
from vmwall.model import Camera, StreamKind


def test_the_hub_is_the_default_and_direct_rtsp_round_trips() -> None:
    assert Settings().stream_source == "hub"
    assert "stream_source" not in settings_to_json(Settings())
    data = {"version": settings_to_json(Settings())["version"], "stream_source": "direct-rtsp"}
    settings = parse_settings("console.json", data)
    assert settings.stream_source == "direct-rtsp"
    assert settings_to_json(settings)["stream_source"] == "direct-rtsp"


def test_an_unknown_stream_source_is_refused_with_the_file_and_key() -> None:
    data = {"version": settings_to_json(Settings())["version"], "stream_source": "udp"}
    with pytest.raises(Exception) as caught:
        parse_settings("/etc/vmwall/console.json", data)
    assert "console.json" in str(caught.value) and "stream_source" in str(caught.value)


def test_direct_urls_carry_credentials_from_the_keyring_only_in_memory(memory_keyring: Any) -> None:
    credentials.store_password("camera:ref-1", "p@ss word")
    cameras = [
        Camera(
            1,
            "A",
            1,
            username="admin",
            credential_ref="camera:ref-1",
            main_uri="rtsp://192.0.2.1:554/main",
            sub_uri="rtsp://192.0.2.1:554/sub",
        ),
        Camera(2, "B", 1, main_uri="http://192.0.2.2/stream.ts"),  # not RTSP: stays on the hub
        Camera(3, "C", 1, username="admin", credential_ref="camera:missing", main_uri="rtsp://192.0.2.3/m"),
    ]
    urls = direct_stream_urls(cameras)
    assert urls[(1, StreamKind.MAIN)] == "rtsp://admin:p%40ss%20word@192.0.2.1:554/main"
    assert urls[(1, StreamKind.SUB)] == "rtsp://admin:p%40ss%20word@192.0.2.1:554/sub"
    assert (2, StreamKind.MAIN) not in urls
    assert (3, StreamKind.MAIN) not in urls  # no password in the keyring: played through the hub


def test_rtsp_support_detection_agrees_with_a_real_rtsp_client_probe() -> None:
    """Debian's libVLC sends no DESCRIBE to an RTSP server; the plugin scan must say so too."""
    from vmwall.doctor import run_probe

    facts = run_probe("vlc-rtsp", timeout=30)
    methods = [str(request.get("method")) for request in facts.get("requests") or []]
    assert libvlc_has_rtsp() is ("DESCRIBE" in methods)
