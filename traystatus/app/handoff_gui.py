"""The handoff popup as a window of its own (`traystatus handoff`), and the glue the tray app reuses:
``connect_popup`` wires a :class:`HandoffPopup` to a :class:`HandoffService`.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable

from traystatus.app.handoff_service import HandoffService
from traystatus.app.paths import AppPaths
from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffDraft
from traystatus.core.model import Override
from traystatus.core.settings import Settings


def connect_popup(service: HandoffService, popup: object) -> None:
    """Submit → store, sign off, deliver in the background; delivery states flow back to the popup."""
    from traystatus.qt.handoff_popup import HandoffPopup

    assert isinstance(popup, HandoffPopup)

    def submitted(draft: HandoffDraft) -> None:
        try:
            result = service.submit(draft)
        except TrayStatusError as e:
            popup.submit_failed(f"{e.title}: {e.message}")
            return
        popup.mark_submitted(result.note.id)
        popup.show_deliveries(result.note.id, result.deliveries)
        if result.sign_off_error:
            popup.show_error(f"Not signed off: {result.sign_off_error}")

    popup.submitted.connect(submitted)
    popup.retry_requested.connect(service.worker.retry)
    service.listen(lambda d: popup.post_deliveries(d.note_id, [d]))


def run_popup(paths: AppPaths, settings: Settings, *, sign_off: Callable[[Override], None],
              destinations: tuple[str, ...], sign_off_default: bool) -> int:
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
