"""Benchmark of the main courante and the audit trail (issue 7). Prints JSON.

search:  journal search with filters over --entries entries (default 1,000,000): p50/p95/max overall,
         for the next page, and per kind of query, on SQLite and on PostgreSQL, through
         `JournalRepository.search` (the code the console and the CLI run). Target: p95 <= 200 ms.
append:  audit records per second sustained for --append-seconds through the journal writer (local
         write-ahead queue, batched database transactions), as the console records them. Target:
         >= 1,000/s.
verify:  `AuditRepository.verify` (what `vmwall audit verify` runs) over --verify-rows records.
notify:  PostgreSQL: delay between an entry saved on one service and another service hearing of it
         (LISTEN/NOTIFY). Target: < 1 s.

SLOW: generating a million entries takes about 5 minutes per database (bulk inserts with the FTS5 /
trigram indexes maintained), a million audit records a few minutes more. Generated databases are
kept in --data-dir (SQLite files) or as PostgreSQL databases named vmwall_bench_*, and reused by
later runs of the same size (--fresh regenerates).

    .venv/bin/python bench/journal.py                         # both databases, full sizes (slow)
    .venv/bin/python bench/journal.py --entries 100000 --verify-rows 100000 --db sqlite   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from vmwall.journal.service import JournalListener, JournalService
from vmwall.model import Commune
from vmwall.model.audit import AuditAction, audit_event
from vmwall.model.journal import EntryStatus, JournalEntry, JournalQuery, fold_text, new_entry
from vmwall.store import AuditRepository, CommuneRepository, JournalRepository, open_database
from vmwall.store.db import Database

SEED = 20250301
YEARS = 3
END = datetime(2025, 3, 1, tzinfo=UTC)
COMMUNES = 38
CAMERAS = 600
OPERATORS = 60

# Vocabulary of the generated entries: a few hundred words, so searches hit common and rare words.
_SUBJECTS = (
    "Un individu", "Deux individus", "Un groupe de jeunes", "Une femme", "Un homme âgé", "Un livreur",
    "Un cycliste", "Un automobiliste", "Un scooter", "Une camionnette blanche", "Un SDF", "Des mineurs",
    "Un chien errant", "Un conducteur", "Une patrouille", "Un commerçant", "Un agent de sécurité",
)  # fmt: skip
_VERBS = (
    "se bat avec", "dégrade", "tague", "force la porte de", "stationne devant",
    "dépose des encombrants près de", "chute devant", "est allongé près de", "se rassemble devant",
    "crie devant", "vole un sac devant", "percute un poteau devant", "fume devant", "court vers",
    "fouille les poubelles de", "tente d'ouvrir",
)  # fmt: skip
_OBJECTS = (
    "la pharmacie", "la boulangerie", "l'arrêt de bus", "la gare", "le parking souterrain", "l'école",
    "la mairie", "le supermarché", "le tabac-presse", "la station-service", "le square", "le parvis",
    "la médiathèque", "le stade", "la piscine", "le marché couvert", "le distributeur", "la laverie",
)  # fmt: skip
_DETAILS = (
    "vêtu d'un sweat noir", "casquette rouge", "veste jaune fluo", "sac à dos bleu", "trottinette électrique",
    "véhicule gris sans plaque", "avec un chien", "en état d'ivresse", "visage dissimulé", "blessé au bras",
    "fuite à pied", "fuite en voiture", "appel du 17", "signalement riverain", "alarme déclenchée",
)  # fmt: skip
_STREETS = (
    "rue Nationale", "rue de Béthune", "boulevard de la Liberté", "place du Général-de-Gaulle",
    "rue Esquermoise", "rue Solférino", "avenue du Peuple-Belge", "rue Pierre-Mauroy", "rue de Paris",
    "quai du Wault", "rue Gambetta", "boulevard Vauban", "rue des Postes", "place Rihour", "rue Jean-Jaurès",
    "rue Faidherbe", "avenue de la République", "rue du Molinel", "rue d'Arras", "rue de Lannoy",
    "Grand-Place", "rue Victor-Hugo",
)  # fmt: skip
_CATEGORY_WEIGHTS = (9, 8, 10, 6, 12, 7, 4, 6, 1, 8, 10, 2, 3, 5, 2)
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 3, 4, 4, 4, 5, 6, 5, 4, 4, 5, 6, 7, 8, 8, 7, 5, 3)
_SEARCH_CATEGORIES = ("rixe", "vol", "degradation", "depot-sauvage", "stationnement-genant", "incendie")


def _plate(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTVWXYZ"
    return "".join(
        (
            rng.choice(letters),
            rng.choice(letters),
            f"-{rng.randint(100, 999)}-",
            rng.choice(letters),
            rng.choice(letters),
        )
    )


def _entry_rows(n: int, category_ids: list[int], commune_ids: list[int]) -> Iterator[tuple[Any, ...]]:
    """(uid, at, operator, workstation, commune_id, category_id, place, text, search_text, status,
    recorded_at, cameras) for n entries over YEARS years, in time order, with a daily rhythm."""
    rng = random.Random(SEED)
    span_s = YEARS * 365 * 86400
    operators = [f"operateur{i:02d}" for i in range(OPERATORS)]
    commune_weights = [1 + (i % 7) * 2 for i in range(len(commune_ids))]
    for i in range(n):
        day = END - timedelta(seconds=span_s - i * span_s / n)
        hour = rng.choices(range(24), _HOUR_WEIGHTS)[0]
        at = day.replace(
            hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=rng.randrange(10**6)
        )
        text = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}, {rng.choice(_DETAILS)}."
        if rng.random() < 0.3:
            text += f" Véhicule {_plate(rng)}."
        if rng.random() < 0.2:
            text += f" {rng.choice(_DETAILS).capitalize()}."
        place = f"{rng.randint(1, 250)} {rng.choice(_STREETS)}"
        cameras = rng.sample(range(1, CAMERAS + 1), rng.choices((0, 1, 2, 3), (20, 60, 15, 5))[0])
        yield (
            uuid.UUID(int=rng.getrandbits(128)).hex,
            at,
            rng.choice(operators),
            f"poste-{rng.randint(1, 8)}",
            rng.choices(commune_ids, commune_weights)[0],
            rng.choices(category_ids, _CATEGORY_WEIGHTS[: len(category_ids)])[0],
            place,
            text,
            fold_text(f"{text}\n{place}"),
            "open" if rng.random() < 0.05 else "closed",
            at + timedelta(seconds=rng.randint(5, 600)),
            cameras,
        )


def _catalogue(database: Database) -> tuple[list[int], list[int]]:
    communes = CommuneRepository(database)
    ids = []
    for i in range(COMMUNES):
        commune = communes.get_by_name(f"Commune {i:02d}") or communes.add(
            Commune(f"Commune {i:02d}", f"59{i:03d}")
        )
        assert commune.id is not None
        ids.append(commune.id)
    return [c.id for c in JournalRepository(database).categories() if c.id is not None], ids


def _sqlite_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's storage format


def _fill_sqlite(database: Database, n: int) -> None:
    category_ids, commune_ids = _catalogue(database)
    connection = sqlite3.connect(str(database.engine.url.database), isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")  # bulk load only; vmwall itself keeps the safe default
    connection.execute("BEGIN")
    entries_sql = (
        "INSERT INTO journal_entries (id, uid, at, operator, workstation, commune_id, category_id, place,"
        " text, search_text, status, revision, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?)"
    )
    cameras_sql = "INSERT INTO journal_entry_cameras (entry_id, camera_number, at) VALUES (?,?,?)"
    batch: list[tuple[Any, ...]] = []
    cameras: list[tuple[int, int, str]] = []
    for entry_id, row in enumerate(_entry_rows(n, category_ids, commune_ids), start=1):
        at = _sqlite_time(row[1])
        batch.append((entry_id, row[0], at, *row[2:10], _sqlite_time(row[10])))
        cameras.extend((entry_id, number, at) for number in row[11])
        if len(batch) >= 20_000:
            connection.executemany(entries_sql, batch)
            connection.executemany(cameras_sql, cameras)
            batch.clear()
            cameras.clear()
    connection.executemany(entries_sql, batch)
    connection.executemany(cameras_sql, cameras)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.close()


def _pg_url(database: Database) -> str:
    return database.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _fill_postgresql(database: Database, n: int) -> None:
    category_ids, commune_ids = _catalogue(database)
    cameras: list[tuple[int, int, datetime]] = []
    with psycopg.connect(_pg_url(database)) as connection:
        with connection.cursor() as cursor:
            columns = "id, uid, at, operator, workstation, commune_id, category_id, place, text, search_text"
            statement = f"COPY journal_entries ({columns}, status, revision, recorded_at) FROM STDIN"
            with cursor.copy(statement) as copy:
                for entry_id, row in enumerate(_entry_rows(n, category_ids, commune_ids), start=1):
                    copy.write_row((entry_id, *row[:10], 1, row[10]))
                    cameras.extend((entry_id, number, row[1]) for number in row[11])
            with cursor.copy("COPY journal_entry_cameras (entry_id, camera_number, at) FROM STDIN") as copy:
                for camera in cameras:
                    copy.write_row(camera)
            cursor.execute("SELECT setval(pg_get_serial_sequence('journal_entries', 'id'), %s)", (n,))
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE journal_entries")
        connection.execute("VACUUM ANALYZE journal_entry_cameras")


def _open(kind: str, name: str, data_dir: Path, pg_admin: str | None, fresh: bool) -> Database:
    """A migrated database of that name: a SQLite file in data_dir, or a PostgreSQL database."""
    if kind == "sqlite":
        path = data_dir / f"{name}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return open_database(f"sqlite:///{path}")
    if not pg_admin:
        raise SystemExit("PostgreSQL: set $VMWALL_TEST_PG_URL or --pg-url (scripts/start-postgres.sh)")
    admin = pg_admin.replace("postgresql+psycopg://", "postgresql://")
    database_name = f"vmwall_bench_{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database_name,)
        ).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{database_name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{database_name}"')
    return open_database(urlunsplit(urlsplit(admin)._replace(path=f"/{database_name}")))


def _count(database: Database, table: str) -> int:
    with database.engine.connect() as connection:
        return int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


def _summary(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(values), "p50": at(0.5), "p95": at(0.95), "max": round(ordered[-1], 1)}


# --- search ------------------------------------------------------------------------------------


def _queries(rng: random.Random, commune_ids: list[int], n: int) -> list[tuple[str, JournalQuery]]:
    texts = (*_VERBS, *_OBJECTS, *_DETAILS, *_STREETS)
    words = sorted({w for text in texts for w in fold_text(text).split() if len(w) >= 4})

    def window(days: float) -> tuple[datetime, datetime]:
        start = END - timedelta(days=rng.uniform(days, YEARS * 365))
        return start, start + timedelta(days=days)

    def commune() -> frozenset[int]:
        return frozenset({rng.choice(commune_ids)})

    def category() -> frozenset[str]:
        return frozenset({rng.choice(_SEARCH_CATEGORIES)})

    def span(days: float) -> dict[str, datetime]:
        start, end = window(days)
        return {"start": start, "end": end}

    kinds: list[tuple[str, Callable[[], JournalQuery]]] = [
        ("latest", lambda: JournalQuery()),
        ("day", lambda: JournalQuery(**span(1))),
        ("month", lambda: JournalQuery(**span(30))),
        ("commune", lambda: JournalQuery(communes=commune())),
        ("category", lambda: JournalQuery(categories=category())),
        ("camera", lambda: JournalQuery(camera=rng.randint(1, CAMERAS))),
        ("open", lambda: JournalQuery(status=EntryStatus.OPEN)),
        ("text-word", lambda: JournalQuery(text=rng.choice(words))),
        ("text-plate", lambda: JournalQuery(text=_plate(rng))),
        ("text-two-words", lambda: JournalQuery(text=f"{rng.choice(words)} {rng.choice(words)}")),
        (
            "commune+category+month",
            lambda: JournalQuery(communes=commune(), categories=category(), **span(30)),
        ),
        ("commune+text", lambda: JournalQuery(communes=commune(), text=rng.choice(words))),
        ("camera+month", lambda: JournalQuery(camera=rng.randint(1, CAMERAS), **span(30))),
        (
            "scope5+open+category",
            lambda: JournalQuery(
                communes=frozenset(rng.sample(commune_ids, 5)),
                status=EntryStatus.OPEN,
                categories=frozenset(rng.sample(_SEARCH_CATEGORIES, 2)),
            ),
        ),
        (
            "category+text+month",
            lambda: JournalQuery(categories=category(), text=rng.choice(words), **span(30)),
        ),
    ]
    return [(name, make()) for name, make in (kinds[i % len(kinds)] for i in range(n))]


def bench_search(database: Database, n_queries: int) -> dict[str, Any]:
    repository = JournalRepository(database)
    commune_ids = [c.id for c in CommuneRepository(database).list() if c.id is not None]
    queries = _queries(random.Random(SEED + 1), commune_ids, n_queries)
    repository.search(JournalQuery())  # the connection pool, warm
    by_kind: dict[str, list[float]] = {}
    every: list[float] = []
    pages: list[float] = []
    for kind, query in queries:
        started = time.perf_counter()
        page = repository.search(query)
        elapsed = (time.perf_counter() - started) * 1000
        by_kind.setdefault(kind, []).append(elapsed)
        every.append(elapsed)
        if page.next is not None and len(pages) < n_queries // 5:
            started = time.perf_counter()
            repository.search(replace(query, after=page.next))
            pages.append((time.perf_counter() - started) * 1000)
    overall = _summary(every)
    return {
        "queries": len(every),
        "page_size": JournalQuery().limit,
        "all_ms": overall,
        "next_page_ms": _summary(pages) if pages else None,
        "by_kind_ms": {kind: _summary(values) for kind, values in by_kind.items()},
        "target_p95_ms": 200,
        "within_target": overall["p95"] <= 200,
    }


# --- audit and notifications --------------------------------------------------------------------


def bench_append(database: Database, seconds: float) -> dict[str, Any]:
    """Records/s through the journal writer with a producer that keeps at most 20,000 in flight."""
    with tempfile.TemporaryDirectory() as data_dir:
        service = JournalService(database, data_dir=Path(data_dir), workstation="bench")
        service.start()
        try:
            futures = []
            submitted = 0
            started = time.perf_counter()
            while time.perf_counter() - started < seconds:
                for _ in range(100):
                    event = audit_event(
                        AuditAction.LIVE_VIEW_START, "bench", camera=1 + submitted % CAMERAS, stream="sub"
                    )
                    futures.append(service.audit.record(event))
                    submitted += 1
                while len(futures) > 20_000:
                    futures.pop(0).result(timeout=120)
            for future in futures:
                future.result(timeout=300)
            elapsed = time.perf_counter() - started
            saved = service.state()
        finally:
            service.close()
    verified = AuditRepository(database).verify()
    return {
        "records": submitted,
        "seconds": round(elapsed, 2),
        "records_per_s": round(submitted / elapsed),
        "target_per_s": 1000,
        "within_target": submitted / elapsed >= 1000,
        "left_queued": saved.queued,
        "chain_intact": verified.ok and verified.records == submitted,
    }


def _fill_audit(database: Database, rows: int) -> float:
    repository = AuditRepository(database)
    have = repository.count()
    started = time.perf_counter()
    base = datetime(2024, 1, 1, tzinfo=UTC)
    while have < rows:
        events = [
            audit_event(
                AuditAction.PTZ,
                f"operateur{i % OPERATORS:02d}",
                camera=1 + i % CAMERAS,
                at=base + timedelta(seconds=i),
                workstation="bench",
                move="preset",
                preset=f"P{i % 9}",
            )
            for i in range(have, min(rows, have + 5_000))
        ]
        repository.append(events)
        have += len(events)
    return time.perf_counter() - started


def bench_verify(database: Database, rows: int) -> dict[str, Any]:
    fill_s = _fill_audit(database, rows)
    started = time.perf_counter()
    report = AuditRepository(database).verify()
    elapsed = time.perf_counter() - started
    return {
        "records": report.records,
        "ok": report.ok,
        "verify_s": round(elapsed, 2),
        "records_per_s": round(report.records / elapsed) if elapsed else None,
        "fill_s": round(fill_s, 1) if fill_s > 1 else "reused",
    }


class _Heard(JournalListener):
    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.event = threading.Event()

    def entry_saved(self, entry: JournalEntry, *, local: bool) -> None:
        if not local:
            self.at[entry.uid] = time.perf_counter()
            self.event.set()


def bench_notify(url: str, count: int = 50) -> dict[str, Any]:
    """Delay from an entry saved on one console to another console hearing of it (PostgreSQL)."""
    with (
        open_database(url) as first_db,
        open_database(url) as second_db,
        tempfile.TemporaryDirectory() as tmp,
    ):
        first = JournalService(first_db, data_dir=Path(tmp) / "a", workstation="poste-a")
        second = JournalService(second_db, data_dir=Path(tmp) / "b", workstation="poste-b")
        heard = _Heard()
        second.add_listener(heard)
        with first, second:
            second.wait_listening(10)
            delays = []
            for i in range(count):
                entry = new_entry("bench", "rixe", f"notification {i}")
                started = time.perf_counter()
                first.add_entry(entry).result(30)
                deadline = time.monotonic() + 5
                while entry.uid not in heard.at and time.monotonic() < deadline:
                    heard.event.wait(0.05)
                    heard.event.clear()
                if entry.uid in heard.at:
                    delays.append((heard.at[entry.uid] - started) * 1000)
    return {
        "entries": count,
        "heard": len(delays),
        "delay_ms": _summary(delays) if delays else None,
        "target_ms": 1000,
        "within_target": bool(delays) and len(delays) == count and max(delays) < 1000,
    }


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--append-seconds", type=float, default=20.0)
    parser.add_argument("--verify-rows", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--only", choices=("search", "append", "verify", "notify"), action="append")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "vmwall-bench-journal")
    parser.add_argument("--pg-url", default=os.environ.get("VMWALL_TEST_PG_URL"))
    parser.add_argument("--fresh", action="store_true", help="regenerate the databases")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    parts = set(args.only or ("search", "append", "verify", "notify"))
    result: dict[str, Any] = {
        "entries": args.entries,
        "cpu_count": os.cpu_count(),
        "load_avg": os.getloadavg(),
    }
    for kind in kinds:
        out: dict[str, Any] = {}
        if "search" in parts:
            database = _open(kind, f"journal_{args.entries}", args.data_dir, args.pg_url, args.fresh)
            try:
                have = _count(database, "journal_entries")
                if have not in (0, args.entries):
                    raise SystemExit(
                        f"{database.display_url} holds {have} entries, not {args.entries}: use --fresh"
                    )
                if have == 0:
                    started = time.perf_counter()
                    (_fill_sqlite if kind == "sqlite" else _fill_postgresql)(database, args.entries)
                    out["fill_s"] = round(time.perf_counter() - started, 1)
                out["search"] = bench_search(database, args.queries)
            finally:
                database.close()
        if "verify" in parts:
            database = _open(kind, f"audit_{args.verify_rows}", args.data_dir, args.pg_url, args.fresh)
            try:
                out["verify"] = bench_verify(database, args.verify_rows)
            finally:
                database.close()
        if "append" in parts:
            database = _open(kind, "append", args.data_dir, args.pg_url, True)
            try:
                out["append"] = bench_append(database, args.append_seconds)
            finally:
                database.close()
        if "notify" in parts and kind == "postgresql":
            database = _open(kind, "notify", args.data_dir, args.pg_url, True)
            url = database.url
            database.close()
            out["notify"] = bench_notify(url)
        result[kind] = out
        print(json.dumps({kind: out}), file=sys.stderr)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
