"""The handoff history window under pytest-qt, over a real SQLite archive: browse, search (several languages,
accents ignored), archive/unarchive without deleting, delivery state with Retry, updates from the worker thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.core.handoff import HandoffNote, NoteSection, parse_destination
from traystatus.core.outbox import DeliveryStatus, failed, mark_sent, succeeded
from traystatus.qt.handoff_windows import find_notes
from traystatus.qt.notes_window import SEARCH_DELAY_MS, STATE_POLL_MS, NotesWindow

NOW = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
TEXTS = {
    "de1": "Die Übergabe an Jürgen: Größenänderung der Straßenkarte erledigt",
    "fr1": "Décision prise avec Hélène : le café réseau est déployé à Orléans",
    "ja1": "東京チームに引き継ぎ。データベース移行は完了しました",
    "en1": "Reviewed the parser & fixed <ticket-12>",
}


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[SqliteNoteArchive]:
    a = SqliteNoteArchive.in_dir(tmp_path)
    for i, (nid, text) in enumerate(TEXTS.items()):
        dests = ("slack:#handoffs", "matrix:!room:example.org") if nid == "en1" else ()
        a.store(
            HandoffNote(
                id=nid,
                created=NOW + timedelta(days=i),
                sections=(NoteSection(title="Done", text=text), NoteSection(title="Next", text="")),
                destinations=tuple(parse_destination(d) for d in dests),
            ),
            NOW,
        )
    slack, matrix = a.deliveries("en1")
    a.save_delivery(succeeded(slack, NOW, "1700000000.000100"))
    a.save_delivery(failed(matrix, NOW, "homeserver unreachable", permanent=True))
    yield a
    a.close()


@pytest.fixture
def window(qtbot: QtBot, archive: SqliteNoteArchive) -> NotesWindow:
    w = NotesWindow(
        find=find_notes(archive),
        deliveries=archive.deliveries,
        set_archived=archive.set_archived,
        tz=ZoneInfo("Europe/Berlin"),
    )
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def search(qtbot: QtBot, w: NotesWindow, text: str) -> list[str]:
    w.search.clear()
    if text.isascii() or all(ord(c) < 256 for c in text):
        qtbot.keyClicks(w.search, text)
    else:  # QTest cannot type outside Latin-1 (it aborts); a paste is what a CJK input method delivers
        w.search.insert(text)
    assert w._debounce.isActive() or not text
    qtbot.waitUntil(lambda: not w._debounce.isActive(), timeout=SEARCH_DELAY_MS * 20)
    return w.shown_ids()


def test_browse_newest_first_and_show_the_selected_note(window: NotesWindow) -> None:
    assert window.shown_ids() == ["en1", "ja1", "fr1", "de1"]
    assert window.count_label.text() == "4 notes in the archive"
    assert window.list.item(0).text().startswith("Mon 23 Nov 2026 17:30")  # in the user's zone
    text = window.view.toPlainText()
    assert "Handoff 2026-11-23" in text and "Reviewed the parser & fixed <ticket-12>" in text  # not HTML-mangled
    assert "slack:#handoffs: sent" in window.delivery_label.text()
    assert "matrix:!room:example.org: failed (homeserver unreachable" in window.delivery_label.text()


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("jurgen", ["de1"]),
        ("Übergabe", ["de1"]),
        ("helene cafe", ["fr1"]),
        ("移行", ["ja1"]),
        ("parser", ["en1"]),
        ("jurgen parser", []),
    ],
)
def test_search_as_you_type(qtbot: QtBot, window: NotesWindow, query: str, ids: list[str]) -> None:
    assert search(qtbot, window, query) == ids
    if not ids:
        assert window.view.toPlainText() == "No note matches."
    assert search(qtbot, window, "") == ["en1", "ja1", "fr1", "de1"]


def test_archive_hides_never_deletes_and_unarchive(
    qtbot: QtBot, window: NotesWindow, archive: SqliteNoteArchive
) -> None:
    window.list.setCurrentRow(2)
    assert window.current_note() is not None and window.current_note().id == "fr1"  # type: ignore[union-attr]
    qtbot.mouseClick(window.archive_button, Qt.MouseButton.LeftButton)
    assert window.shown_ids() == ["en1", "ja1", "de1"]
    assert archive.get("fr1").archived  # still there
    window.show_archived.setChecked(True)
    assert window.shown_ids() == ["en1", "ja1", "fr1", "de1"]
    assert "[archived]" in window.list.item(2).text()
    window.list.setCurrentRow(2)
    assert window.archive_button.text() == "Unarchive"
    qtbot.mouseClick(window.archive_button, Qt.MouseButton.LeftButton)
    assert not archive.get("fr1").archived
    assert window.current_note() is not None and window.current_note().id == "fr1"  # type: ignore[union-attr]


def test_retry_failed_delivery_and_state_from_the_worker_thread(
    qtbot: QtBot, window: NotesWindow, archive: SqliteNoteArchive
) -> None:
    assert window.retry_button.isEnabled()
    with qtbot.waitSignal(window.retry_requested) as sig:
        qtbot.mouseClick(window.retry_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["en1", "matrix:!room:example.org"]  # only the failed one
    _slack, matrix = archive.deliveries("en1")

    def worker() -> None:
        archive.save_delivery(succeeded(matrix, NOW, "$event"))
        window.post_changed()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: "matrix:!room:example.org: sent" in window.delivery_label.text())
    assert not window.retry_button.isEnabled()


def test_keyboard_escape_closes_and_alt_r_retries_after_a_reopen(qtbot: QtBot, window: NotesWindow) -> None:
    """A keyboard user closes the window with Escape (or Ctrl+W) and retries with Alt+R; reopened, the
    same window still sends its Retry and shows the selected note's true state."""
    for keys in (Qt.Key.Key_Escape, "ctrl+w"):
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # a window shortcut needs its window active
        if keys == "ctrl+w":
            qtbot.keyClick(window.list, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
        else:
            qtbot.keyClick(window.list, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not window.isVisible())
        window.show()
        window.reload()
        qtbot.waitExposed(window)
    assert window.current_note() is not None and window.current_note().id == "en1"  # type: ignore[union-attr]
    assert "retry when fixed" in window.delivery_label.text()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    with qtbot.waitSignal(window.retry_requested) as sig:
        qtbot.keyClick(window.list, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert sig.args == ["en1", "matrix:!room:example.org"]


def test_may_have_been_posted_offers_post_again_and_mark_as_sent(
    qtbot: QtBot, window: NotesWindow, archive: SqliteNoteArchive
) -> None:
    """The history window says it once with both choices; Mark as sent is final (the button goes)."""
    _slack, matrix = archive.deliveries("en1")
    unsure = replace(
        matrix, status=DeliveryStatus.UNCERTAIN, next_attempt=None, last_error="look in the room, then decide"
    )
    archive.save_delivery(unsure)
    window.post_changed()
    qtbot.waitUntil(lambda: "may have been posted" in window.delivery_label.text())
    assert window.retry_button.text() == "&Post again" and window.retry_button.isEnabled()
    assert window.mark_sent_button.isVisible()
    with qtbot.waitSignal(window.mark_sent_requested) as sig:
        qtbot.mouseClick(window.mark_sent_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["en1", "matrix:!room:example.org"]
    archive.save_delivery(mark_sent(unsure, NOW))
    window.post_changed()
    qtbot.waitUntil(lambda: "matrix:!room:example.org: sent" in window.delivery_label.text())
    assert not window.mark_sent_button.isVisible() and not window.retry_button.isEnabled()


def test_a_change_by_another_process_shows_while_the_window_is_open(
    qtbot: QtBot, window: NotesWindow, tmp_path: Path
) -> None:
    """`traystatus notes mark-sent` or a headless service changes the archive: this window hears only its
    own process's worker, so while shown it reads the selected note's state again; hidden, it reads nothing."""
    other = SqliteNoteArchive.in_dir(tmp_path)  # another process's connection to the same file
    try:
        _slack, matrix = other.deliveries("en1")
        other.save_delivery(succeeded(matrix, NOW, "$from-elsewhere"))
        qtbot.waitUntil(
            lambda: "matrix:!room:example.org: sent" in window.delivery_label.text(), timeout=STATE_POLL_MS * 5
        )
        assert not window.retry_button.isEnabled()
        window.hide()
        assert not window._poll.isActive()
    finally:
        other.close()
