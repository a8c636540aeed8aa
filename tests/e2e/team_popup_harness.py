"""A real process with the tray icon wired as the app wires it: a left click toggles the team clock
(``TeamClock``, roster from the config given as argv[1]). Driven from stdin for the virtual-screen test.

stdin lines: ``state`` → prints ``state <json>`` (visible, live, slider value and its screen rectangle,
search box rectangle, the rows' names and local times, whether the minute tick runs). Prints ``ready``
once the icon is shown.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, QRect, QSocketNotifier
from PySide6.QtWidgets import QApplication, QWidget

from traystatus.adapters.config_toml import load_config_file
from traystatus.app.paths import AppPaths
from traystatus.app.resources import icons_dir
from traystatus.app.tray_wiring import team_clock
from traystatus.core.tray_view import initial_view
from traystatus.core.world_clock import Row
from traystatus.qt.icons import IconSet
from traystatus.qt.menu import TrayMenu
from traystatus.qt.team_view import ROW_ROLE
from traystatus.qt.tray import Tray


def rect_of(w: QWidget) -> list[int]:
    top_left = w.mapToGlobal(QPoint(0, 0))
    return [top_left.x(), top_left.y(), w.width(), w.height()]


def rect_list(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def main() -> int:
    app = QApplication(sys.argv[:1])
    config = Path(sys.argv[1])
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    clock = team_clock(
        settings, AppPaths.resolve(str(config)), now=lambda: datetime(2026, 3, 10, 15, 7, tzinfo=UTC)
    )  # New York on EDT, London not yet
    tray = Tray(IconSet(icons_dir()), TrayMenu(windows=("team",)), app)
    tray.show_view(initial_view("", datetime.now(UTC)))
    tray.activated.connect(lambda: clock.toggle(tray.icon.geometry()))
    tray.menu.entry_selected.connect(lambda key: clock.toggle(None) if key == "team" else None)
    tray.show()
    print("ready", flush=True)
    buffer = b""

    def state() -> dict[str, object]:
        p = clock.popup
        if p is None:
            return {"visible": False}
        rows = []
        for i in range(p.model.rowCount()):
            row = p.model.index(i).data(ROW_ROLE)
            if isinstance(row, Row):
                rows.append([row.name, row.local.strftime("%H:%M"), row.badge.value])
        p.layout().activate()  # a pending re-layout (the best slots' text) must not move what the test clicks
        geometry = p.frameGeometry()
        return {
            "visible": p.isVisible(),
            "live": p.live,
            "slider": p.slider.value(),
            "slider_rect": rect_of(p.slider),
            "search_rect": rect_of(p.search),
            "rows": rows,
            "ticking": p.tick.isActive(),
            "best": p.best_label.text(),
            "geometry": rect_list(geometry),
            "icon": rect_list(tray.icon.geometry()),
        }

    def readable() -> None:
        nonlocal buffer
        chunk = os.read(0, 4096)
        if not chunk:
            app.quit()
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip() == b"state":
                print("state " + json.dumps(state()), flush=True)

    notifier = QSocketNotifier(0, QSocketNotifier.Type.Read)
    notifier.activated.connect(readable)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
