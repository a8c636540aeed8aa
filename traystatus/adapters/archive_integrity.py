"""Integrity of the handoff archive: SQLite's ``quick_check`` after an unclean end, the FTS5 index's own
check, and rebuilding that index from the stored revisions (the notes are the truth; the index is derived).
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from traystatus.core.errors import TrayStatusError

log = logging.getLogger(__name__)

CLEAN_KEY = "closed_cleanly"  # meta: "0" while a process has it open for writing, "1" after close()
FTS_SCHEMA = (
    "CREATE VIRTUAL TABLE notes_fts USING fts5(note_id UNINDEXED, content, tokenize = 'unicode61 remove_diacritics 2')"
)


def damaged(path: Path, problem: str, *, readable: bool | None = True) -> TrayStatusError:
    """``readable``: whether listing the notes still works (True), fails too (False), or is not known (None)."""
    reading = {
        True: "Reading still works (`traystatus notes list`).",
        False: "traystatus cannot read it either.",
        None: "Reading may still work (`traystatus notes list`).",
    }[readable]
    return TrayStatusError(
        "Handoff archive damaged",
        f"{path} failed SQLite's integrity check ({problem}); traystatus writes nothing into it. {reading} "
        "To repair: quit traystatus (the tray app, `run --headless`), then run `traystatus notes repair`: it "
        "rebuilds the archive from every note that can still be read and keeps the damaged file beside it.",
    )


class GuardedArchive(Protocol):
    path: Path
    damage: TrayStatusError | None
    _db: sqlite3.Connection
    _lock: threading.RLock


F = TypeVar("F", bound=Callable[..., Any])


def guarded(*, writes: bool) -> Callable[[F], F]:
    """An archive method whose SQLite errors reach the user in words: a full disk or a read-only dir names the
    path and the fix; damage (a "malformed" error, confirmed with ``quick_check``) is said with the repair,
    and from then on nothing more is written into the file."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def inner(self: GuardedArchive, *args: Any, **kwargs: Any) -> Any:
            if writes and self.damage is not None:
                raise self.damage
            try:
                return method(self, *args, **kwargs)
            except sqlite3.DatabaseError as e:
                if isinstance(e, sqlite3.OperationalError) and "malformed" not in str(e):
                    raise TrayStatusError(
                        "Handoff archive",
                        f"cannot {'write' if writes else 'read'} {self.path}: {e}. Check that {self.path.parent} "
                        "is writable by you and the disk is not full; nothing was changed in it.",
                    ) from None
                with self._lock:
                    problem = quick_check(self._db) or str(e)
                self.damage = damaged(self.path, problem, readable=None if writes else False)
                log.error("%s: %s", self.damage.title, self.damage.message)
                raise self.damage from None

        return cast(F, inner)

    return wrap


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
