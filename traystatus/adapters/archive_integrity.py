"""Integrity of the handoff archive: SQLite's ``quick_check`` after an unclean end, the FTS5 index's own
check, and rebuilding that index from the stored revisions (the notes are the truth; the index is derived).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from traystatus.core.errors import TrayStatusError

log = logging.getLogger(__name__)

CLEAN_KEY = "closed_cleanly"  # meta: "0" while a process has it open for writing, "1" after close()
FTS_SCHEMA = (
    "CREATE VIRTUAL TABLE notes_fts USING fts5(note_id UNINDEXED, content, tokenize = 'unicode61 remove_diacritics 2')"
)


def damaged(path: Path, problem: str) -> TrayStatusError:
    return TrayStatusError(
        "Handoff archive damaged",
        f"{path} failed SQLite's integrity check ({problem}); traystatus writes nothing into it. "
        f"Reading still works (`traystatus notes list`). To repair: quit traystatus, keep a copy "
        f"(cp {path} {path}.damaged), then `sqlite3 {path}.damaged .recover | sqlite3 {path}.recovered` "
        f"and move {path.name}.recovered in place of {path.name}.",
    )


def quick_check(db: sqlite3.Connection) -> str | None:
    """None when the file is sound, else SQLite's first complaint."""
    try:
        rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as e:
        return str(e)
    first = str(rows[0][0]) if rows else "no answer"
    return None if first == "ok" else first


def fts_sound(db: sqlite3.Connection) -> bool:
    try:
        db.execute("INSERT INTO notes_fts (notes_fts) VALUES ('integrity-check')")
        return True
    except sqlite3.DatabaseError as e:
        log.warning("handoff search index is damaged: %s", e)
        return False


def rebuild_fts(
    db: sqlite3.Connection,
    index: Callable[[sqlite3.Connection, str, str], None],
    reopen: Callable[[], sqlite3.Connection],
) -> sqlite3.Connection:
    """Drop the search index and index every revision of every note again; returns the connection to
    use from now on (a new one when the index was too damaged to load)."""
    rows = db.execute("SELECT note_id, sections FROM note_revisions ORDER BY note_id, revision").fetchall()
    try:
        db.execute("DROP TABLE IF EXISTS notes_fts")
    except sqlite3.DatabaseError:
        # Too damaged to load, so it cannot be dropped the normal way: unlink it from the schema, then
        # drop its shadow tables on a fresh connection (the old one keeps the stale schema).
        db.execute("PRAGMA writable_schema = ON")
        db.execute("DELETE FROM sqlite_master WHERE type = 'table' AND name = 'notes_fts'")
        db.execute("PRAGMA writable_schema = OFF")
        db.close()
        db = reopen()
        for shadow in ("data", "idx", "content", "docsize", "config"):
            db.execute(f"DROP TABLE IF EXISTS notes_fts_{shadow}")
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(FTS_SCHEMA)
        for note_id, sections in rows:
            index(db, note_id, sections)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    log.warning("rebuilt the handoff search index from %d stored revision(s)", len(rows))
    return db
