"""The camera CSV file: parse and check every row, report every problem as FILE:LINE: reason.

Pure: no database, no network. Checks that need the catalogue (numbers already taken, communes
already known) are done by `vmwall.catalogue.importer`, in the same report.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from vmwall.errors import UserFacingError
from vmwall.model import Camera, Commune, Forfait, ValidationError
from vmwall.model.device import parse_address
from vmwall.redact import redact_url

COLUMNS: tuple[str, ...] = (
    "number",
    "name",
    "commune",
    "insee_code",
    "forfait",
    "live_hours",
    "onvif",
    "user",
    "main_uri",
    "sub_uri",
    "snapshot_uri",
    "ptz",
    "latitude",
    "longitude",
    "address",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("number", "name", "commune")
SECRET_COLUMNS = frozenset(
    {"password", "passwd", "pwd", "pass", "secret", "mot_de_passe", "mot de passe", "mdp"}
)
NO_SECRETS_REASON = "passwords never go in files; use --password-stdin"
STREAM_SCHEMES = frozenset({"rtsp", "rtsps", "http", "https"})
SNAPSHOT_SCHEMES = frozenset({"http", "https"})
_TRUE = frozenset({"1", "true", "yes", "y", "oui", "o", "vrai"})
_FALSE = frozenset({"0", "false", "no", "n", "non", "faux"})
_MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class CsvProblem:
    source: str
    line: int | None  # None: about the file as a whole
    reason: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{where}: {self.reason}"


class CsvImportError(UserFacingError):
    """The file is rejected as a whole; ``problems`` lists every bad row. Nothing was stored."""

    def __init__(self, source: str, problems: list[CsvProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        shown = [f"  {p}" for p in self.problems[:_MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > _MAX_PROBLEMS_SHOWN:
            shown.append(f"  ... and {len(self.problems) - _MAX_PROBLEMS_SHOWN} more")
        count = len(self.problems)
        super().__init__(
            f"{source}: nothing imported, {count} problem{'s' if count > 1 else ''}:\n" + "\n".join(shown)
        )


@dataclass(frozen=True, slots=True)
class CameraDraft:
    """One valid row, not yet tied to the catalogue (the commune is a name, not an id)."""

    line: int
    number: int
    name: str
    commune: str
    insee_code: str | None = None
    forfait: Forfait | None = None
    live_hours: str | None = None
    onvif_host: str | None = None
    onvif_port: int | None = None
    username: str | None = None
    main_uri: str | None = None
    sub_uri: str | None = None
    snapshot_uri: str | None = None
    ptz: bool | None = None  # None: not said (False, or what the device says with --probe)
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None


def read_camera_csv(path: Path) -> list[CameraDraft]:
    """Read and check ``path``; `CsvImportError` lists every problem found."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserFacingError(f"cannot read {source}: {exc.strerror or exc}") from None
    return parse_camera_csv(data, source)


def parse_camera_csv(data: bytes, source: str) -> list[CameraDraft]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = CsvProblem(source, line, "not UTF-8 text (save the file as 'CSV UTF-8')")
        raise CsvImportError(source, [problem]) from None
    rows = _records(text, source)
    header = next(rows, None)
    if header is None:
        raise CsvImportError(source, [CsvProblem(source, None, "empty file: a header row is required")])
    header_line, header_fields = header
    columns, problems = _check_header(header_fields, source, header_line)
    if problems:
        raise CsvImportError(source, problems)
    drafts: list[CameraDraft] = []
    first_line_of_number: dict[int, int] = {}
    for line, fields in rows:
        if not any(f.strip() for f in fields):
            continue  # blank line
        if len(fields) != len(columns):
            reason = f"{len(fields)} fields where the header has {len(columns)}"
            problems.append(CsvProblem(source, line, reason))
            continue
        values = {c: f.strip() for c, f in zip(columns, fields, strict=True)}
        try:
            draft = _draft(line, values)
        except _RowError as exc:
            problems.append(CsvProblem(source, line, str(exc)))
            continue
        earlier = first_line_of_number.setdefault(draft.number, line)
        if earlier != line:
            problems.append(
                CsvProblem(source, line, f"number {draft.number} is already used at line {earlier}")
            )
            continue
        drafts.append(draft)
    if problems:
        raise CsvImportError(source, problems)
    if not drafts:
        raise CsvImportError(source, [CsvProblem(source, None, "no camera rows after the header")])
    return drafts


class _RowError(Exception):
    pass


