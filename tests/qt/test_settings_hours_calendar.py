"""The Working hours page's "From your calendar" box on a real CalDAV server (Radicale): it says where today's
hours come from, and its button stores the grid's hours where another client reads them."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.adapters.test_caldav_availability import other_client_reads
from tests.fixtures.radicale import RadicaleServer
from traystatus.adapters.caldav_client import ENV_PASSWORD
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.app.calendar_hours_service import CalendarHoursService
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.hours_calendar import SAVE_TEXT
from traystatus.qt.settings.window import SettingsWindow

BELOW = "Today's hours come from the hours below."
FROM_SERVER = (
    "Today's hours come from Work's availability on the server; the hours below apply where the calendar has none."
)


def open_window(qtbot: QtBot, config: Path, cache: Path) -> SettingsWindow:
    window = SettingsWindow(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=ThreadRunner(),
        calendar_hours=CalendarHoursService(cache),
    )
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_page_says_where_hours_come_from_and_saves_them_to_the_server(
    qtbot: QtBot, radicale_server: RadicaleServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_PASSWORD, radicale_server.password)
    url = radicale_server.make_calendar("hours-window", "Work")
    config = tmp_path / "config.toml"
    config.write_text(
        'timezone = "America/New_York"\nworking_hours = "mon-fri 08:00-16:00"\n\n'
        f'[[calendars]]\nname = "Work"\nkind = "caldav"\nurl = "{url}"\nusername = "{radicale_server.user}"\n'
    )
    w = open_window(qtbot, config, tmp_path / "cache")
    box = w.page("Working hours").from_calendar
    assert box.origin.text() == ""  # nothing is read before the page is shown
    w.show_page("Working hours")
    qtbot.waitUntil(lambda: box.origin.text() == BELOW, timeout=10000)
    assert box.save_button.text() == SAVE_TEXT and box.save_button.isEnabled()
    assert "'Work'" in box.save_button.toolTip()
    box.save_button.setFocus()
    qtbot.keyClick(box.save_button, Qt.Key.Key_Space)  # the keyboard works as well as the mouse
    qtbot.waitUntil(lambda: box.result.text().startswith("Saved your hours"), timeout=10000)
    assert "(America/New_York) to the calendar of 'Work'" in box.result.text()
    seen = other_client_reads(radicale_server, url)
    assert "DTSTART;TZID=America/New_York:" in seen and "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR" in seen
    assert "T080000" in seen and "T160000" in seen
    qtbot.waitUntil(lambda: box.origin.text() == FROM_SERVER, timeout=10000)
    assert config.read_text().count("[[calendars]]") == 1  # the config file is not what was written


def test_without_a_caldav_calendar_the_button_is_off_and_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('timezone = "Europe/Berlin"\n')
    w = open_window(qtbot, config, tmp_path / "cache")
    w.show_page("Working hours")
    box = w.page("Working hours").from_calendar
    qtbot.waitUntil(lambda: box.origin.text() == BELOW, timeout=10000)
    assert not box.save_button.isEnabled()
    assert "Needs a CalDAV calendar" in box.save_button.toolTip()
