"""Import cameras from a CSV file: all rows or none.

Every row is checked first (format, then against the catalogue, then, with ``probe``, against
the device itself); any problem rejects the whole file with FILE:LINE: reason for each bad row.
Only then are the new communes created, the passwords written to the keyring and all cameras
stored in one transaction. If that transaction fails, the keyring entries written for it are
removed again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from vmwall import credentials
from vmwall.catalogue.csv_format import CameraDraft, CsvImportError, CsvProblem, read_camera_csv
from vmwall.catalogue.service import Catalogue
from vmwall.errors import UserFacingError
from vmwall.model import Camera, Commune, Forfait, ValidationError
from vmwall.model.device import DeviceProbe, ProbeTarget

log = logging.getLogger(__name__)

# Probes many devices at once; one result or error per target, in order.
BatchProber = Callable[[Sequence[ProbeTarget], float], Sequence[DeviceProbe | UserFacingError]]


def onvif_batch_prober(
    targets: Sequence[ProbeTarget], timeout_s: float
) -> Sequence[DeviceProbe | UserFacingError]:
    from vmwall.onvif.client import probe_devices_sync

    return probe_devices_sync(targets, timeout_s=timeout_s)


@dataclass(frozen=True, slots=True)
class ImportReport:
    cameras: tuple[Camera, ...]
    communes_created: tuple[str, ...]
    passwords_stored: int


def import_csv(
    catalogue: Catalogue,
    path: Path,
    *,
    password: str | None = None,
    probe: bool = False,
    timeout_s: float = 5.0,
    batch_prober: BatchProber = onvif_batch_prober,
) -> ImportReport:
    """Import ``path``; ``password`` is the one password of every row that names a ``user``."""
    source = str(path)
    drafts = read_camera_csv(path)
    communes, problems = _plan_communes(catalogue, drafts, source)
    problems += _check_numbers(catalogue, drafts, source)
    problems += _check_accounts(drafts, password, source)
    problems += _check_streams(drafts, probe, source)
    _reject_if_any(source, problems)
    if password is not None and any(d.username for d in drafts):
        credentials.check_keyring()
    probes: dict[int, DeviceProbe] = {}
    if probe:
        probes, problems = _probe_all(drafts, password, timeout_s, batch_prober, source)
        _reject_if_any(source, problems)
    return _write(catalogue, drafts, communes, probes, password)


def _reject_if_any(source: str, problems: list[CsvProblem]) -> None:
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise CsvImportError(source, problems)


def _plan_communes(
    catalogue: Catalogue, drafts: list[CameraDraft], source: str
) -> tuple[dict[str, Commune], list[CsvProblem]]:
    """Each commune named in the file: the stored one, or a new one (id None) built from its rows."""
    stored = {c.name: c for c in catalogue.communes.list()}
    stored_by_insee = {c.insee_code: c for c in stored.values()}
    plan: dict[str, Commune] = {}
    problems: list[CsvProblem] = []
    by_name: dict[str, list[CameraDraft]] = {}
    for draft in drafts:
        by_name.setdefault(draft.commune, []).append(draft)
    for name, rows in by_name.items():
        existing = stored.get(name)
        if existing is not None:
            plan[name] = existing
            problems += [
                CsvProblem(source, r.line, reason) for r in rows for reason in _differences(existing, r)
            ]
            continue
        first = rows[0]
        insee = _agreed(rows, "insee_code", source, problems)
        forfait = _agreed(rows, "forfait", source, problems)
        live_hours = _agreed(rows, "live_hours", source, problems)
        if insee is None:
            reason = f"commune {name!r} does not exist yet: give its insee_code (on at least one of its rows)"
            problems.append(CsvProblem(source, first.line, reason))
            continue
        if insee in stored_by_insee:
            owner = stored_by_insee[insee].name
            problems.append(
                CsvProblem(source, first.line, f"INSEE code {insee} belongs to commune {owner!r}")
            )
            continue
        try:
            plan[name] = Commune(
                name=name,
                insee_code=str(insee),
                forfait=forfait if isinstance(forfait, Forfait) else Forfait.LIVE_24_7,
                live_hours=str(live_hours) if live_hours else None,
            )
        except ValidationError as exc:
            problems.append(CsvProblem(source, first.line, str(exc)))
    return plan, problems


def _differences(existing: Commune, row: CameraDraft) -> list[str]:
    reasons = []
    if row.insee_code is not None and row.insee_code != existing.insee_code:
        reasons.append(
            f"commune {existing.name!r} has INSEE code {existing.insee_code}, not {row.insee_code}"
        )
    if row.forfait is not None and row.forfait is not existing.forfait:
        reasons.append(
            f"commune {existing.name!r} has forfait {existing.forfait.value}, not {row.forfait.value}"
            " (an import does not change a commune)"
        )
    if row.live_hours is not None and row.live_hours != existing.live_hours:
        reasons.append(
            f"commune {existing.name!r} has live_hours {existing.live_hours}, not {row.live_hours}"
        )
    return reasons


def _agreed(rows: list[CameraDraft], column: str, source: str, problems: list[CsvProblem]) -> object:
    """The one value the rows of a new commune give for ``column`` (None if none gives one)."""
    value: object = None
    line_of_value = 0
    for row in rows:
        current = getattr(row, column)
        if current is None:
            continue
        if value is None:
            value, line_of_value = current, row.line
        elif current != value:
            shown = getattr(current, "value", current)
            first = getattr(value, "value", value)
            reason = f"commune {row.commune!r}: {column} {shown} here, {first} at line {line_of_value}"
            problems.append(CsvProblem(source, row.line, reason))
    return value


def _check_numbers(catalogue: Catalogue, drafts: list[CameraDraft], source: str) -> list[CsvProblem]:
    taken = {c.number: c.name for c in catalogue.cameras.list()}
    return [
        CsvProblem(source, d.line, f"camera number {d.number} already exists ({taken[d.number]!r})")
        for d in drafts
        if d.number in taken
    ]


def _check_accounts(drafts: list[CameraDraft], password: str | None, source: str) -> list[CsvProblem]:
    with_user = [d for d in drafts if d.username]
    if password is None and with_user:
        count = len(with_user)
        reason = (
            f"{count} row{'s' if count > 1 else ''} name a user (first at line {with_user[0].line})"
            " but no password was given: pass --password-stdin"
        )
        return [CsvProblem(source, None, reason)]
    return []


def _check_streams(drafts: list[CameraDraft], probe: bool, source: str) -> list[CsvProblem]:
    problems = []
    for draft in drafts:
        if draft.main_uri is None and not (probe and draft.onvif_host):
            reason = "no main_uri: give one, or an onvif address and --probe to ask the camera"
            problems.append(CsvProblem(source, draft.line, reason))
    return problems


def _probe_all(
    drafts: list[CameraDraft],
    password: str | None,
    timeout_s: float,
    batch_prober: BatchProber,
    source: str,
) -> tuple[dict[int, DeviceProbe], list[CsvProblem]]:
    to_probe = [d for d in drafts if d.onvif_host is not None and d.onvif_port is not None]
    targets = [
        ProbeTarget(d.onvif_host or "", d.onvif_port or 0, d.username or "", password or "") for d in to_probe
    ]
    results = batch_prober(targets, timeout_s) if targets else []
    probes: dict[int, DeviceProbe] = {}
    problems: list[CsvProblem] = []
    for draft, result in zip(to_probe, results, strict=True):
        if isinstance(result, DeviceProbe):
            if (result.main is None or not result.main.stream_uri) and draft.main_uri is None:
                problems.append(CsvProblem(source, draft.line, "the camera offers no video stream"))
                continue
            probes[draft.line] = result
        else:
            problems.append(CsvProblem(source, draft.line, str(result)))
    return probes, problems


def _write(
    catalogue: Catalogue,
    drafts: list[CameraDraft],
    plan: dict[str, Commune],
    probes: dict[int, DeviceProbe],
    password: str | None,
) -> ImportReport:
    created: list[str] = []
    commune_ids: dict[str, int] = {}
    for name, commune in plan.items():
        if commune.id is None:
            commune = catalogue.communes.get_or_create(commune)
            created.append(name)
        assert commune.id is not None
        commune_ids[name] = commune.id
    refs: list[str] = []
    try:
        cameras = []
        for draft in drafts:
            ref = None
            if draft.username and password is not None:
                ref = credentials.new_credential_ref(*_device_address(draft), draft.username)
                credentials.store_password(ref, password)
                refs.append(ref)
            cameras.append(_camera(draft, commune_ids[draft.commune], ref, probes.get(draft.line)))
        stored = catalogue.cameras.add_many(cameras)
    except BaseException:
        for ref in refs:
            with contextlib.suppress(UserFacingError):
                credentials.delete_password(ref)
        if created:
            log.warning("import failed after creating communes %s; they stay, without cameras", created)
        raise
    log.info("imported %d cameras (%d passwords in the keyring)", len(stored), len(refs))
    return ImportReport(tuple(stored), tuple(created), len(refs))


def _device_address(draft: CameraDraft) -> tuple[str, int]:
    """Where the account is used: the ONVIF address, else the main stream's host (for the ref only)."""
    if draft.onvif_host is not None and draft.onvif_port is not None:
        return draft.onvif_host, draft.onvif_port
    parts = urlsplit(draft.main_uri or "")
    return parts.hostname or "camera", parts.port or 554


def _camera(draft: CameraDraft, commune_id: int, ref: str | None, probe: DeviceProbe | None) -> Camera:
    camera = Camera(
        number=draft.number,
        name=draft.name,
        commune_id=commune_id,
        onvif_host=draft.onvif_host,
        onvif_port=draft.onvif_port,
        username=draft.username,
        credential_ref=ref,
        main_uri=draft.main_uri,
        sub_uri=draft.sub_uri,
        snapshot_uri=draft.snapshot_uri,
        ptz=bool(draft.ptz),
        latitude=draft.latitude,
        longitude=draft.longitude,
        address=draft.address,
    )
    if probe is None:
        return camera
    main, sub, info = probe.main, probe.sub, probe.info
    return replace(
        camera,
        main_uri=draft.main_uri or (main.stream_uri if main else None),
        sub_uri=draft.sub_uri or (sub.stream_uri if sub else None),
        snapshot_uri=draft.snapshot_uri or probe.snapshot_uri,
        main_profile=main.token if main else None,
        sub_profile=sub.token if sub else None,
        ptz=draft.ptz if draft.ptz is not None else probe.ptz,
        manufacturer=info.manufacturer,
        model=info.model,
        firmware=info.firmware_version,
        serial=info.serial_number,
    )
