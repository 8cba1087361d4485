"""Shared test fixtures: each fixture module is owned by one area of the code."""

pytest_plugins = [
    "tests.fixtures.keyring",
    "tests.fixtures.db",
    "tests.fixtures.sim",
    "tests.fixtures.onvif_sim",
    "tests.fixtures.hub",
    "tests.fixtures.ts_relay",
    "tests.fixtures.display",
]
