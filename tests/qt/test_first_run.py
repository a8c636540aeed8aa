"""First-run setup: whatever was given (a calendar, hours, a zone) is saved and today's plan previewed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.adapters.config_toml import load_config_file
from traystatus.app.paths import AppPaths
from traystatus.app.settings_app import make_calendar_tester, make_preview
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.first_run import FirstRunWizard


def make(qtbot: QtBot, config: Path) -> FirstRunWizard:
    paths = AppPaths.resolve(str(config))
    wizard = FirstRunWizard(TomlConfigDocument(config, default_tz=ZoneInfo("UTC")), default_zone="UTC",
                            runner=ThreadRunner(), calendar_tester=make_calendar_tester(paths, ZoneInfo("UTC")),
                            preview=make_preview(paths))
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_first_run_with_a_calendar_hours_and_zone(qtbot: QtBot, tmp_path: Path) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    ics = tmp_path / "me.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x@t\r\n"
                   f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
                   "SUMMARY:Design review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    config = tmp_path / "config.toml"
    w = make(qtbot, config)
    w.next()  # skip connecting a service
    w.calendar.location.setText(str(ics))
    w.calendar._test()
    qtbot.waitUntil(lambda: "events" in w.calendar.result.text(), timeout=5000)
    assert w.calendar.result.text() == "1 events in the next 14 days"
    w.next()
    w.hours.hours.setText("mon-sun 00:00-24:00")  # every day, so today has a plan whatever the hour
    w.hours.zone.setText("Asia/Kathmandu")
    assert w.hours.isComplete()
    w.next()
    qtbot.waitUntil(lambda: w.preview_step.list.count() > 0
                    and "Reading" not in w.preview_step.list.item(0).text(), timeout=5000)
    plan = [w.preview_step.list.item(i).text() for i in range(w.preview_step.list.count())]
    assert any("meeting" in line for line in plan), plan
    w.accept()
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    assert str(settings.timezone) == "Asia/Kathmandu"
    assert settings.calendars[0].location == str(ics)
    assert len(settings.hours.blocks(6)) == 1


def test_first_run_skipping_everything_still_saves_a_working_config(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    w = make(qtbot, config)
    w.next()
    w.next()
    w.next()
    w.accept()
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    assert settings.calendars == ()
    assert str(settings.hours) == "mon-fri 09:00-17:00"


def test_bad_hours_block_the_next_step_with_a_reason(qtbot: QtBot, tmp_path: Path) -> None:
    w = make(qtbot, tmp_path / "config.toml")
    w.next()
    w.next()
    w.hours.hours.setText("weekdays 9 to 5")
    assert not w.hours.isComplete()
    assert "weekdays" in w.hours.error.text()
    w.hours.zone.setText("Europe/Atlantis")
    w.hours.hours.setText("mon-fri 09:00-17:00")
    assert not w.hours.isComplete()
    assert "Europe/Atlantis" in w.hours.error.text()
