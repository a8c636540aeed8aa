"""The settings window in a real process on the virtual screen (scaling from QT_SCALE_FACTOR), measured page by
page: does a page need sideways scrolling, is any widget narrower than it needs (clipped) or past the visible
area? argv: config path, screenshot name prefix. Prints one JSON line and exits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QScrollArea,
    QWidget,
)

from tests.e2e.layout_checks import shown_text_widgets, squeezed
from tests.fixtures.xvfb import SCREENSHOTS
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.app.accounts_service import ServiceAccountsManager
from traystatus.app.paths import AppPaths
from traystatus.app.settings_app import make_calendar_tester
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.window import SettingsWindow


def problems(page: QWidget, scroll: QScrollArea) -> list[str]:
    return clipped(page, scroll.viewport().width())


def clipped(page: QWidget, visible_width: int) -> list[str]:
    """Visible widgets of ``page`` narrower than they need, wrapped labels cut off at the bottom, and widgets
    that end past ``visible_width`` (also used by the first-run harness)."""
    out = []
    for w, name in shown_text_widgets(page):
        out += squeezed(w, name)
        right = w.mapTo(page, QPoint(w.width(), 0)).x()
        if right > visible_width + 1:
            out.append(f"{name}: ends at {right}, the page shows {visible_width}")
    return out


def main() -> int:
    app = QApplication(sys.argv[:1])
    config, prefix = Path(sys.argv[1]), sys.argv[2]
    window = SettingsWindow(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=ThreadRunner(app),
        accounts=ServiceAccountsManager(config),
        calendar_tester=make_calendar_tester(AppPaths.resolve(str(config)), ZoneInfo("UTC")),
    )
    window.show()
    report: dict[str, object] = {"pages": {}}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = list(window.pages)

    def measure(i: int) -> None:
        if i == len(pages):
            screen = window.screen()
            frame = window.frameGeometry()
            report.update(
                ratio=window.devicePixelRatio(),
                window=[frame.width(), frame.height()],
                screen=[screen.availableGeometry().width(), screen.availableGeometry().height()],
                accounts=[window.accounts_page.list.item(r).text() for r in range(window.accounts_page.list.count())],
            )
            print(json.dumps(report), flush=True)
            app.quit()
            return
        page = pages[i]
        window.show_page(page.title)

        def after_layout() -> None:
            scroll = window.stack.currentWidget()
            assert isinstance(scroll, QScrollArea)
            shot = SCREENSHOTS / f"{prefix}-{page.title.lower().replace(' ', '-')}.png"
            window.grab().save(str(shot))
            report["pages"][page.title] = {  # type: ignore[index]
                "sideways": scroll.horizontalScrollBar().maximum(),
                "problems": problems(page, scroll),
                "shot": str(shot),
            }
            measure(i + 1)

        QTimer.singleShot(400, window, after_layout)

    # the Accounts list is read on a worker first
    QTimer.singleShot(1500, window, lambda: measure(0))
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
