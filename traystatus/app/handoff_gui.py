"""The handoff popup as a window of its own (`traystatus handoff`), the history window (`traystatus notes
browse`), and the glue the tray app reuses: ``connect_popup`` wires a :class:`HandoffPopup` to a
:class:`HandoffService`; ``notes_window`` builds the history window over its archive.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.app.handoff_service import HandoffService
from traystatus.app.paths import AppPaths
from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffDraft, HandoffNote
from traystatus.core.model import Override
from traystatus.core.settings import Settings

if TYPE_CHECKING:
    from traystatus.qt.notes_window import NotesWindow


def connect_popup(service: HandoffService, popup: object) -> None:
    """Submit → store, sign off, deliver in the background; delivery states flow back to the popup."""
    from traystatus.qt.handoff_popup import HandoffPopup

    assert isinstance(popup, HandoffPopup)

    def signed_off(until: datetime | None, error: str) -> None:  # on the sign-off thread
        if until is not None:
            local = until.astimezone(service.settings.timezone)
            popup.post_sign_off(f"Signed off until {local:%a %H:%M}: off hours and Do Not Disturb", True)
        else:
            popup.post_sign_off(f"Not signed off: {error}", False)

    def submitted(draft: HandoffDraft) -> None:
        try:
            result = service.submit(draft, on_signed_off=signed_off)
        except TrayStatusError as e:
            popup.submit_failed(f"{e.title}: {e.message}")
            return
        popup.mark_submitted(result.note.id)
        popup.show_deliveries(result.note.id, result.deliveries)
        if result.sign_off_pending:
            popup.sign_off_label.setText("Signing off once the note is out…")
            popup.sign_off_label.show()

    popup.submitted.connect(submitted)
    popup.retry_requested.connect(service.worker.retry)
    service.listen(lambda d: popup.post_deliveries(d.note_id, [d]))


def run_popup(
    paths: AppPaths,
    settings: Settings,
    *,
    sign_off: Callable[[Override], None],
    destinations: tuple[str, ...],
    sign_off_default: bool,
) -> int:
    from PySide6.QtWidgets import QApplication

    from traystatus.qt.handoff_popup import HandoffPopup

    app = QApplication.instance() or QApplication(sys.argv[:1])
    service = HandoffService(paths, settings, sign_off=sign_off)
    try:
        draft = service.current_draft()
        if not service.drafts.load():  # a fresh draft follows the command line
            draft = dataclasses.replace(draft, destinations=destinations, sign_off=sign_off_default)
        popup = HandoffPopup(draft, save_draft=service.drafts.save)
        connect_popup(service, popup)
        service.worker.start()
        popup.show()
        app.exec()
        popup.save_now()
        return 0
    finally:
        service.close()


def find_notes(archive: SqliteNoteArchive) -> Callable[[str, bool], list[tuple[HandoffNote, str]]]:
    """The history window's search: every note (newest first) for an empty query, else FTS hits."""

    def find(query: str, include_archived: bool) -> list[tuple[HandoffNote, str]]:
        if not query.strip():
            return [(n, "") for n in archive.notes(include_archived=include_archived)]
        return [(h.note, h.snippet) for h in archive.search(query, include_archived=include_archived)]

    return find


def notes_window(service: HandoffService) -> NotesWindow:
    """The history window over the service's archive; Retry goes to its delivery worker."""
    from traystatus.qt.notes_window import NotesWindow

    archive = service.archive
    window = NotesWindow(
        find=find_notes(archive),
        deliveries=archive.deliveries,
        set_archived=archive.set_archived,
        tz=service.settings.timezone,
    )
    window.retry_requested.connect(service.worker.retry)
    service.listen(lambda _d: window.post_changed())
    return window


def run_notes_window(paths: AppPaths, settings: Settings) -> int:
    """`traystatus notes browse`: the history window as a process of its own."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    service = HandoffService(paths, settings)
    try:
        window = notes_window(service)
        service.worker.start()
        window.show()
        app.exec()
        return 0
    finally:
        service.close()
