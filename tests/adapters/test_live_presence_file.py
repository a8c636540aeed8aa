"""The running process's presence note, as `traystatus status` reads it: fresh only, removed when it ends."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from traystatus.adapters.live_presence_file import LiveNoteFile
from traystatus.core.live_presence import LiveState

T = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_note_is_read_while_fresh_and_gone_when_it_ends(tmp_path: Path) -> None:
    notes = LiveNoteFile(tmp_path / "state")
    notes.save("matrix:@me:x", LiveState(problem="Matrix homeserver unreachable"), now=T)
    got = notes.load("matrix:@me:x", T + timedelta(minutes=1))
    assert got.startswith("Matrix homeserver unreachable (seen by the running traystatus at 09:00 UTC")
    assert notes.load("matrix:@other:x", T) == ""
    assert notes.load("matrix:@me:x", T + timedelta(minutes=4)) == ""  # its process is gone
    (file,) = (tmp_path / "state").iterdir()
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    notes.save("matrix:@me:x", LiveState(), now=T)
    assert list((tmp_path / "state").iterdir()) == []


def test_a_broken_or_lying_file_is_no_note(tmp_path: Path) -> None:
    notes = LiveNoteFile(tmp_path)
    notes.save("matrix:@me:x", LiveState(problem="x"), now=T)
    (file,) = tmp_path.iterdir()
    for text in ("{", '{"note": 1}', '{"account": "matrix:@me:x", "note": "x", "at": "2026-11-24T09:00"}', "[]"):
        file.write_text(text, encoding="utf-8")
        assert notes.load("matrix:@me:x", T) == ""
    file.write_text('{"account": "matrix:@me:x", "note": "x", "at": "2027-01-01T00:00:00+00:00"}', encoding="utf-8")
    assert notes.load("matrix:@me:x", T) == ""  # from the future
