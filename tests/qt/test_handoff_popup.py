"""The handoff popup with pytest-qt (offscreen): sections, autosave, submit, snooze/skip, delivery state."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from traystatus.core.handoff import HandoffDraft, HandoffNote, HandoffSettings, NoteSection, new_draft
from traystatus.core.outbox import DeliveryStatus, begin, checked, failed, interrupted, new_deliveries, succeeded
from traystatus.qt.handoff_popup import HandoffPopup

NOW = datetime(2026, 11, 24, 16, tzinfo=UTC)


def make(qtbot: QtBot, draft: HandoffDraft | None = None, **kw: object) -> tuple[HandoffPopup, list[HandoffDraft]]:
    saved: list[HandoffDraft] = []
    prev = HandoffNote(
        id="p",
        created=NOW,
        sections=(
            NoteSection(title="Next / handed over to", text="ship v2"),
            NoteSection(title="Blocked", text="VPN (ask Ops)"),
        ),
    )
    d = draft or new_draft(HandoffSettings(), prev)
    d = HandoffDraft(
        sections=d.sections,
        destinations=("slack:#team", "matrix:!r:x"),
        sign_off=d.sign_off,
        focus_section=d.focus_section,
        cursor=d.cursor,
    )
    popup = HandoffPopup(d, save_draft=saved.append, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(popup)
    popup.show()
    return popup, saved


def test_sections_prefilled_and_sign_off_on(qtbot: QtBot) -> None:
    popup, _ = make(qtbot)
    assert len(popup.editors) == 6
    assert popup.editors[1].toPlainText() == "ship v2"
    assert popup.editors[2].toPlainText() == "VPN (ask Ops)"
    assert popup.sign_off.isChecked()
    assert "slack:#team" in popup.to_label.text()
    assert popup.skip_button is None and popup.snooze_buttons == []


def test_autosave_within_a_second_even_while_typing(qtbot: QtBot) -> None:
    popup, saved = make(qtbot)
    timer = popup._autosave
    assert timer.parent() is popup and timer.interval() <= 1000 and timer.isSingleShot()
    qtbot.keyClicks(popup.focus_section(0), "Merged the")
    assert timer.isActive()
    before = timer.remainingTime()
    qtbot.keyClicks(popup.editors[0], " parser")  # typing on does not postpone the save
    assert timer.remainingTime() <= before
    with qtbot.waitSignal(timer.timeout, timeout=2000):
        pass
    assert saved[-1].sections[0].text == "Merged the parser"
    assert saved[-1].focus_section == 0 and saved[-1].cursor == len("Merged the parser")
    n = len(saved)
    popup.save_now()  # nothing new: no write
    assert len(saved) == n
    popup.sign_off.setChecked(False)
    popup.close()  # closing saves what is pending
    assert saved[-1].sign_off is False


def test_reopens_where_it_was(qtbot: QtBot) -> None:
    base = new_draft(HandoffSettings(), None)
    sections = list(base.sections)
    sections[3] = NoteSection(title=sections[3].title, text="use SQLite")
    draft = HandoffDraft(sections=tuple(sections), focus_section=3, cursor=4)
    popup, _ = make(qtbot, draft)
    popup.activateWindow()
    assert popup.editors[3].textCursor().position() == 4
    assert popup.focusWidget() is popup.editors[3]


def test_submit_then_delivery_state_with_retry(qtbot: QtBot) -> None:
    popup, _ = make(qtbot)
    qtbot.keyClicks(popup.focus_section(0), "done & dusted")
    with qtbot.waitSignal(popup.submitted) as sig:
        qtbot.mouseClick(popup.submit_button, Qt.MouseButton.LeftButton)
    draft = sig.args[0]
    assert isinstance(draft, HandoffDraft) and draft.sign_off and draft.sections[0].text == "done & dusted"
    assert not popup.submit_button.isEnabled()
    popup.mark_submitted("n1")
    assert all(e.isReadOnly() for e in popup.editors)
    slack, matrix = new_deliveries("n1", ["slack:#team", "matrix:!r:x"], NOW)
    popup.show_deliveries(
        "n1",
        [succeeded(begin(slack, NOW), NOW, "1.2"), failed(begin(matrix, NOW), NOW, "Matrix homeserver unreachable")],
    )
    assert "✔ slack:#team: sent" in popup.delivery_labels["slack:#team"].text()
    assert "unreachable" in popup.delivery_labels["matrix:!r:x"].text()
    assert popup.retry_buttons["matrix:!r:x"].isVisibleTo(popup)
    assert not popup.retry_buttons["slack:#team"].isVisibleTo(popup)
    with qtbot.waitSignal(popup.retry_requested) as retry:
        qtbot.mouseClick(popup.retry_buttons["matrix:!r:x"], Qt.MouseButton.LeftButton)
    assert retry.args == ["n1", "matrix:!r:x"]
    popup.show_deliveries("other", [slack])  # another note's state is ignored
    assert "sent" in popup.delivery_labels["slack:#team"].text()


def test_ctrl_enter_submits_once_and_enter_is_a_new_line(qtbot: QtBot) -> None:
    popup, _ = make(qtbot)
    popup.show()
    popup.activateWindow()
    qtbot.waitUntil(popup.isActiveWindow)  # a window shortcut needs its window active
    edit = popup.focus_section(0)
    qtbot.keyClicks(edit, "line one")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.keyClicks(edit, "line two")
    with qtbot.waitSignal(popup.submitted) as sig:
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert sig.args[0].sections[0].text == "line one\nline two"
    popup.mark_submitted("n1")
    with qtbot.assertNotEmitted(popup.submitted):
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_uncertain_slack_state_is_explained(qtbot: QtBot) -> None:
    popup, _ = make(qtbot)
    popup.mark_submitted("n1")
    (d,) = new_deliveries("n1", ["slack:#team"], NOW)
    u = checked(interrupted(begin(d, NOW), NOW, "timeout"), NOW, found=None, history_available=False)
    assert u.status is DeliveryStatus.UNCERTAIN
    popup.show_deliveries("n1", [u])
    assert "may have been posted" in popup.delivery_labels["slack:#team"].text()
    assert popup.retry_buttons["slack:#team"].isVisibleTo(popup)
    assert popup.retry_buttons["slack:#team"].text() == "Post again"
    assert popup.mark_sent_buttons["slack:#team"].isVisibleTo(popup)
    with qtbot.waitSignal(popup.mark_sent_requested) as sig:
        popup.mark_sent_buttons["slack:#team"].click()
    assert sig.args == ["n1", "slack:#team"]


def test_delivery_state_from_the_worker_thread(qtbot: QtBot) -> None:
    popup, _ = make(qtbot)
    popup.mark_submitted("n1")
    (d,) = new_deliveries("n1", ["slack:#team"], NOW)
    worker = threading.Thread(target=popup.post_deliveries, args=("n1", [succeeded(begin(d, NOW), NOW, "1")]))
    with qtbot.waitSignal(popup._deliveries_posted, timeout=5000):
        worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "slack:#team" in popup.delivery_labels, timeout=5000)
    assert "sent" in popup.delivery_labels["slack:#team"].text()


def test_prompt_snooze_and_skip(qtbot: QtBot) -> None:
    popup, saved = make(qtbot, prompt=True)
    assert [b.text() for b in popup.snooze_buttons] == ["Snooze 15 min", "Snooze 1 h"]
    qtbot.keyClicks(popup.focus_section(5), "half written")
    with qtbot.waitSignal(popup.snoozed) as sig:
        qtbot.mouseClick(popup.snooze_buttons[1], Qt.MouseButton.LeftButton)
    assert sig.args == [60] and saved[-1].sections[5].text == "half written" and not popup.isVisible()
    popup2, _ = make(qtbot, prompt=True)
    assert popup2.skip_button is not None
    with qtbot.waitSignal(popup2.skipped):
        qtbot.mouseClick(popup2.skip_button, Qt.MouseButton.LeftButton)


def test_save_error_is_shown(qtbot: QtBot) -> None:
    from traystatus.core.errors import TrayStatusError

    def broken(_: HandoffDraft) -> None:
        raise TrayStatusError("Handoff draft", "cannot save the draft: disk full.")

    popup = HandoffPopup(new_draft(HandoffSettings(), None), save_draft=broken)
    qtbot.addWidget(popup)
    qtbot.keyClicks(popup.focus_section(0), "x")
    popup.save_now()
    assert "disk full" in popup.error_label.text() and not popup.error_label.isHidden()
