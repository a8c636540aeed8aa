"""A real process with the tray icon wired as the app wires it: a left click toggles the team clock
(``TeamClock``, roster from the config given as argv[1]). Driven from stdin for the virtual-screen test.

stdin lines: ``state`` → prints ``state <json>`` (visible, live, slider value and its screen rectangle,
search box rectangle, the rows' names and local times, whether the minute tick runs). Prints ``ready``
once the icon is shown. More commands, each answered by one ``<command> <json>`` line:
``open`` (centred, as the menu's "Team clock…" opens it), ``pick NAME,NAME`` (only them for the overlap),
``home`` (the slider's first quarter hour), ``hours N`` (the slider N hours on), ``shot NAME`` (a grab of the
popup into the screenshots), ``check`` (what is clipped, and the overlap as painted and as the popup holds it).

``TEAM_NOW`` (ISO instant) replaces the fixed clock; ``TEAM_DARK=1`` hands Qt a dark palette, as a dark desktop
theme does.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QPoint, QRect, QSocketNotifier
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QSlider, QWidget

from tests.fixtures.xvfb import SCREENSHOTS
from tests.qt.team_pixels import painted_overlap
from tests.qt.test_settings_theme import DARK
from traystatus.adapters.config_toml import load_config_file
from traystatus.app.paths import AppPaths
from traystatus.app.resources import icons_dir
from traystatus.app.tray_wiring import team_clock
from traystatus.core.tray_view import initial_view
from traystatus.core.world_clock import Row
from traystatus.qt.icons import IconSet
from traystatus.qt.menu import TrayMenu
from traystatus.qt.team_delegate import PERSON_HEIGHT
from traystatus.qt.team_popup import TeamPopup
from traystatus.qt.team_view import ROW_ROLE
from traystatus.qt.tray import Tray

CHECKED = (QLabel, QAbstractButton, QLineEdit, QSlider)


def rect_of(w: QWidget) -> list[int]:
    top_left = w.mapToGlobal(QPoint(0, 0))
    return [top_left.x(), top_left.y(), w.width(), w.height()]


def rect_list(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def clipped(p: TeamPopup) -> list[str]:
    """Everything in the popup that does not get the room its content needs, or lies outside it."""
    out = []
    area = p.screen().availableGeometry()
    if not area.contains(p.frameGeometry()):
        out.append(f"the popup {rect_list(p.frameGeometry())} leaves the screen {rect_list(area)}")
    for w in p.findChildren(QWidget):
        if not isinstance(w, CHECKED) or not w.isVisible():
            continue
        name = f"{type(w).__name__} {(w.text() if isinstance(w, QLabel | QAbstractButton) else '')[:40]!r}"
        if isinstance(w, QLabel) and w.wordWrap():
            if w.text() and w.height() < w.heightForWidth(w.width()):
                out.append(f"{name}: cut off at the bottom ({w.height()} < {w.heightForWidth(w.width())})")
        elif w.width() < w.minimumSizeHint().width() or w.height() < w.minimumSizeHint().height():
            out.append(f"{name}: {w.width()}x{w.height()}, needs {w.minimumSizeHint().toTuple()}")
        if not p.rect().contains(QRect(w.mapTo(p, QPoint(0, 0)), w.size())):
            out.append(f"{name}: outside the popup")
    viewport = p.list.viewport()
    cols = p.delegate.columns(viewport.width())
    if viewport.height() < 2 * PERSON_HEIGHT:
        out.append(f"the list shows less than two people ({viewport.height()} px)")
    if p.list.horizontalScrollBar().isVisible():
        out.append("the list scrolls sideways")
    big = QFontMetrics(p.delegate._time)
    small = QFontMetrics(p.delegate._small)
    for i in range(p.model.rowCount()):
        rect = p.list.visualRect(p.model.index(i))
        if rect.width() != viewport.width():
            out.append(f"row {i} is {rect.width()} px wide in a {viewport.width()} px list")
        row = p.model.index(i).data(ROW_ROLE)
        if isinstance(row, Row) and (
            big.horizontalAdvance(f"{row.local:%H:%M}") > cols.time[1]
            or small.horizontalAdvance(row.date_hint) > cols.time[1]
        ):
            out.append(f"{row.name}: the time column ({cols.time[1]} px) is too narrow")
    if cols.name[1] < 60 or cols.bar[1] < 100:
        out.append(f"name ({cols.name[1]} px) or bar ({cols.bar[1]} px) too narrow")
    p.axis.repaint()
    rects = p.axis.label_rects
    if not rects:
        out.append("the axis has no labels")
    for a, b in pairwise(rects):
        if a.right() >= b.left():
            out.append(f"axis labels overlap at {a.right():.0f}")
    if any(r.left() < 0 or r.right() > p.axis.width() for r in rects):
        out.append("an axis label leaves the axis")
    return out


def main() -> int:
    app = QApplication(sys.argv[:1])
    if os.environ.get("TEAM_DARK") == "1":
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        app.setPalette(palette)
    config = Path(sys.argv[1])
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    fixed = datetime.fromisoformat(os.environ.get("TEAM_NOW", "2026-03-10T15:07:00+00:00")).astimezone(UTC)
    clock = team_clock(settings, AppPaths.resolve(str(config)), now=lambda: fixed)  # New York on EDT, London not
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

    def command(line: str) -> dict[str, object]:
        verb, _, arg = line.partition(" ")
        if verb == "open":
            if clock.popup is None or not clock.popup.isVisible():
                clock.toggle(None)
            return {"visible": clock.popup is not None and clock.popup.isVisible()}
        p = clock.popup
        assert p is not None, "open it first"
        if verb == "pick":
            p.model.choose_all(False)
            for name in filter(None, arg.split(",")):
                entry = next(
                    i
                    for i in range(p.model.rowCount())
                    if isinstance(row := p.model.index(i).data(ROW_ROLE), Row) and row.name == name
                )
                p.model.toggle(entry)
        elif verb == "home":
            p.slider.setValue(0)
        elif verb == "hours":
            p.slider.setValue(p.slider.value() + 4 * int(arg))
        elif verb == "shot":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            p.grab().save(str(SCREENSHOTS / f"{arg}.png"))
        p.layout().activate()
        shown = p.chosen_instant().astimezone(p.axis.tz or UTC)
        return {
            "instant": p.chosen_instant().isoformat(),
            "day": shown.date().isoformat(),
            "painted": [[a.isoformat(), b.isoformat()] for a, b in painted_overlap(p.axis)],
            "overlap": [[a.isoformat(), b.isoformat()] for a, b in p.overlap],
            "overlap_text": p.overlap_label.text(),
            "best": p.best_label.text(),
            "problems": clipped(p),
            "ratio": p.devicePixelRatio(),
            "geometry": rect_list(p.frameGeometry()),
            "screen": rect_list(p.screen().availableGeometry()),
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
            text = line.decode().strip()
            if text == "state":
                print("state " + json.dumps(state()), flush=True)
            elif text:
                print(f"{text.split()[0]} " + json.dumps(command(text)), flush=True)

    notifier = QSocketNotifier(0, QSocketNotifier.Type.Read)
    notifier.activated.connect(readable)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
