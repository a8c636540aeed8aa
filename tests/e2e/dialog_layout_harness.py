"""The small windows a user meets outside the settings pages, each in its error or hint state, in a real
process on the virtual screen (scaling from QT_SCALE_FACTOR, a dark palette with DIALOG_DARK=1): is any text
cut off, any widget narrower than it needs, or past the window's edge? argv: the dialog's key, the
screenshot's name. Prints one JSON line and exits."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QScrollArea,
    QWidget,
)

from tests.e2e.layout_checks import shown_text_widgets, squeezed
from tests.fixtures.xvfb import SCREENSHOTS
from tests.qt.test_settings_theme import DARK
from traystatus.app.resources import icons_dir
from traystatus.core.errors import ServiceError
from traystatus.core.tray_view import initial_view

SECRET_URL = "https://calendar.google.com/calendar/ical/me%40example.org/private-0123456789abcdef/basic.ics"
LONG_ERROR = ServiceError(
    "Slack refused the token",
    "users.profile.get at https://slack.com/api/: invalid_auth — the token was revoked or belongs to another "
    "workspace. Create a new user token (xoxp-…) with the scopes listed above and paste it here.",
)


def problems(window: QWidget) -> list[str]:
    out = []
    for w, name in shown_text_widgets(window):
        out += squeezed(w, name)
        if _in_scroll_area(w, window):
            continue  # it scrolls into view (sideways scrolling is checked on the scroll areas below)
        corner = w.mapTo(window, QPoint(w.width(), w.height()))
        if corner.x() > window.width() + 1 or corner.y() > window.height() + 1:
            out.append(f"{name}: ends at {corner.x()}×{corner.y()}, the window is {window.width()}×{window.height()}")
    for area in window.findChildren(QScrollArea):
        if area.isVisible() and area.horizontalScrollBar().maximum() > 0:
            out.append(f"{type(area).__name__}: needs sideways scrolling")
    return out


def _in_scroll_area(w: QWidget, window: QWidget) -> bool:
    parent = w.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def build(key: str) -> QWidget:
    if key in ("slack-error", "matrix-error"):
        from traystatus.qt.settings.account_dialogs import MatrixLoginDialog, SlackTokenDialog

        dialog = SlackTokenDialog() if key == "slack-error" else MatrixLoginDialog()
        dialog.show()
        dialog.failed(LONG_ERROR, next(iter(dialog.errors)))
        return dialog
    if key == "calendar-hint":
        from traystatus.qt.settings.calendar_dialog import AddCalendarDialog

        dialog = AddCalendarDialog()
        dialog.show()
        dialog.url.setText(SECRET_URL)  # both hints: the kind read from the address, and the keyring
        return dialog
    if key == "handoff-errors":
        from traystatus.core.handoff import HandoffSettings, new_draft
        from traystatus.core.outbox import Delivery, DeliveryStatus
        from traystatus.qt.handoff_popup import HandoffPopup

        popup = HandoffPopup(new_draft(HandoffSettings(), None), save_draft=lambda _draft: None)
        popup.show()
        popup.mark_submitted("n1")
        popup.show_deliveries(
            "n1",
            [
                Delivery(
                    note_id="n1",
                    destination="slack:#handoffs",
                    status=DeliveryStatus.FAILED,
                    attempts=3,
                    last_error=LONG_ERROR.message,
                ),
                Delivery(
                    note_id="n1",
                    destination="matrix:!team:example.org",
                    status=DeliveryStatus.UNCERTAIN,
                    attempts=1,
                    last_error="timeout",
                ),
            ],
        )
        popup.show_sign_off("Could not sign off: " + LONG_ERROR.message, False)
        popup.show_error(LONG_ERROR.message)
        return popup
    if key == "history-errors":
        from zoneinfo import ZoneInfo

        from traystatus.core.handoff import HandoffNote, NoteSection, parse_destination
        from traystatus.core.outbox import Delivery, DeliveryStatus
        from traystatus.qt.notes_window import NotesWindow

        dests = ("slack:#handoffs", "matrix:!team:example.org")
        note = HandoffNote(
            id="n1",
            created=datetime(2026, 12, 2, 16, 40, tzinfo=UTC),
            sections=(
                NoteSection(title="Done", text="Shipped the runtime\n" * 3),
                NoteSection(title="Blocked", text="Waiting on review"),
            ),
            destinations=tuple(parse_destination(d) for d in dests),
        )
        failed = [
            Delivery(note_id="n1", destination=dests[0], status=DeliveryStatus.FAILED, last_error=LONG_ERROR.message),
            Delivery(note_id="n1", destination=dests[1], status=DeliveryStatus.UNCERTAIN, last_error="timeout"),
        ]
        history = NotesWindow(
            find=lambda _query, _archived: [(note, "")],
            deliveries=lambda _id: failed,
            set_archived=lambda _id, _archived: None,
            tz=ZoneInfo("Europe/Berlin"),
        )
        history.show()
        return history
    from traystatus.qt.fallback_window import FallbackWindow
    from traystatus.qt.icons import IconSet
    from traystatus.qt.menu import TrayMenu

    window = FallbackWindow(IconSet(icons_dir()), TrayMenu(windows=("settings",)))
    window.show_view(initial_view("", datetime.now(UTC)))
    window.show()
    window.show_message(LONG_ERROR.title, LONG_ERROR.message)
    return window


def main() -> int:
    app = QApplication(sys.argv[:1])
    if os.environ.get("DIALOG_DARK") == "1":
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, colour)
        app.setPalette(palette)
    key, shot_name = sys.argv[1], sys.argv[2]
    window = build(key)

    def measure() -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{shot_name}.png"
        window.grab().save(str(shot))
        screen = window.screen().availableGeometry()
        frame = window.frameGeometry()
        print(
            json.dumps(
                {
                    "ratio": window.devicePixelRatio(),
                    "window": [frame.width(), frame.height()],
                    "screen": [screen.width(), screen.height()],
                    "problems": problems(window),
                    "shot": str(shot),
                }
            ),
            flush=True,
        )
        app.quit()

    QTimer.singleShot(600, window, measure)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
