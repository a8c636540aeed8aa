"""The handoff archive: every note forever in SQLite (data dir), with revisions, its delivery state,
and FTS5 full-text search (unicode61, diacritics removed; CJK indexed per character).
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

from traystatus.adapters.private_files import create_private
from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffNote, NoteSection, parse_destination, search_text
from traystatus.core.outbox import Delivery, DeliveryStatus, new_deliveries

log = logging.getLogger(__name__)

FILE_NAME = "handoff.sqlite3"
SCHEMA_VERSION = 1
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
    remote_id TEXT NOT NULL, started TEXT, updated TEXT, PRIMARY KEY (note_id, destination));
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

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            create_private(path)  # 0600 before sqlite opens it: its -wal and -shm files copy the db's mode
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")  # for future migrations
        except sqlite3.Error as e:
            raise TrayStatusError(
                "Handoff archive",
                f"cannot open {path}: {e}. Check that the data directory is writable and the disk is not full.",
            ) from None
        self._lock = threading.RLock()

    @classmethod
    def in_dir(cls, data_dir: Path) -> SqliteNoteArchive:
        return cls(data_dir / FILE_NAME)

    def close(self) -> None:
        with self._lock:
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
    def store(self, note: HandoffNote, now: datetime) -> tuple[Delivery, ...]:
        """Store a new note and its pending deliveries in one transaction (stored first, then delivered)."""
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
            db.execute("DELETE FROM notes_fts WHERE note_id = ?", (note_id,))
            self._index(db, note_id, sections)
        return replace(note, sections=tuple(sections), revision=rev, updated=now)

    def revisions(self, note_id: str) -> list[Revision]:
        with self._lock:
            rows = self._db.execute(
                "SELECT revision, saved, sections FROM note_revisions WHERE note_id = ? ORDER BY revision", (note_id,)
            ).fetchall()
        return [Revision(revision=r, saved=_dt(s) or _EPOCH, sections=_sections(j)) for r, s, j in rows]

    def set_archived(self, note_id: str, archived: bool) -> None:
        """Archive or unarchive; nothing is ever deleted."""
        with self._tx() as db:
            self._get(db, note_id)
            db.execute("UPDATE notes SET archived = ? WHERE id = ?", (int(archived), note_id))

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

    def get(self, note_id: str) -> HandoffNote:
        with self._lock:
            return self._get(self._db, note_id)

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
        """Best matches first; every word must match (prefixes; accents and case ignored)."""
        match = fts_query(query)
        if not match:
            return []
        sql = (
            "SELECT n.* FROM notes_fts f JOIN notes n ON n.id = f.note_id WHERE notes_fts MATCH ? "
            "AND (? OR n.archived = 0) ORDER BY bm25(notes_fts) LIMIT ?"
        )
        try:
            with self._lock:
                rows = self._db.execute(sql, (match, int(include_archived), limit)).fetchall()
        except sqlite3.OperationalError as e:
            raise TrayStatusError("Note search", f"cannot search for {query!r}: {e}.") from None
        words = [_fold(w) for w in query.split()]
        return [SearchHit(note=(n := self._note(r)), snippet=_snippet(n, words)) for r in rows]

    # ---- deliveries ----
    def deliveries(self, note_id: str | None = None) -> list[Delivery]:
        sql, params = "SELECT * FROM deliveries", ()
        if note_id is not None:
            sql, params = sql + " WHERE note_id = ?", (note_id,)  # type: ignore[assignment]
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY rowid", params).fetchall()
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
            )
            for r in rows
        ]

    def open_deliveries(self) -> list[Delivery]:
        return [d for d in self.deliveries() if d.status is not DeliveryStatus.SENT]

    def save_delivery(self, d: Delivery) -> None:
        """Durable before this returns (synchronous=FULL): the worker relies on it before sending."""
        with self._tx() as db:
            self._put_delivery(db, d)

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
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # ---- internals ----
    @staticmethod
    def _put_delivery(db: sqlite3.Connection, d: Delivery) -> None:
        db.execute(
            "INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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


def _snippet(note: HandoffNote, words: list[str]) -> str:
    for s in note.sections:
        for line in s.text.splitlines():
            folded = _fold(line)
            if any(w in folded for w in words):
                return f"{s.title}: {line.strip()}"[:160]
    first = next((s for s in note.sections if s.text.strip()), None)
    return "" if first is None else f"{first.title}: {first.text.strip().splitlines()[0]}"[:160]