def _records(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """(first physical line, fields) per record; quoted fields may span lines.

    The delimiter is the one of comma, semicolon (French spreadsheets) or tab that the header uses most.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problem = CsvProblem(source, line, f"not valid CSV ({exc})")
            raise CsvImportError(source, [problem]) from None
        yield line, fields
        line = reader.line_num + 1


def _check_header(fields: list[str], source: str, line: int) -> tuple[list[str], list[CsvProblem]]:
    columns = [f.strip().lower() for f in fields]
    problems: list[CsvProblem] = []
    for column in columns:
        if column in SECRET_COLUMNS:
            problems.append(CsvProblem(source, line, f"column {column!r}: {NO_SECRETS_REASON}"))
        elif column not in COLUMNS:
            known = ", ".join(COLUMNS)
            problems.append(CsvProblem(source, line, f"unknown column {column!r} (known columns: {known})"))
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            problems.append(CsvProblem(source, line, f"column {column!r} appears twice"))
        seen.add(column)
    for column in REQUIRED_COLUMNS:
        if column not in seen:
            problems.append(CsvProblem(source, line, f"missing column {column!r}"))
    return columns, problems


def _draft(line: int, values: dict[str, str]) -> CameraDraft:
    def get(column: str) -> str | None:
        return values.get(column) or None

    number_text = get("number")
    if number_text is None or not number_text.isdigit():
        raise _RowError(f"number {number_text or '(empty)'!r} is not a whole number")
    name = get("name")
    commune = get("commune")
    if name is None:
        raise _RowError("name is empty")
    if commune is None:
        raise _RowError("commune is empty")
    host, port = _onvif(get("onvif"))
    draft = CameraDraft(
        line=line,
        number=int(number_text),
        name=name,
        commune=commune,
        insee_code=get("insee_code"),
        forfait=_forfait(get("forfait")),
        live_hours=get("live_hours"),
        onvif_host=host,
        onvif_port=port,
        username=get("user"),
        main_uri=_uri("main_uri", get("main_uri"), STREAM_SCHEMES),
        sub_uri=_uri("sub_uri", get("sub_uri"), STREAM_SCHEMES),
        snapshot_uri=_uri("snapshot_uri", get("snapshot_uri"), SNAPSHOT_SCHEMES),
        ptz=_bool("ptz", get("ptz")),
        latitude=_coordinate("latitude", get("latitude")),
        longitude=_coordinate("longitude", get("longitude")),
        address=get("address"),
    )
    _check_with_model(draft)
    return draft


def _check_with_model(draft: CameraDraft) -> None:
    """The domain rules (number range, coordinates, INSEE code, forfait hours) say their piece."""
    try:
        Camera(
            number=draft.number,
            name=draft.name,
            commune_id=0,
            onvif_host=draft.onvif_host,
            onvif_port=draft.onvif_port,
            latitude=draft.latitude,
            longitude=draft.longitude,
        )
        if draft.insee_code is not None or draft.forfait is not None or draft.live_hours is not None:
            Commune(
                name=draft.commune,
                insee_code=draft.insee_code or "00000",
                forfait=draft.forfait or Forfait.LIVE_24_7,
                live_hours=draft.live_hours,
            )
    except ValidationError as exc:
        raise _RowError(str(exc)) from None


def _onvif(text: str | None) -> tuple[str | None, int | None]:
    if text is None:
        return None, None
    try:
        return parse_address(text)
    except ValueError as exc:
        raise _RowError(f"onvif: {exc} (expected HOST:PORT)") from None


def _forfait(text: str | None) -> Forfait | None:
    if text is None:
        return None
    try:
        return Forfait(text.lower())
    except ValueError:
        known = ", ".join(f.value for f in Forfait)
        raise _RowError(f"forfait {text!r} is not one of {known}") from None


def _uri(column: str, text: str | None, schemes: frozenset[str]) -> str | None:
    if text is None:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise _RowError(f"{column}: {redact_url(text)!r} is not a URL") from None
    if parts.password is not None or redact_url(text) != text:
        raise _RowError(f"{column} carries a password: {NO_SECRETS_REASON}")
    if parts.scheme.lower() not in schemes or not parts.hostname:
        wanted = "/".join(sorted(schemes))
        raise _RowError(f"{column}: {text!r} is not a {wanted} URL with a host")
    return text


def _bool(column: str, text: str | None) -> bool | None:
    if text is None:
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise _RowError(f"{column}: {text!r} is not yes/no (or true/false, 1/0, oui/non)")


def _coordinate(column: str, text: str | None) -> float | None:
    if text is None:
        return None
    normalised = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        return float(normalised)
    except ValueError:
        raise _RowError(f"{column}: {text!r} is not a number in decimal degrees") from None
