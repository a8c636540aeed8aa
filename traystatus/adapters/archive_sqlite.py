"""The handoff archive: every note forever in SQLite (data dir), with revisions, its delivery state,
and FTS5 full-text search over every revision (unicode61, diacritics removed; CJK per character).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from traystatus.adapters.archive_integrity import (
    CLEAN_KEY,
    damaged,
    fts_sound,
    guarded,
    quick_check,
    rebuild_fts,
)
from traystatus.adapters.private_files import create_private
from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffNote, NoteSection, parse_destination, search_text
from traystatus.core.outbox import Delivery, DeliveryStatus, new_deliveries

log = logging.getLogger(__name__)

FILE_NAME = "handoff.sqlite3"
SCHEMA_VERSION = 2  # 2: delivery leases; every revision searchable
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id TEXT PRIMARY KEY, created TEXT NOT NULL, updated TEXT NOT NULL, revision INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0, sign_off INTEGER NOT NULL, destinations TEXT NOT NULL,
    sections TEXT NOT NULL, day TEXT);
CREATE TABLE IF NOT EXISTS note_revisions (
    note_id TEXT NOT NULL REFERENCES notes(id), revision INTEGER NOT NULL, saved TEXT NOT NULL,
    sections TEXT NOT NULL, PRIMARY KEY (note_id, revision));
CREATE TABLE IF NOT EXISTS deliveries (
    note_id TEXT NOT NULL REFERENCES notes(id), destination TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL, next_attempt TEXT, last_error TEXT NOT NULL, txn_id TEXT NOT NULL,
    remote_id TEXT NOT NULL, started TEXT, updated TEXT, lease_owner TEXT NOT NULL DEFAULT '',
    lease_until TEXT, PRIMARY KEY (note_id, destination));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS notes_fts USING fts5(
    note_id UNINDEXED, content, tokenize = 'unicode61 remove_diacritics 2');
"""
# Scripts written without spaces: index and query them one character per token (phrase = adjacency).
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f])")


def _cjk_split(text: str) -> str:
    return _CJK.sub(r" \1 ", text)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def fts_query(query: str) -> str:
    """Every word must appear (as a prefix, or as a phrase for CJK); the user's text is quoted."""
    terms = []
    for word in query.split():
        word = word.replace('"', "")
        if not re.search(r"\w", word):  # punctuation alone is no token: it would match nothing
            continue
        if _CJK.search(word):
            terms.append('"' + " ".join(_cjk_split(word).split()) + '"')
        else:
            terms.append(f'"{word}"*')
    return " AND ".join(terms)


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    note: HandoffNote
    snippet: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Revision:
    revision: int
    saved: datetime
    sections: tuple[NoteSection, ...]


def _ts(d: datetime | None) -> str | None:
    return None if d is None else d.astimezone(UTC).isoformat()


def _dt(s: str | None) -> datetime | None:
    return None if s is None else datetime.fromisoformat(s)


def _sections_json(sections: Sequence[NoteSection]) -> str:
    return json.dumps([{"title": s.title, "text": s.text} for s in sections], ensure_ascii=False)


def _sections(text: str) -> tuple[NoteSection, ...]:
    return tuple(NoteSection(title=s["title"], text=s["text"]) for s in json.loads(text))


