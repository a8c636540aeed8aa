"""A damaged handoff archive, damaged for real (b-tree pages overwritten on disk), as a user meets it: the next
note is refused with the fix, `traystatus notes repair` gets every note back that can be read (a note whose own
row is lost comes back from its revisions), keeps the damaged file, and the archive works again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.adapters.test_archive_sqlite import NOW, mk
from traystatus.adapters.archive_sqlite import FILE_NAME, SqliteNoteArchive
from traystatus.adapters.wake_socket import WakeListener
from traystatus.app.cli import run
from traystatus.app.paths import AppPaths
from traystatus.core.errors import TrayStatusError

PAGE = 4096


@pytest.fixture
def archive_path(isolated_home: Path) -> Path:
    data = AppPaths.resolve().data_dir
    archive = SqliteNoteArchive.in_dir(data)
    for i in range(40):  # a few pages of notes, each with two revisions
        archive.store(mk(f"n{i:02d}", f"note {i} " + "x" * 1500, days=i), NOW)
        archive.edit(f"n{i:02d}", mk(f"n{i:02d}", f"edited {i} " + "y" * 1500).sections, NOW)
    archive.close()
    return data / FILE_NAME


def pages_of(path: Path, table: str, kind: str) -> list[int]:
    db = sqlite3.connect(path)
    try:
        return [p for (p,) in db.execute("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = ?", (table, kind))]
    finally:
        db.close()


def tear(path: Path, page: int) -> None:
    """Overwrite the header of b-tree page ``page`` (1-based) on disk, as a torn write or a bad sector does."""
    data = bytearray(path.read_bytes())
    start = (page - 1) * PAGE
    data[start : start + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


def note_ids(capsys: pytest.CaptureFixture[str]) -> set[str]:
    assert run(["notes", "list", "--all"]) == 0
    return {line.split()[0] for line in capsys.readouterr().out.splitlines() if line.strip()}


def test_a_note_on_a_damaged_archive_is_refused_with_the_fix_then_repair_brings_all_back(
    archive_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tear(archive_path, pages_of(archive_path, "sqlite_autoindex_notes_1", "leaf")[0])  # no crash: found on writing
    before = archive_path.read_bytes()
    note = tmp_path / "note.md"
    note.write_text("# Done\nafter the damage\n")
    for _ in range(2):  # the second time it is refused before anything is tried
        assert run(["handoff", "--text-file", str(note), "--no-sign-off"]) == 2
        err = capsys.readouterr().err
        assert "Handoff archive damaged" in err and "`traystatus notes repair`" in err and "Traceback" not in err
    assert archive_path.read_bytes() == before  # not a byte written into it
    assert run(["notes", "repair"]) == 0
    out = capsys.readouterr().out
    assert "40 note(s), 80 revision(s)" in out and "search index was rebuilt" in out
    kept = Path(out.split("The damaged file is kept as ")[1].split(";")[0])
    assert kept.parent == archive_path.parent and kept.name.startswith(f"{FILE_NAME}.damaged-")
    assert kept.read_bytes() == before and kept.stat().st_mode & 0o077 == 0
    assert note_ids(capsys) == {f"n{i:02d}" for i in range(40)}
    assert run(["notes", "search", "edited", "17"]) == 0 and "n17" in capsys.readouterr().out
    assert run(["handoff", "--text-file", str(note), "--no-sign-off"]) == 0
    assert "Stored note" in capsys.readouterr().out
    assert len(note_ids(capsys)) == 41
    db = sqlite3.connect(archive_path)
    assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
    db.close()


def test_notes_whose_rows_are_lost_come_back_from_their_revisions(
    archive_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tear(archive_path, pages_of(archive_path, "notes", "leaf")[1])  # some notes' own rows are gone
    with pytest.raises(TrayStatusError, match="cannot read it either"):
        SqliteNoteArchive(archive_path, read_only=True).notes()
    assert run(["notes", "list"]) == 2
    assert "`traystatus notes repair`" in capsys.readouterr().err  # the reading side names the fix too
    assert run(["notes", "repair"]) == 0
    out = capsys.readouterr().out
    assert "note(s) came back from their revisions" in out and "could not be read" in out
    assert note_ids(capsys) == {f"n{i:02d}" for i in range(40)}
    archive = SqliteNoteArchive(archive_path)
    try:
        assert "edited 5 " in archive.get("n05").sections[0].text  # the latest revision's text
        assert [r.revision for r in archive.revisions("n05")] == [1, 2]
    finally:
        archive.close()


def test_repair_leaves_a_sound_archive_alone_and_waits_for_a_running_app(
    archive_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = archive_path.read_bytes()
    assert run(["notes", "repair"]) == 0
    assert "is not damaged: nothing to repair" in capsys.readouterr().out
    assert archive_path.read_bytes() == before
    tear(archive_path, pages_of(archive_path, "note_revisions", "leaf")[0])
    torn = archive_path.read_bytes()
    running = WakeListener(AppPaths.resolve().state_dir, lambda _what: None)  # as the tray or run --headless
    assert running.start()
    try:
        assert run(["notes", "repair"]) == 2
        assert "quit the tray app or stop `traystatus run --headless`" in capsys.readouterr().err
        assert archive_path.read_bytes() == torn
    finally:
        running.stop()
    for leftover in archive_path.parent.glob(f"{FILE_NAME}.damaged-*"):  # the refused run kept no copy
        pytest.fail(f"a refused repair left {leftover}")
