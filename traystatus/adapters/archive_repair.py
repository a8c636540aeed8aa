"""Repairing a damaged handoff archive (`traystatus notes repair`): every row that can still be read goes into a
fresh archive, a note whose row is lost comes back from its stored revisions, and the search index is rebuilt.

SQLite's own tools are no help on Debian 12 (sqlite3 3.40): ``.recover`` stops with "SQL logic error" on an
archive with its FTS5 index, and ``.dump`` ends in ``ROLLBACK`` at the first damaged table page, so the copy
is empty. Rows are read here one rowid at a time instead: a lookup that meets a damaged page fails alone.
The damaged file is kept beside the new one, byte for byte.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from traystatus.adapters.archive_integrity import quick_check
from traystatus.adapters.clock import utc_now

TABLES = ("notes", "note_revisions", "deliveries", "meta")
#: a damaged page is stepped over one rowid at a time: this many failures in a row end a table
MAX_FAILED_RUN = 1_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Repaired:
    kept: Path  # the damaged file, as it was
    rows: dict[str, int]  # rows copied per table
    unreadable: int  # rowids whose page could not be read
    notes_from_revisions: int  # notes whose own row was lost, rebuilt from their latest revision


def _rowids(db: sqlite3.Connection, table: str) -> tuple[list[tuple[object, ...]], int]:
    """Every readable row of ``table`` (its rowid first) and how many rowids could not be read.

    The next rowid is found with a seek; a seek or read that meets a damaged page is stepped over one rowid at
    a time until the seeks land past it (rowids grow: a replaced delivery row gets a new one, so there are
    gaps). ``max(rowid)``, when readable, bounds the walk; else a long run of failures ends it."""
    try:
        last = db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]  # noqa: S608 - our table names
    except sqlite3.DatabaseError:
        last = None
    rows: list[tuple[object, ...]] = []
    failed = run = rowid = 0
    while run < MAX_FAILED_RUN and (last is None or rowid < last):
        try:
            found = db.execute(
                f"SELECT rowid, * FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1",  # noqa: S608
                (rowid,),
            ).fetchone()
        except sqlite3.DatabaseError:
            rowid, failed, run = rowid + 1, failed + 1, run + 1
            continue
        if found is None:
            break
        rows.append(tuple(found))
        rowid, run = int(found[0]), 0
    return rows, failed


def _copy_damaged(path: Path, now: datetime) -> Path:
    kept = path.with_name(f"{path.name}.damaged-{now:%Y%m%dT%H%M%SZ}")
    shutil.copy2(path, kept)  # the mode too: 0600
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            shutil.copy2(extra, kept.with_name(kept.name + suffix))
    return kept


def repair(path: Path, *, now: datetime | None = None) -> Repaired:
    """Replace the damaged archive at ``path`` with a fresh one holding everything readable; the caller makes
    sure no traystatus process has it open. Raises ``ValueError`` when the file is not damaged."""
    from traystatus.adapters.archive_sqlite import SqliteNoteArchive

    when = (now or utc_now()).astimezone(UTC)
    probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        sound = quick_check(probe) is None
    finally:
        probe.close()
    if sound:
        raise ValueError(f"{path} is not damaged")
    kept = _copy_damaged(path, when)
    old = sqlite3.connect(f"{kept.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = {t: _rowids(old, t) for t in TABLES}
    finally:
        old.close()
    fresh = path.with_name(f"{path.name}.repairing")
    for suffix in ("", "-wal", "-shm"):
        fresh.with_name(fresh.name + suffix).unlink(missing_ok=True)
    SqliteNoteArchive(fresh).close()  # the current schema, created private
    db = sqlite3.connect(fresh, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            for row in found[table][0]:
                marks = ", ".join("?" * (len(row) - 1))
                db.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", row[1:])  # noqa: S608
        rebuilt = _notes_from_revisions(db)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    archive = SqliteNoteArchive(fresh)
    try:
        archive.rebuild_index()  # from every stored revision, as after a damaged index
    finally:
        archive.close()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    fresh.replace(path)
    for suffix in ("-wal", "-shm"):
        fresh.with_name(fresh.name + suffix).unlink(missing_ok=True)
    return Repaired(
        kept=kept,
        rows={t: len(found[t][0]) for t in TABLES},
        unreadable=sum(found[t][1] for t in TABLES),
        notes_from_revisions=rebuilt,
    )


def _notes_from_revisions(db: sqlite3.Connection) -> int:
    """A note whose row was on a damaged page: its text and dates come back from its revisions (where it was
    to be posted does not: its deliveries say that, if they were readable)."""
    lost = db.execute(
        "SELECT DISTINCT note_id FROM note_revisions WHERE note_id NOT IN (SELECT id FROM notes)"
    ).fetchall()
    for (note_id,) in lost:
        first, last, revision, sections = db.execute(
            "SELECT min(saved), max(saved), max(revision), "
            "(SELECT sections FROM note_revisions r2 WHERE r2.note_id = r.note_id ORDER BY revision DESC LIMIT 1) "
            "FROM note_revisions r WHERE note_id = ?",
            (note_id,),
        ).fetchone()
        destinations = [
            str(d) for (d,) in db.execute("SELECT destination FROM deliveries WHERE note_id = ?", (note_id,))
        ]
        db.execute(
            "INSERT INTO notes VALUES (?, ?, ?, ?, 0, 0, ?, ?, NULL)",
            (note_id, first, last, revision, json.dumps(destinations), sections),
        )
    return len(lost)
