"""The first run's day-by-day hours editor: reads any existing config back, writes the same ``working_hours``
text the config uses, and explains ranges that cannot work under their day."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTime
from pytestqt.qtbot import QtBot

from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.adapters.config_toml import load_config_file
from traystatus.core.hours import format_hours, parse_hours
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.first_run import FirstRunWizard
from traystatus.qt.settings.week_editor import WeekEditor

EXISTING = 'timezone = "Asia/Kolkata"\nworking_hours = "mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00"\n'


def editor(qtbot: QtBot, spec: str = "mon-fri 09:00-17:00") -> WeekEditor:
    w = WeekEditor(parse_hours(spec))
    qtbot.addWidget(w)
    w.show()
    return w


def test_an_existing_config_is_read_back_and_written_unchanged(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(EXISTING)
    w = FirstRunWizard(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")), default_zone="UTC", runner=ThreadRunner()
    )
    qtbot.addWidget(w)
    w.show()
    week = w.hours.hours
    monday, saturday, sunday = week.days[0], week.days[5], week.days[6]
    assert monday.on.isChecked() and [str(r.block()) for r in monday.ranges] == ["09:00-12:30", "13:30-17:30"]
    assert saturday.on.isChecked() and [str(r.block()) for r in saturday.ranges] == ["10:00-12:00"]
    assert not sunday.on.isChecked() and not sunday.off_label.isHidden() and sunday.add.isHidden()
    assert w.hours.zone.text() == "Asia/Kolkata"
    w.accept()
    assert 'working_hours = "mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00"' in config.read_text()


def test_a_day_switched_on_starts_from_the_day_before_and_off_when_its_last_range_goes(qtbot: QtBot) -> None:
    w = editor(qtbot, "mon-fri 08:00-12:00,13:00-16:00")
    saturday = w.days[5]
    saturday.on.setChecked(True)
    assert [str(b) for b in saturday.blocks()] == ["08:00-12:00", "13:00-16:00"]
    saturday.ranges[0].drop.click()
    saturday.ranges[0].drop.click()
    assert not saturday.on.isChecked() and saturday.blocks() == ()
    assert format_hours(w.hours()) == "mon-fri 08:00-12:00,13:00-16:00"


def test_midnight_and_past_midnight_ranges(qtbot: QtBot) -> None:
    w = editor(qtbot)
    friday = w.days[4].ranges[0]
    friday.start.setTime(QTime(22, 0))
    friday.end.setTime(QTime(2, 0))
    assert friday.next_day.isVisible() and w.problem() == ""
    thursday = w.days[3].ranges[0]
    thursday.end.setTime(QTime(0, 0))  # 00:00 as an end is midnight, written as 24:00
    assert not thursday.next_day.isVisible()
    assert format_hours(w.hours()) == "mon-wed 09:00-17:00; thu 09:00-24:00; fri 22:00-02:00"


def test_problems_are_said_under_the_day_and_block_the_week(qtbot: QtBot) -> None:
    w = editor(qtbot)
    wednesday = w.days[2]
    wednesday.ranges[0].end.setTime(QTime(9, 0))
    assert w.problem() == "Wednesday: '09:00-09:00' is empty: its end is its start."
    assert wednesday.error.isVisible() and "empty" in wednesday.error.text()
    wednesday.ranges[0].end.setTime(QTime(17, 0))
    assert w.problem() == "" and not wednesday.error.isVisible()
    for day in w.days:
        day.on.setChecked(False)
    assert w.problem() == "Turn on at least one working day."


def test_copy_monday_to_the_other_weekdays(qtbot: QtBot, tmp_path: Path) -> None:
    w = editor(qtbot, "mon 09:00-12:00,13:00-18:00; tue-fri 10:00-16:00")
    w.copy.click()
    assert format_hours(w.hours()) == "mon-fri 09:00-12:00,13:00-18:00"
    # and what it gives is a config traystatus loads
    config = tmp_path / "config.toml"
    config.write_text(f'working_hours = "{format_hours(w.hours())}"\n')
    assert load_config_file(config, default_tz=ZoneInfo("UTC")).hours == w.hours()


def test_a_night_past_midnight_into_the_next_days_range_is_said(qtbot: QtBot) -> None:
    w = editor(qtbot, "mon-fri 09:00-17:00")
    monday = w.days[0].ranges[0]
    monday.start.setTime(QTime(17, 0))
    monday.end.setTime(QTime(10, 0))  # a day typed backwards, which runs into Tuesday's 09:00-17:00
    assert w.problem().startswith("Monday: '17:00-10:00' and '09:00-17:00' overlap"), w.problem()
    assert monday.next_day.text() == "next day — check" and "did you mean 10:00-17:00" in monday.next_day.toolTip()
