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


def _files(d: Path) -> dict[str, tuple[int, bytes]]:
    """The archive file itself (SQLite may add its -shm/-wal reader files beside it when it can)."""
    p = d / "handoff.sqlite3"
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes())}


def test_read_only_open_writes_nothing(tmp_path: Path) -> None:
    """`notes list`/`search` open read-only: no schema, no pragma, no -wal/-shm, not a byte changed."""
    archive = SqliteNoteArchive.in_dir(tmp_path)
    archive.store(mk("n1", "Übergabe an Jürgen"), NOW)
    archive.close()
    before = _files(tmp_path)
    reader = SqliteNoteArchive.in_dir(tmp_path, read_only=True)
    try:
        assert [n.id for n in reader.notes()] == ["n1"]
        assert [h.note.id for h in reader.search("jurgen")] == ["n1"]
        with pytest.raises(TrayStatusError, match="readonly database"):
            reader.set_meta("k", "v")
    finally:
        reader.close()
    assert _files(tmp_path) == before
    empty = tmp_path / "nothing-yet"
    empty.mkdir()
    fresh = SqliteNoteArchive.in_dir(empty, read_only=True)
    assert fresh.notes() == [] and list(empty.iterdir()) == []  # no archive yet: empty, none created
    fresh.close()


def _crash_marker(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('closed_cleanly', '0')")  # as a killed process leaves it
    db.commit()
    db.close()


def test_damaged_search_index_is_rebuilt_from_the_notes(tmp_path: Path) -> None:
    archive = SqliteNoteArchive.in_dir(tmp_path)
    archive.store(mk("n1", "posted wording"), NOW)
    archive.edit("n1", [NoteSection(title="Done", text="edited wording")], NOW + timedelta(hours=1))
    archive.close()
    db = sqlite3.connect(tmp_path / "handoff.sqlite3")
    db.execute("UPDATE notes_fts_data SET block = X'0102030405060708' WHERE id = 10")  # a torn index structure
    db.commit()
    db.close()
    _crash_marker(tmp_path / "handoff.sqlite3")
    archive = SqliteNoteArchive.in_dir(tmp_path)  # opened after a crash: checked, index rebuilt
    try:
        assert archive.rebuilt_index
        assert [h.note.id for h in archive.search("posted")] == ["n1"] and archive.search("edited")
    finally:
        archive.close()


def test_a_damaged_index_never_blocks_a_new_note(tmp_path: Path) -> None:
    archive = SqliteNoteArchive.in_dir(tmp_path)
    archive.store(mk("n1", "first note"), NOW)
    archive._db.execute("UPDATE notes_fts_data SET block = X'01' WHERE id = 10")
    try:
        archive.store(mk("n2", "second note", days=1), NOW)  # clean close before: found when writing
        assert archive.rebuilt_index
        assert {h.note.id for h in archive.search("note")} == {"n1", "n2"}
    finally:
        archive.close()


def test_a_damaged_file_is_never_written_and_the_fix_is_named(tmp_path: Path) -> None:
    archive = SqliteNoteArchive.in_dir(tmp_path)
    for i in range(40):  # a few pages of notes
        archive.store(mk(f"n{i:02d}", "x" * 2000, days=i), NOW)
    archive.close()
    path = tmp_path / "handoff.sqlite3"
    _crash_marker(path)
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page : 3 * page + 64] = b"\xff" * 64  # a torn b-tree page
    path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(TrayStatusError) as err:
        SqliteNoteArchive.in_dir(tmp_path)
    assert err.value.title == "Handoff archive damaged"
    assert "`traystatus notes repair`" in err.value.message and str(path) in err.value.message
    assert path.read_bytes() == before  # not a byte written into the damaged file


def test_search_over_a_damaged_index_rebuilds_it_or_says_so_read_only(tmp_path: Path) -> None:
    archive = SqliteNoteArchive.in_dir(tmp_path)
    for i in range(3):
        archive.store(mk(f"n{i}", f"hello world {i}", days=i), NOW)
    archive._db.execute("UPDATE notes_fts_data SET block = X'0102' WHERE id > 10")  # torn leaves
    archive.close()
    reader = SqliteNoteArchive.in_dir(tmp_path, read_only=True)
    with pytest.raises(TrayStatusError, match="search index is damaged") as err:
        reader.search("hello")
    assert "notes list" in err.value.message and [n.id for n in reader.notes()] == ["n2", "n1", "n0"]
    reader.close()
    writer = SqliteNoteArchive.in_dir(tmp_path)
    try:
        assert {h.note.id for h in writer.search("hello")} == {"n0", "n1", "n2"} and writer.rebuilt_index
    finally:
        writer.close()
