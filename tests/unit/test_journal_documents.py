"""Drafts, the shift report, exports, monthly statistics and the CLI's time parsing."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vmwall.journal.drafts import DraftError, DraftStore
from vmwall.journal.export import ExportFormat, write_export
from vmwall.journal.report import ReportContext, shift_report_html
from vmwall.journal.stats import month_bounds, monthly_stats
from vmwall.journal.timeparse import parse_month, parse_time
from vmwall.model.audit import Anchor
from vmwall.model.errors import ValidationError
from vmwall.model.journal import EntryStatus, FollowUp, FollowUpKind, new_bookmark, new_entry

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2025, 3, 1, 21, 15, tzinfo=UTC)  # 22:15 in Paris
CONTEXT = ReportContext({3: "Roubaix"}, {"rixe": "Rixe", "vol": "Vol"}, PARIS, "CSU de test")


# --- drafts --------------------------------------------------------------------------------------


def test_a_draft_is_saved_offered_back_and_discarded(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path, "alice")
    assert drafts.pending_draft() is None
    drafts.save_draft({"category": "rixe", "text": "Deux individus…", "cameras": [12]})
    drafts.save_draft({"category": "rixe", "text": "Deux individus se battent", "cameras": [12]})
    draft = drafts.pending_draft()
    assert draft is not None and draft.fields["text"] == "Deux individus se battent"
    assert datetime.now(UTC) - draft.saved_at < timedelta(seconds=10)
    assert DraftStore(tmp_path, "bob").pending_draft() is None  # drafts are per operator
    drafts.discard_draft()
    drafts.discard_draft()
    assert drafts.pending_draft() is None
    assert not list((tmp_path / "drafts").glob(".*"))  # no temporary file left behind


def test_slots_keep_separate_drafts(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path, "alice")
    drafts.save_draft({"text": "new"})
    drafts.save_draft({"text": "edit"}, slot="edit-1234")
    assert drafts.pending_draft().fields == {"text": "new"}  # type: ignore[union-attr]
    assert drafts.pending_draft(slot="edit-1234").fields == {"text": "edit"}  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="slot"):
        drafts.save_draft({}, slot="../escape")


def test_a_damaged_draft_is_set_aside_not_fatal(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path, "alice")
    drafts.save_draft({"text": "x"})
    path = next((tmp_path / "drafts").glob("alice.entry.json"))
    path.write_text("{truncated", encoding="utf-8")
    assert drafts.pending_draft() is None
    assert path.with_name(path.name + ".damaged").exists()


def test_odd_logins_make_safe_file_names_and_unsavable_drafts_say_why(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path, "../../étienne")
    drafts.save_draft({"text": "x"})
    (saved,) = (tmp_path / "drafts").iterdir()
    assert saved.parent == tmp_path / "drafts" and "/" not in saved.name and ".." not in saved.name
    with pytest.raises(DraftError, match="cannot be saved"):
        drafts.save_draft({"when": datetime.now(UTC)})
    with pytest.raises(DraftError, match="bytes"):
        drafts.save_draft({"text": "x" * 300_000})


# --- the shift report and exports ----------------------------------------------------------------


def entries() -> list[object]:
    first = new_entry(
        "alice",
        "rixe",
        "Rixe <script>alert(1)</script> devant le bar",
        commune_id=3,
        place="12 rue de Lannoy",
        cameras=[12, 13],
        follow_ups=(FollowUp(FollowUpKind.POLICE_REQUESTED, T0 + timedelta(minutes=2), "appel 17"),),
        at=T0,
    )
    second = new_entry(
        "bob", "vol", '=HYPERLINK("http://x")', status=EntryStatus.CLOSED, at=T0 + timedelta(hours=1)
    )
    return [first, second]


def test_the_shift_report_holds_the_entries_follow_ups_and_bookmarks_escaped() -> None:
    first, second = entries()
    mark = new_bookmark([12], "alice", "Rixe bar", at=T0 + timedelta(minutes=1), tags=["rixe"])
    html = shift_report_html(
        start=T0 - timedelta(hours=2),
        end=T0 + timedelta(hours=6),
        entries=[second, first],  # type: ignore[list-item]
        bookmarks=[mark],
        context=CONTEXT,
        printed_by="chef",
        printed_at=T0 + timedelta(hours=6),
        operators=["alice", "bob"],
        audit_head=Anchor(77, "ab" * 32),
        queued=2,
    )
    assert html.startswith("<!DOCTYPE html>") and 'lang="fr"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "22:15" in html and "Roubaix" in html and "Rixe" in html and "12, 13" in html
    assert "Police demandée 22:17 — appel 17" in html
    assert html.index("devant le bar") < html.index("HYPERLINK")  # oldest first
    assert "Rixe bar" in html and "en cours" in html  # the bookmark, still running
    assert "2 entrées, dont 1 en cours" in html and "police demandée 1 fois" in html
    assert f"77:{'ab' * 32}" in html and "2 écriture(s) en attente" in html


def test_csv_export_neutralises_formulas_and_json_keeps_every_field() -> None:
    out = io.StringIO()
    assert write_export(ExportFormat.CSV, entries(), out, CONTEXT) == 2  # type: ignore[arg-type]
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:4] == ["uid", "heure", "commune", "categorie"]
    assert rows[1][2:6] == ["Roubaix", "Rixe", "12 rue de Lannoy", "12 13"]
    assert rows[1][1] == "2025-03-01T22:15:00+01:00"
    assert rows[2][6] == '\'=HYPERLINK("http://x")'
    out = io.StringIO()
    write_export(ExportFormat.JSON, entries(), out, CONTEXT)  # type: ignore[arg-type]
    data = json.loads(out.getvalue())
    assert [d["commune"] for d in data] == ["Roubaix", None] and data[0]["follow_ups"][0][
        "note"
    ] == "appel 17"
    out = io.StringIO()
    assert write_export(ExportFormat.JSON, [], out, CONTEXT) == 0 and json.loads(out.getvalue()) == []
    out = io.StringIO()
    write_export(ExportFormat.HTML, entries(), out, CONTEXT, title="Export")  # type: ignore[arg-type]
    assert "<h1>Export</h1>" in out.getvalue()


# --- statistics ----------------------------------------------------------------------------------


class Counts:
    def __init__(self, times: list[datetime], categories: dict[str, int]) -> None:
        self.times, self.categories = times, categories
        self.asked: list[tuple[datetime, datetime, int | None]] = []

    def hour_and_category_counts(
        self, start: datetime, end: datetime, commune_id: int | None
    ) -> tuple[dict[str, int], list[datetime]]:
        self.asked.append((start, end, commune_id))
        return self.categories, self.times


def test_months_are_local_months_daylight_saving_included() -> None:
    start, end = month_bounds(2025, 3, PARIS)
    assert start == datetime(2025, 2, 28, 23, tzinfo=UTC)  # UTC+1 in winter
    assert end == datetime(2025, 3, 31, 22, tzinfo=UTC)  # UTC+2 once summer time began
    assert month_bounds(2024, 12, PARIS)[1] == datetime(2024, 12, 31, 23, tzinfo=UTC)
    with pytest.raises(ValidationError, match="not a month"):
        month_bounds(2025, 13)


def test_monthly_statistics_count_by_category_and_local_hour() -> None:
    times = [
        datetime(2025, 3, 1, 21, 30, tzinfo=UTC),
        datetime(2025, 3, 30, 21, 30, tzinfo=UTC),
    ]  # 22h30, 23h30
    source = Counts(times, {"vol": 1, "rixe": 1, "incendie": 3})
    stats = monthly_stats(source, commune_id=3, year=2025, month=3, tz=PARIS)
    assert stats.total == 5 and stats.by_category == (("incendie", 3), ("rixe", 1), ("vol", 1))
    assert stats.by_hour[22] == 1 and stats.by_hour[23] == 1 and sum(stats.by_hour) == 2
    assert source.asked == [(*month_bounds(2025, 3, PARIS), 3)]


# --- times on the command line -------------------------------------------------------------------


def test_times_typed_on_the_command_line() -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert parse_time("now", now=now) == now
    assert parse_time("-30m", now=now) == now - timedelta(minutes=30)
    assert parse_time("-2d", now=now) == parse_time("now-2d", now=now) == now - timedelta(days=2)
    assert parse_time("2025-03-01T22:15", tz=PARIS) == T0
    assert parse_time("2025-03-01T22:15+01:00") == T0
    assert parse_time("2025-03-01", tz=PARIS) == datetime(2025, 2, 28, 23, tzinfo=UTC)
    with pytest.raises(ValidationError, match="not a time"):
        parse_time("hier soir")
    assert parse_month("2025-03") == (2025, 3)
    with pytest.raises(ValidationError, match="not a month"):
        parse_month("2025-3")
