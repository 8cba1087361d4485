"""Shared test fixtures: each fixture module is owned by one area of the code."""

from collections.abc import Iterator

import pytest

pytest_plugins = [
    "tests.fixtures.keyring",
    "tests.fixtures.db",
    "tests.fixtures.accounts",
    "tests.fixtures.sim",
    "tests.fixtures.onvif_sim",
    "tests.fixtures.ptz",
    "tests.fixtures.hub",
    "tests.fixtures.ts_relay",
    "tests.fixtures.display",
    "tests.fixtures.wall",
]


def pytest_configure(config: object) -> None:
    """Nothing a test runs may write into the real user's data directory (journal queue, drafts,
    embedded database): point it at a private folder unless the caller chose one."""
    import os
    import tempfile

    if not os.environ.get("VMWALL_DATA_DIR"):
        os.environ["VMWALL_DATA_DIR"] = tempfile.mkdtemp(prefix="vmwall-test-data-")


@pytest.fixture(autouse=True)
def _no_logging_left_behind() -> Iterator[None]:
    """A command run in-process installs vmwall's log handlers (stderr, file); remove them after the
    test, or later tests would see log lines on their captured stderr."""
    yield
    from vmwall.logs import teardown_logging

    teardown_logging()
