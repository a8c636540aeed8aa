"""The first-run setup in a real process on the virtual screen (scaling from QT_SCALE_FACTOR; FIRST_RUN_DARK=1
hands Qt a dark palette), walked as a new user would: Connect Slack's guide (also with a refused token), a
calendar file tested, a zone typed as a city, a lunch break and an overlap in the hours editor, the plan, Finish.
Every screen is photographed and measured (clipped or cut-off widgets, sideways scrolling).
argv: config path, .ics path, screenshot name prefix. Prints one JSON line and exits.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTime, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QListWidget, QScrollArea, QWidget

from tests.e2e.settings_layout_harness import clipped
from tests.fixtures.xvfb import SCREENSHOTS
from tests.qt.test_settings_theme import DARK
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.app.accounts_service import ServiceAccountsManager
from traystatus.app.paths import AppPaths
from traystatus.app.settings_app import make_calendar_tester, make_preview
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.first_run import FirstRunWizard

Step = Iterator[Callable[[], bool]]  # each yielded predicate is waited for (generously) before going on


def main() -> int:
    app = QApplication(sys.argv[:1])
    if os.environ.get("FIRST_RUN_DARK") == "1":
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        app.setPalette(palette)
    config, ics, prefix = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    paths = AppPaths.resolve(str(config))
    wizard = FirstRunWizard(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="Etc/UTC",  # how Debian's /etc/timezone spells it
        runner=ThreadRunner(app),
        accounts=ServiceAccountsManager(config),
        calendar_tester=make_calendar_tester(paths, ZoneInfo("UTC")),
        preview=make_preview(paths),
    )
    wizard.show()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {"screens": {}, "ratio": wizard.devicePixelRatio()}
    screens: dict[str, object] = report["screens"]  # type: ignore[assignment]

    def measure(name: str, window: QWidget, area: QWidget | None = None) -> None:
        shot = SCREENSHOTS / f"{prefix}-{name}.png"
        window.grab().save(str(shot))
        area = area if area is not None else window
        sideways = [
            s.accessibleName() or type(s).__name__
            for s in area.findChildren(QScrollArea) + area.findChildren(QListWidget)
            if s.isVisible() and s.horizontalScrollBar().maximum() > 0
        ]
        screen = window.screen().availableGeometry()
        frame = window.frameGeometry()
        screens[name] = {
            "problems": clipped(area, area.width()),
            "sideways": sideways,
            "fits": frame.width() <= screen.width() and frame.height() <= screen.height(),
            "shot": str(shot),
        }

    def walk() -> Step:
        page = wizard.accounts_page
        yield lambda: page.list.count() > 0 and "Reading" not in page.list.item(0).text()
        measure("connect", wizard, wizard.currentPage())
        page.buttons["slack"].click()
        dialog = page.dialog
        assert dialog is not None
        yield dialog.isVisible
        measure("slack-guide", dialog)
        dialog.guide.show_button.click()
        yield dialog.guide.manifest.isVisible
        measure("slack-guide-details", dialog)
        dialog.fields["token"].setText("not-a-token")  # refused before anything is sent
        dialog.ok.click()
        yield lambda: dialog.errors["token"].isVisible()
        screens["slack_error"] = dialog.errors["token"].text()
        measure("slack-guide-error", dialog)
        dialog.reject()
        wizard.next()
        wizard.calendar.location.setText(str(ics))
        wizard.calendar._test()
        yield lambda: "next 14 days" in wizard.calendar.result.text()
        screens["calendar_result"] = wizard.calendar.result.text()
        measure("calendar", wizard, wizard.currentPage())
        wizard.next()
        hours = wizard.hours
        screens["zone_prefilled_ok"] = hours.isComplete()
        hours.zone.clear()
        hours.zone.setFocus()
        for key in "new york":
            hours.zone.insert(key)
            hours.zone.textEdited.emit(hours.zone.text())
        popup = hours.zone.completer().popup()
        yield popup.isVisible
        screens["zone_offered"] = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
        measure("hours-zone-search", wizard, wizard.currentPage())
        # the list is a popup of its own: photographed with the whole screen
        screen_shot = SCREENSHOTS / f"{prefix}-hours-zone-search-screen.png"
        wizard.screen().grabWindow(0).save(str(screen_shot))
        screens["zone_popup_shot"] = str(screen_shot)
        hours.zone.completer().activated.emit("America/New_York")
        popup.hide()
        for day in hours.hours.days[:5]:  # a lunch break every weekday
            day.ranges[0].end.setTime(QTime(12, 30))
            day.add.click()
            day.ranges[1].start.setTime(QTime(13, 30))
            day.ranges[1].end.setTime(QTime(17, 30))
        tuesday = hours.hours.days[1]
        tuesday.ranges[1].start.setTime(QTime(12, 0))  # overlaps the morning: explained, Next disabled
        yield lambda: not hours.isComplete()
        screens["hours_error"] = hours.error.text()
        screens["next_enabled_with_error"] = wizard.button(wizard.WizardButton.NextButton).isEnabled()
        measure("hours-error", wizard, wizard.currentPage())
        tuesday.ranges[1].start.setTime(QTime(13, 30))
        yield hours.isComplete
        measure("hours", wizard, wizard.currentPage())
        wizard.next()
        plan = wizard.preview_step.list
        yield lambda: plan.count() > 0 and "Reading" not in plan.item(0).text()
        screens["plan_lines"] = [plan.item(r).text() for r in range(plan.count())]
        measure("plan", wizard, wizard.currentPage())
        wizard.accept()
        report["saved"] = config.read_text()

    steps = walk()

    def finish() -> None:
        print(json.dumps(report, ensure_ascii=False), flush=True)
        app.quit()

    waited = [0]

    def advance(condition: Callable[[], bool] | None = None) -> None:
        if condition is not None and not condition():
            waited[0] += 1
            if waited[0] < 300:  # 30 s: generous on a busy machine, still bounded
                QTimer.singleShot(100, app, lambda: advance(condition))
                return
            report["timed_out"] = repr(condition)
            finish()
            return
        waited[0] = 0
        try:
            following = next(steps)
        except StopIteration:
            finish()
            return
        except Exception as e:  # said in the report, not lost in a slot's traceback
            report["error"] = repr(e)
            finish()
            return
        QTimer.singleShot(300, app, lambda: advance(following))  # let the screen paint before measuring

    QTimer.singleShot(500, app, advance)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
