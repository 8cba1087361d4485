import pytest

from vmwall.redact import redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("rtsp://admin:s3cret@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1"),
        ("rtsp://admin@10.0.0.5/s", "rtsp://***@10.0.0.5/s"),
        ("http://cam/snap.jpg?user=a&password=hunter2", "http://cam/snap.jpg?user=a&password=***"),
        ("http://cam/snap.jpg?PWD=x", "http://cam/snap.jpg?PWD=***"),
        ("postgresql+psycopg://vmwall:pw@db:5432/vmwall", "postgresql+psycopg://***@db:5432/vmwall"),
        ("sqlite:////var/lib/vmwall/vmwall.sqlite3", "sqlite:////var/lib/vmwall/vmwall.sqlite3"),
        ("rtsp://10.0.0.5/main", "rtsp://10.0.0.5/main"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_redact_text_finds_every_url_and_literal_secret() -> None:
    text = "open rtsp://u:p4ss@h/x failed; retry http://h/y?token=abc; typed hunter2"
    out = redact_text(text, ("hunter2",))
    assert "p4ss" not in out and "abc" not in out and "hunter2" not in out
    assert "rtsp://***@h/x" in out


def test_empty_secret_is_ignored() -> None:
    assert redact_text("nothing here", ("",)) == "nothing here"