class SqliteNoteArchive:
    """Thread-safe (one connection behind a lock); ``close()`` when done."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """``read_only``: list and search without writing anything (works on a read-only data dir)."""
        self.path = path
        self.read_only = read_only
        self.rebuilt_index = False  # the search index was damaged and rebuilt from the notes
        self.damage: TrayStatusError | None = None  # found damaged while open: refused for writing from then on
        self._lock = threading.RLock()
        try:
            if read_only:
                self._db = _open_read_only(path)
            else:
                create_private(path)  # 0600 before sqlite opens it: its -wal and -shm files copy the db's mode
                self._db = self._connect()
                version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
                self._check_after_unclean_end()  # before anything is written
                self._db.executescript(_SCHEMA)
                if 0 < version < 2:
                    self._migrate_v2()
                if version != SCHEMA_VERSION:
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, '0')", (CLEAN_KEY,))
        except sqlite3.DatabaseError as e:
            if isinstance(e, sqlite3.OperationalError) and "malformed" not in str(e):
                raise TrayStatusError(
                    "Handoff archive",
                    f"cannot open {path}: {e}. Check that {path.parent} is writable by you and the disk is "
                    "not full (`traystatus notes list` and `search` also work read-only).",
                ) from None
            raise damaged(path, str(e), readable=None if not read_only else False) from None

    def _check_after_unclean_end(self) -> None:
        """Check the file before anything is written into it (even the open marker: a damaged file is left
        byte for byte as it was); after a process ended without close() (crash, kill, power cut) also rebuild
        a damaged search index from the stored revisions. The check reads the whole file: ~55 ms for 3,000
        notes (31 MB), next to ~30 ms for the open itself (measured here)."""
        db = self._db
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
            return  # a new file
        problem = quick_check(db)
        if problem is not None:
            db.close()
            raise damaged(self.path, problem, readable=None)
        row = db.execute("SELECT value FROM meta WHERE key = ?", (CLEAN_KEY,)).fetchone()
        if row is not None and row[0] == "0" and not fts_sound(db):
            self._rebuild_index()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        return db

    def rebuild_index(self) -> None:
        """Index every stored revision again (`traystatus notes repair`)."""
        self._rebuild_index()

    def _rebuild_index(self) -> None:
        with self._lock:
            self._db = rebuild_fts(
                self._db, lambda db, note_id, sections: self._index(db, note_id, _sections(sections)), self._connect
            )
            self.rebuilt_index = True

    def _migrate_v2(self) -> None:
        """Version 1 had no delivery leases and indexed only a note's latest revision."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        db.execute("ALTER TABLE deliveries ADD COLUMN lease_owner TEXT NOT NULL DEFAULT ''")
        db.execute("ALTER TABLE deliveries ADD COLUMN lease_until TEXT")
        rows = db.execute(
            "SELECT r.note_id, r.sections FROM note_revisions r JOIN notes n ON n.id = r.note_id "
            "WHERE r.revision < n.revision"
        ).fetchall()
        for note_id, sections in rows:
            self._index(db, note_id, _sections(sections))
        db.execute("COMMIT")

    @classmethod
    def in_dir(cls, data_dir: Path, *, read_only: bool = False) -> SqliteNoteArchive:
        return cls(data_dir / FILE_NAME, read_only=read_only)

    def close(self) -> None:
        with self._lock:
            if not self.read_only and self.damage is None:  # damaged: not a byte more, and checked at next open
                try:
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (CLEAN_KEY,))
                except sqlite3.Error:  # closing anyway; the next open checks the file
                    log.warning("could not record a clean close of %s", self.path)
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ---- notes ----
    @guarded(writes=True)
    def store(self, note: HandoffNote, now: datetime) -> tuple[Delivery, ...]:
        """Store a new note and its pending deliveries in one transaction (stored first, then delivered)."""
        try:
            return self._store(note, now)
        except sqlite3.DatabaseError:
            if self.read_only or fts_sound(self._db):
                raise
        self._rebuild_index()  # a damaged search index blocked the note: rebuild it from the notes, store again
        return self._store(note, now)

    def _store(self, note: HandoffNote, now: datetime) -> tuple[Delivery, ...]:
        deliveries = new_deliveries(note.id, [str(d) for d in note.destinations], now)
        with self._tx() as db:
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?)",
                (
                    note.id,
                    _ts(note.created),
                    _ts(now),
                    int(note.archived),
                    int(note.sign_off),
                    json.dumps([str(d) for d in note.destinations]),
                    _sections_json(note.sections),
                    note.day.isoformat() if note.day else None,
                ),
            )
            db.execute(
                "INSERT INTO note_revisions VALUES (?, 1, ?, ?)", (note.id, _ts(now), _sections_json(note.sections))
            )
            self._index(db, note.id, note.sections)
            for d in deliveries:
                self._put_delivery(db, d)
        log.info("stored handoff note %s with %d destination(s)", note.id, len(deliveries))
        return deliveries

    @guarded(writes=True)
    def edit(self, note_id: str, sections: Sequence[NoteSection], now: datetime) -> HandoffNote:
        """A new revision; earlier ones stay in :meth:`revisions`. Already delivered messages are not edited."""
        with self._tx() as db:
            note = self._get(db, note_id)
            rev = note.revision + 1
            db.execute(
                "UPDATE notes SET sections = ?, revision = ?, updated = ? WHERE id = ?",
                (_sections_json(sections), rev, _ts(now), note_id),
            )
            db.execute(
                "INSERT INTO note_revisions VALUES (?, ?, ?, ?)", (note_id, rev, _ts(now), _sections_json(sections))
            )
            self._index(db, note_id, sections)  # earlier revisions stay indexed: what was posted is found
        return replace(note, sections=tuple(sections), revision=rev, updated=now)

    @guarded(writes=False)
    def revisions(self, note_id: str) -> list[Revision]:
        with self._lock:
            rows = self._db.execute(
                "SELECT revision, saved, sections FROM note_revisions WHERE note_id = ? ORDER BY revision", (note_id,)
            ).fetchall()
        return [Revision(revision=r, saved=_dt(s) or _EPOCH, sections=_sections(j)) for r, s, j in rows]

    @guarded(writes=True)
    def set_archived(self, note_id: str, archived: bool) -> None:
        """Archive or unarchive; nothing is ever deleted."""
        with self._tx() as db:
            self._get(db, note_id)
            db.execute("UPDATE notes SET archived = ? WHERE id = ?", (int(archived), note_id))

    @guarded(writes=False)
    def resolve_id(self, prefix: str) -> str:
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM notes WHERE id LIKE ? ESCAPE '\\' LIMIT 2",
                (prefix.replace("%", "\\%").replace("_", "\\_") + "%",),
            ).fetchall()
        if len(rows) != 1:
            problem = "no note has" if not rows else "more than one note has"
            raise TrayStatusError(
                "Handoff archive", f"{problem} the id {prefix!r}; see `traystatus notes list` for ids."
            )
        return str(rows[0][0])

    @guarded(writes=False)
    def get(self, note_id: str) -> HandoffNote:
        with self._lock:
            return self._get(self._db, note_id)

    @guarded(writes=False)
    def notes(self, *, include_archived: bool = False, since: datetime | None = None) -> list[HandoffNote]:
        """Newest first."""
        sql = "SELECT * FROM notes WHERE 1=1"
        params: list[object] = []
        if not include_archived:
            sql += " AND archived = 0"
        if since is not None:
            sql += " AND created >= ?"
            params.append(_ts(since))
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created DESC, rowid DESC", params).fetchall()
        return [self._note(r) for r in rows]

    def latest(self) -> HandoffNote | None:
        found = self.notes()
        return found[0] if found else None

    def search(self, query: str, *, include_archived: bool = True, limit: int = 100) -> list[SearchHit]:
        """Best matches first; every word must match in one revision (prefixes; accents and case ignored)."""
        match = fts_query(query)
        if not match:
            return []
        sql = (
            "SELECT n.* FROM notes_fts f JOIN notes n ON n.id = f.note_id WHERE notes_fts MATCH ? "
            "AND (? OR n.archived = 0) ORDER BY bm25(notes_fts)"
        )
        try:
            rows = self._matching(sql, match, include_archived, limit)
        except sqlite3.OperationalError as e:
            raise TrayStatusError("Note search", f"cannot search for {query!r}: {e}.") from None
        except sqlite3.DatabaseError:
            if self.read_only or fts_sound(self._db):
                raise TrayStatusError(
                    "Note search",
                    "the search index is damaged; it is rebuilt from the notes the next time traystatus opens "
                    "the archive for writing (e.g. `traystatus notes deliver`). `traystatus notes list` still works.",
                ) from None
            self._rebuild_index()
            rows = self._matching(sql, match, include_archived, limit)
        words = [_fold(w) for w in query.split()]
        return [SearchHit(note=(n := self._note(r)), snippet=_snippet(n, words)) for r in rows]

    def _matching(self, sql: str, match: str, include_archived: bool, limit: int) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        seen: set[object] = set()
        with self._lock:
            for row in self._db.execute(sql, (match, int(include_archived))):
                if row[0] not in seen:  # a note matched by several of its revisions is listed once
                    seen.add(row[0])
                    rows.append(row)
                    if len(rows) >= limit:
                        break
        return rows

    # ---- deliveries ----
    @guarded(writes=False)
    def deliveries(self, note_id: str | None = None) -> list[Delivery]:
        sql, params = "SELECT d.* FROM deliveries d JOIN notes n ON n.id = d.note_id", ()
        if note_id is not None:
            sql, params = sql + " WHERE d.note_id = ?", (note_id,)  # type: ignore[assignment]
        with self._lock:  # oldest note first (the order they must arrive in), then as the note lists them
            rows = self._db.execute(sql + " ORDER BY n.created, n.rowid, d.rowid", params).fetchall()
        return [
            Delivery(
                note_id=r[0],
                destination=r[1],
                status=DeliveryStatus(r[2]),
                attempts=r[3],
                next_attempt=_dt(r[4]),
                last_error=r[5],
                txn_id=r[6],
                remote_id=r[7],
                started=_dt(r[8]),
                updated=_dt(r[9]),
                lease_owner=r[10],
                lease_until=_dt(r[11]),
            )
            for r in rows
        ]

    def open_deliveries(self) -> list[Delivery]:
        return [d for d in self.deliveries() if d.status is not DeliveryStatus.SENT]

    @guarded(writes=True)
    def save_delivery(self, d: Delivery) -> None:
        """Durable before this returns (synchronous=FULL): the worker relies on it before sending."""
        with self._tx() as db:
            self._put_delivery(db, d)

    @guarded(writes=True)
    def claim_delivery(self, seen: Delivery, claimed: Delivery) -> bool:
        """Write ``claimed`` only if the row is still as ``seen`` (status and attempts): two traystatus
        processes (the tray app and the CLI) never both send the same note to the same place."""
        with self._tx() as db:
            row = db.execute(
                "SELECT status, attempts FROM deliveries WHERE note_id = ? AND destination = ?",
                (seen.note_id, seen.destination),
            ).fetchone()
            if row is None or (row[0], row[1]) != (seen.status.value, seen.attempts):
                return False
            self._put_delivery(db, claimed)
            return True

    # ---- small app state (prompt state) ----
    @guarded(writes=False)
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @guarded(writes=True)
    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # ---- internals ----
    @staticmethod
    def _put_delivery(db: sqlite3.Connection, d: Delivery) -> None:
        db.execute(
            # an upsert keeps the row's rowid, which orders a note's deliveries as the note lists them (INSERT
            # OR REPLACE gave each update a new rowid: Slack and Matrix swapped places in the windows)
            "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (note_id, destination) "
            "DO UPDATE SET status = excluded.status, attempts = excluded.attempts, "
            "next_attempt = excluded.next_attempt, last_error = excluded.last_error, txn_id = excluded.txn_id, "
            "remote_id = excluded.remote_id, started = excluded.started, updated = excluded.updated, "
            "lease_owner = excluded.lease_owner, lease_until = excluded.lease_until",
            (
                d.note_id,
                d.destination,
                d.status.value,
                d.attempts,
                _ts(d.next_attempt),
                d.last_error,
                d.txn_id,
                d.remote_id,
                _ts(d.started),
                _ts(d.updated),
                d.lease_owner,
                _ts(d.lease_until),
            ),
        )

    @staticmethod
    def _index(db: sqlite3.Connection, note_id: str, sections: Sequence[NoteSection]) -> None:
        db.execute(
            "INSERT INTO notes_fts (note_id, content) VALUES (?, ?)", (note_id, _cjk_split(search_text(sections)))
        )

    def _get(self, db: sqlite3.Connection, note_id: str) -> HandoffNote:
        row = db.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
        if row is None:
            raise TrayStatusError(
                "Handoff archive", f"no note with id {note_id!r}; see `traystatus notes list` for ids."
            )
        return self._note(row)

    @staticmethod
    def _note(r: tuple[object, ...]) -> HandoffNote:
        return HandoffNote(
            id=str(r[0]),
            created=_dt(str(r[1])) or _EPOCH,
            updated=_dt(str(r[2])),
            revision=int(str(r[3])),
            archived=bool(r[4]),
            sign_off=bool(r[5]),
            destinations=tuple(parse_destination(s) for s in json.loads(str(r[6]))),
            sections=_sections(str(r[7])),
            day=date.fromisoformat(str(r[8])) if r[8] else None,
        )


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open without writing: no schema, no pragmas. A WAL file in a read-only directory cannot get its
    shared-memory file, so then the file is read as immutable (nobody can be writing there)."""
    if not path.exists():  # nothing stored yet: an empty archive
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(_SCHEMA)
        return db
    last: sqlite3.Error | None = None
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            db = sqlite3.connect(
                f"{path.resolve().as_uri()}?{query}", uri=True, check_same_thread=False, isolation_level=None
            )
            db.execute("SELECT count(*) FROM notes").fetchone()
            return db
        except sqlite3.OperationalError as e:
            last = e
    assert last is not None
    raise last


def _snippet(note: HandoffNote, words: list[str]) -> str:
    for s in note.sections:
        for line in s.text.splitlines():
            folded = _fold(line)
            if any(w in folded for w in words):
                return f"{s.title}: {line.strip()}"[:160]
    first = next((s for s in note.sections if s.text.strip()), None)
    return "" if first is None else f"{first.title}: {first.text.strip().splitlines()[0]}"[:160]
