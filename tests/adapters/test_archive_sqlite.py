"""The SQLite archive: stored forever, revisions, archive/unarchive, multilingual full-text search."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from traystatus.adapters.archive_sqlite import SqliteNoteArchive, fts_query
from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffNote, NoteSection, parse_destination
from traystatus.core.outbox import DeliveryStatus, begin

NOW = datetime(2026, 11, 24, 16, tzinfo=UTC)


def mk(nid: str, text: str, *, days: int = 0, dests: tuple[str, ...] = ()) -> HandoffNote:
    return HandoffNote(
        id=nid,
        created=NOW + timedelta(days=days),
        sections=(NoteSection(title="Done", text=text), NoteSection(title="Next", text="")),
        destinations=tuple(parse_destination(d) for d in dests),
    )


@pytest.fixture
def archive(tmp_path: Path) -> SqliteNoteArchive:
    a = SqliteNoteArchive.in_dir(tmp_path)
    yield a  # type: ignore[misc]
    a.close()


MULTI = [
    ("de", "Die Übergabe an Jürgen: Größenänderung der Straßenkarte erledigt"),
    ("fr", "Décision prise avec Hélène : le café réseau est déployé à Orléans"),
    ("ja", "東京チームに引き継ぎ。データベース移行は完了しました"),
    ("ru", "Передал Дмитрию задачу по миграции базы данных"),
    ("en", "Reviewed the naive resume parser"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Jürgen", {"de"}),
        ("jurgen", {"de"}),
        ("GRÖSSENÄNDERUNG", set()),
        ("größenänderung", {"de"}),
        ("Übergabe", {"de"}),
        ("ubergabe", {"de"}),
        ("Straßenkarte", {"de"}),
        ("helene", {"fr"}),
        ("Décision déployé", {"fr"}),
        ("cafe reseau", {"fr"}),
        ("Orléans", {"fr"}),
        ("東京", {"ja"}),
        ("移行", {"ja"}),
        ("データベース", {"ja"}),
        ("大阪", set()),
        ("дмитрию", {"ru"}),
        ("МИГРАЦИИ", {"ru"}),
        ("базы данных", {"ru"}),
        ("мигр", {"ru"}),
        ("résumé naïve", {"en"}),
        ("resum", {"en"}),
        ("parser Jürgen", set()),
    ],
)
def test_full_text_search_in_several_languages(archive: SqliteNoteArchive, query: str, expected: set[str]) -> None:
    for i, (nid, text) in enumerate(MULTI):
        archive.store(mk(nid, text, days=i), NOW)
    assert {h.note.id for h in archive.search(query)} == expected


def test_search_quotes_user_input(archive: SqliteNoteArchive) -> None:
    archive.store(mk("a", 'said "NEAR" OR AND * ( ) col:on'), NOW)
    assert fts_query('a"b') == '"ab"*'
    assert [h.note.id for h in archive.search("NEAR OR ( col:on")] == ["a"]
    assert archive.search("   ") == []
    hit = archive.search("near")[0]
    assert hit.snippet.startswith("Done: said")


def test_store_first_with_pending_deliveries_then_state_persists(tmp_path: Path) -> None:
    a = SqliteNoteArchive.in_dir(tmp_path)
    ds = a.store(mk("n1", "x", dests=("slack:#t", "matrix:!r:h")), NOW)
    assert [d.status for d in ds] == [DeliveryStatus.PENDING] * 2
    a.save_delivery(begin(ds[0], NOW))
    a.close()
    b = SqliteNoteArchive.in_dir(tmp_path)  # a restart
    got = {d.destination: d for d in b.deliveries("n1")}
    assert got["slack:#t"].status is DeliveryStatus.IN_FLIGHT and got["slack:#t"].attempts == 1
    assert got["matrix:!r:h"].txn_id == ds[1].txn_id and len(b.open_deliveries()) == 2
    assert b.get("n1").destinations[1].target == "!r:h"
    b.close()


def test_edit_keeps_revisions_and_every_revision_is_found(archive: SqliteNoteArchive) -> None:
    archive.store(mk("n1", "first wording"), NOW)
    edited = archive.edit("n1", [NoteSection(title="Done", text="second wording")], NOW + timedelta(hours=1))
    assert edited.revision == 2 and archive.get("n1").revision == 2
    assert [r.sections[0].text for r in archive.revisions("n1")] == ["first wording", "second wording"]
    # The text that was posted (revision 1) is still found; a note matching in two revisions is listed once.
    assert [h.note.id for h in archive.search("first")] == ["n1"]
    assert [h.note.id for h in archive.search("second")] == ["n1"]
    assert [h.note.id for h in archive.search("wording")] == ["n1"]
    assert archive.search("first second") == []  # every word within one revision


def test_version_1_archive_is_migrated(tmp_path: Path) -> None:
    """A version-1 file (no leases, only the latest revision indexed) opens, keeps its data, and finds
    the earlier revision's text."""
    archive = SqliteNoteArchive.in_dir(tmp_path)
    archive.store(mk("n1", "posted wording", dests=("slack:#team",)), NOW)
    archive.edit("n1", [NoteSection(title="Done", text="edited wording")], NOW + timedelta(hours=1))
    archive.close()
    db = sqlite3.connect(tmp_path / "handoff.sqlite3")
    db.executescript(
        "DELETE FROM notes_fts; INSERT INTO notes_fts (note_id, content) VALUES ('n1', 'Done edited wording');"
        "ALTER TABLE deliveries DROP COLUMN lease_until; ALTER TABLE deliveries DROP COLUMN lease_owner;"
        "PRAGMA user_version = 1;"
    )
    db.close()
    archive = SqliteNoteArchive.in_dir(tmp_path)
    try:
        assert [h.note.id for h in archive.search("posted")] == ["n1"]
        [d] = archive.deliveries("n1")
        assert d.status is DeliveryStatus.PENDING and d.lease_owner == "" and d.lease_until is None
    finally:
        archive.close()


def test_archive_unarchive_never_delete(archive: SqliteNoteArchive) -> None:
    archive.store(mk("aaa111", "old", days=0), NOW)
    archive.store(mk("bbb222", "new", days=1), NOW)
    assert archive.latest().id == "bbb222"  # type: ignore[union-attr]
    archive.set_archived(archive.resolve_id("bbb"), True)
    assert [n.id for n in archive.notes()] == ["aaa111"]
    assert [n.id for n in archive.notes(include_archived=True)] == ["bbb222", "aaa111"]
    assert [h.note.id for h in archive.search("new")] == ["bbb222"]
    assert archive.search("new", include_archived=False) == []
    archive.set_archived("bbb222", False)
    assert [n.id for n in archive.notes(since=NOW + timedelta(hours=1))] == ["bbb222"]
    with pytest.raises(TrayStatusError, match="no note has"):
        archive.resolve_id("zzz")
    with pytest.raises(TrayStatusError, match="no note with id"):
        archive.set_archived("zzz", True)
    with sqlite3.connect(archive.path) as db:  # the schema has no way to lose a note
        assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 2


def test_meta(archive: SqliteNoteArchive) -> None:
    assert archive.get_meta("k") is None
    archive.set_meta("k", "v")
    archive.set_meta("k", "w")
    assert archive.get_meta("k") == "w"
