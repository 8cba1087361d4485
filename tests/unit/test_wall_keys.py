"""Wall keys: own key pairs made on first use, the allow-list, export/register, revocation."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
import zmq

from vmwall.wall.keys import (
    AllowList,
    KeyRole,
    KeyStore,
    WallKeyError,
    read_certificate,
    read_key_file,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes")


def test_a_key_pair_is_made_once_and_registered_locally(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    first = store.own(KeyRole.NODE, "mur-1")
    again = store.own(KeyRole.NODE, "mur-1")
    assert first == again
    assert zmq.curve_public(first.secret) == first.public
    assert [(k.role, k.name) for k in store.allowed()] == [(KeyRole.NODE, "mur-1")]
    assert "secret" not in repr(first).replace("secret=<hidden>", "")


@posix_only
def test_secret_files_are_private(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.own(KeyRole.CONSOLE, "console")
    secret = tmp_path / "keys" / "own" / "console-console.key_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    public = (tmp_path / "keys" / "own" / "console-console.key").read_text()
    assert "secret-key" not in public
    os.chmod(secret, 0o644)
    with pytest.raises(WallKeyError, match="readable by other users"):
        store.own(KeyRole.CONSOLE, "console")


def test_processes_starting_together_end_with_one_key_pair(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    found: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: found.append(store.own(KeyRole.NODE, "n").public)) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1 and len(store.allowed(KeyRole.NODE)) == 1


def test_a_node_name_taken_by_another_key_is_an_error_a_console_gets_a_suffix(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    stranger = zmq.curve_keypair()[0].decode()
    store.register(KeyRole.NODE, "mur-1", stranger)
    store.register(KeyRole.CONSOLE, "console", zmq.curve_keypair()[0].decode())
    with pytest.raises(WallKeyError, match="already registered as node 'mur-1'"):
        store.own(KeyRole.NODE, "mur-1")
    store.own(KeyRole.CONSOLE, "console")
    assert sorted(k.name for k in store.allowed(KeyRole.CONSOLE)) == ["console", "console-2"]


def test_a_revoked_key_is_not_registered_again_by_its_process(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    pair = store.own(KeyRole.CONSOLE, "poste-3")
    assert [k.name for k in store.revoke("poste-3")] == ["poste-3"]
    store.own(KeyRole.CONSOLE, "poste-3")
    assert store.allowed() == []
    store.register(KeyRole.CONSOLE, "poste-3", pair.public.decode())  # an explicit registration restores it
    assert [k.name for k in store.allowed()] == ["poste-3"] and not store.is_revoked(pair.public.decode())


def test_export_then_register_on_another_machine(tmp_path: Path) -> None:
    node_pc, controller_pc = KeyStore(tmp_path / "node-pc"), KeyStore(tmp_path / "controller-pc")
    pair = node_pc.own(KeyRole.NODE, "mur-2")
    export = tmp_path / "mur-2.json"
    export.write_text(json.dumps(KeyStore.export_document(node_pc.own_keys())))
    assert "secret" not in export.read_text()
    (entry,) = read_key_file(export)
    controller_pc.register(entry.role or KeyRole.NODE, entry.name or "", entry.public)
    assert controller_pc.find(pair.public.decode()) is not None
    with pytest.raises(WallKeyError, match="already registered with another key"):
        controller_pc.register(KeyRole.NODE, "mur-2", zmq.curve_keypair()[0].decode())


def test_a_bare_certificate_file_gives_a_key_without_role(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    store.own(KeyRole.CONTROLLER, "controller")
    (entry,) = read_key_file(tmp_path / "keys" / "own" / "controller-controller.key")
    assert entry.role is None and entry.public == store.controller_public().decode()


def export(*keys: dict[str, str], version: int = 1) -> str:
    return json.dumps({"format": "vmwall-wall-keys", "version": version, "keys": list(keys)})


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"format": "other"}', "not a vmwall wall key export"),
        (export(version=9), "version 9"),
        (export({"role": "admin", "name": "x", "public_key": "y"}), "unknown role"),
        (export({"role": "node", "name": "a b", "public_key": "y"}), "key name"),
        (export({"role": "node", "name": "a", "public_key": "y"}), "not a CurveZMQ public key"),
        (export({"role": "node", "name": "a"}), "needs exactly role, name and public_key"),
        ("curve\n", "holds no public key"),
    ],
)
def test_bad_key_files_are_refused_with_the_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "k.json"
    path.write_text(content)
    with pytest.raises(WallKeyError, match=reason):
        read_key_file(path)


def test_mismatched_halves_are_refused(tmp_path: Path) -> None:
    public, _ = zmq.curve_keypair()
    _, secret = zmq.curve_keypair()
    path = tmp_path / "bad.key_secret"
    path.write_text(f'curve\n    public-key = "{public.decode()}"\n    secret-key = "{secret.decode()}"\n')
    with pytest.raises(WallKeyError, match="do not match"):
        read_certificate(path)


def test_without_a_controller_key_the_error_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(WallKeyError, match="vmwall wall keys --register FILE"):
        KeyStore(tmp_path / "keys").controller_public()


def test_the_allow_list_sees_registrations_and_revocations_at_once(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")
    allow = AllowList(store)
    controller = store.own(KeyRole.CONTROLLER, "controller")
    assert allow.lookup(controller.public.decode()) is None  # the controller's own key is not a peer
    node = store.own(KeyRole.NODE, "mur-1").public.decode()
    found = allow.lookup(node)
    assert found is not None and found.peer == "node/mur-1"
    assert allow.take_removed() == set()
    store.revoke("mur-1")
    allow._checked_at = 0.0  # past the 0.2 s cache
    assert allow.lookup(node) is None
    assert allow.take_removed() == {node} and allow.take_removed() == set()
