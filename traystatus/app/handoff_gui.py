"""GUI entry: the handoff popup as a window of its own (`traystatus handoff`) and the history window
(`traystatus notes browse`), each a process of its own over the real service; the glue is in
``qt.handoff_windows``.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from traystatus.app.handoff_service import HandoffService
from traystatus.app.paths import AppPaths
from traystatus.core.model import Override
from traystatus.core.settings import Settings
from traystatus.qt.handoff_windows import connect_popup, notes_window

if TYPE_CHECKING:
    pass


def run_popup(
    paths: AppPaths,
    settings: Settings,
    *,
    sign_off: Callable[[Override], None],
    destinations: tuple[str, ...],
    sign_off_default: bool,
) -> int:
    from traystatus.qt.source_scan import stop_caching_sources

    stop_caching_sources()  # a process of its own: PySide6 would keep every module's source in memory
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


def run_notes_window(paths: AppPaths, settings: Settings) -> int:
    """`traystatus notes browse`: the history window as a process of its own."""
    from traystatus.qt.source_scan import stop_caching_sources

    stop_caching_sources()
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
