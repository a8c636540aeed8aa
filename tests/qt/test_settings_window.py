"""The settings window: each page edits, validates as typed (error next to the field), saves, reloads."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.app.paths import AppPaths
from traystatus.app.settings_app import make_calendar_tester, make_preview
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.calendar_dialog import AddCalendarDialog
from traystatus.qt.settings.pages_io import CalendarsPage
from traystatus.qt.settings.window import SAVE_DELAY_MS, SettingsWindow

HAND = '# written by hand: keep me\ntimezone = "Europe/Berlin"\n\n[general]\n# and me\nshare_titles = false\n'

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:a@test
DTSTART:{start}
DTEND:{end}
SUMMARY:Planning
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(HAND)
    return path


def open_window(qtbot: QtBot, config: Path, tmp_path: Path) -> SettingsWindow:
    paths = AppPaths.resolve(str(config))
    runner = ThreadRunner()
    window = SettingsWindow(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=runner,
        calendar_tester=make_calendar_tester(paths, ZoneInfo("UTC")),
        preview=make_preview(paths),
    )
    qtbot.addWidget(window)
    window.show()
    return window


def wait_saved(qtbot: QtBot, config: Path, needle: str) -> str:
    qtbot.waitUntil(lambda: needle in config.read_text(), timeout=5000)
    return config.read_text()


def test_general_page_saves_keeps_comments_and_reloads(qtbot: QtBot, config: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, config, tmp_path)
    w.show_page("General")
    box = w.page("General").findChildren(QCheckBox)[2]  # share titles
    assert box.accessibleName().startswith("Share meeting")
    assert not box.isChecked()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)  # the keyboard works as well as the mouse
    text = wait_saved(qtbot, config, "share_titles = true")
    assert "# written by hand: keep me" in text and "# and me" in text
    assert "Saved to" in w.status.text()
    again = open_window(qtbot, config, tmp_path)
    assert again.page("General").findChildren(QCheckBox)[2].isChecked()


def test_hours_week_explains_an_overlap_and_saves_when_fixed(qtbot: QtBot, config: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, config, tmp_path)
    w.show_page("Working hours")
    page = w.page("Working hours")
    monday = page.week.days[0]
    assert [str(r.block()) for r in monday.ranges] == ["09:00-17:00"]
    monday.ranges[0].end.setTime(QTime(12, 0))
    monday.add.click()  # an hour after the morning: a lunch break, saved like any edit
    saved = wait_saved(qtbot, config, 'working_hours = "mon 09:00-12:00,13:00-14:00; tue-fri 09:00-17:00"')
    monday.ranges[1].start.setTime(QTime(11, 0))  # overlaps the morning
    assert monday.error.isVisible() and "'09:00-12:00' and '11:00-14:00' overlap" in monday.error.text()
    assert page.errors["working_hours"].text().startswith("Monday: ")
    qtbot.wait(SAVE_DELAY_MS + 200)
    assert config.read_text() == saved  # nothing invalid reaches the file
    monday.ranges[1].start.setTime(QTime(13, 0))
    monday.ranges[1].end.setTime(QTime(16, 0))
    assert not monday.error.isVisible() and page.errors["working_hours"].isHidden()
    text = wait_saved(qtbot, config, 'working_hours = "mon 09:00-12:00,13:00-16:00; tue-fri 09:00-17:00"')
    assert "# written by hand: keep me" in text


def test_hours_exceptions_and_travel_tables(qtbot: QtBot, config: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, config, tmp_path)
    page = w.page("Working hours")
    page.exceptions.append({"first": "2026-12-24", "last": "2026-12-26", "label": "Christmas"})
    text = wait_saved(qtbot, config, "[[exceptions]]")
    assert 'label = "Christmas"' in text
    page.travel.append({"first": "2027-01-10", "last": "2027-01-20", "timezone": "Mars/Olympus"})
    qtbot.waitUntil(lambda: "Not saved" in w.status.text(), timeout=3000)
    assert "Mars/Olympus" in page.errors["travel"].text()
    assert "[[travel]]" not in config.read_text()
    page.travel.table.item(0, 2).setText("Asia/Tokyo")
    text = wait_saved(qtbot, config, "[[travel]]")
    assert 'timezone = "Asia/Tokyo"' in text


def test_status_page_rejects_a_bad_emoji_next_to_the_field(qtbot: QtBot, config: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, config, tmp_path)
    page = w.page("Status")
    emoji = next(e for e in page.findChildren(QLineEdit) if e.accessibleName() == "In a meeting: emoji")
    emoji.clear()
    qtbot.keyClicks(emoji, "calendar")
    assert "status.meeting.emoji" in page.errors
    assert "not an emoji name" in page.errors["status.meeting.emoji"].text()
    assert "Not saved" in w.status.text() and "Status" in w.status.text()
    emoji.clear()
    qtbot.keyClicks(emoji, ":calendar:")
    text = wait_saved(qtbot, config, 'emoji = ":calendar:"')
    assert "[status.meeting]" in text
    assert page.errors["status.meeting.emoji"].text() == "" or page.errors["status.meeting.emoji"].isHidden()


def test_status_preview_shows_the_next_day_on_each_service(qtbot: QtBot, config: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, config, tmp_path)
    qtbot.waitUntil(lambda: w.page("Status").preview_list.count() > 0, timeout=5000)
    lines = [w.page("Status").preview_list.item(i).text() for i in range(w.page("Status").preview_list.count())]
    assert all("Slack" in line and "Matrix" in line for line in lines), lines


def test_calendars_page_adds_and_tests_a_calendar(qtbot: QtBot, config: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    ics = tmp_path / "work.ics"
    ics.write_text(
        ICS.format(start=start.strftime("%Y%m%dT%H%M%SZ"), end=(start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ"))
    )
    w = open_window(qtbot, config, tmp_path)
    page = w.page("Calendars")
    page.table.append({"name": "Work", "kind": "ics", "path": str(ics)})
    text = wait_saved(qtbot, config, "[[calendars]]")
    assert f'path = "{ics}"' in text
    page.table.table.setCurrentCell(0, 0)
    page.test_selected()
    qtbot.waitUntil(lambda: "next 14 days" in page.result.text() or "could" in page.result.text(), timeout=5000)
    assert page.result.text() == "Work: 1 event in the next 14 days"


def test_team_and_handoff_pages(qtbot: QtBot, config: Path, tmp_path: Path) -> None:
    w = open_window(qtbot, config, tmp_path)
    w.page("Team").people.append({"name": "Asha", "timezone": "Asia/Kolkata", "hours": "mon-fri 10:00-18:00"})
    text = wait_saved(qtbot, config, "[[team.people]]")
    assert 'name = "Asha"' in text
    handoff = w.page("Handoff")
    handoff.findChildren(QSpinBox)[0].setValue(30)
    wait_saved(qtbot, config, "minutes_before = 30")
    dest = handoff.findChildren(QPlainTextEdit)[1]
    dest.setPlainText("carrier-pigeon:#team")
    qtbot.waitUntil(lambda: bool(handoff.errors["handoff.destinations"].text()), timeout=3000)
    assert "carrier-pigeon" in handoff.errors["handoff.destinations"].text()
    dest.setPlainText("slack:#team\nmatrix:!abc:example.org")
    text = wait_saved(qtbot, config, "matrix:!abc:example.org")
    assert 'destinations = ["slack:#team", "matrix:!abc:example.org"]' in text


def test_every_input_is_labelled_for_screen_readers_and_reachable_by_keyboard(
    qtbot: QtBot, config: Path, tmp_path: Path
) -> None:
    w = open_window(qtbot, config, tmp_path)
    inputs: list[QWidget] = []
    for page in w.pages:
        inputs += page.findChildren(QLineEdit) + page.findChildren(QCheckBox) + page.findChildren(QAbstractSpinBox)
        inputs += page.findChildren(QComboBox) + page.findChildren(QPlainTextEdit)
    inputs = [i for i in inputs if not isinstance(i.parent(), (QComboBox, QAbstractSpinBox))]  # their inner editors
    assert len(inputs) > 30
    for widget in inputs:
        assert widget.accessibleName(), f"{type(widget).__name__} without a label"
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.accessibleName()


NEXTCLOUD_EXPORT = "https://cloud.example.org/remote.php/dav/calendars/u/personal?export"
NEXTCLOUD_DAV = "https://cloud.example.org/remote.php/dav/calendars/u/personal/"


def add_url(qtbot: QtBot, page: CalendarsPage, url: str, kind: str = "") -> AddCalendarDialog:
    page.table.add_button.click()
    dialog = page.url_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClicks(dialog.url, url)
    if kind:
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
    return dialog


def test_add_url_reads_a_nextcloud_export_link_as_a_feed_and_a_chosen_kind_wins(
    qtbot: QtBot, config: Path, tmp_path: Path
) -> None:
    w = open_window(qtbot, config, tmp_path)
    page = w.page("Calendars")
    assert isinstance(page, CalendarsPage)
    dialog = add_url(qtbot, page, NEXTCLOUD_EXPORT)
    assert "ICS feed" in dialog.detected.text()  # said before it is added, so a wrong guess can be corrected
    dialog.accept()
    text = wait_saved(qtbot, config, "[[calendars]]")
    assert f'kind = "ics"\nurl = "{NEXTCLOUD_EXPORT}"' in text
    dialog = add_url(qtbot, page, NEXTCLOUD_DAV)
    assert "CalDAV" in dialog.detected.text()
    dialog.accept()
    assert page.table.rows()[1]["kind"] == "caldav"
    dialog = add_url(qtbot, page, NEXTCLOUD_DAV + "?x=1", kind="ics")  # the person's choice wins over the guess
    assert dialog.detected.text() == ""
    dialog.accept()
    assert page.table.rows()[2]["kind"] == "ics"
    text = wait_saved(qtbot, config, "?x=1")
    assert text.count("[[calendars]]") == 3 and 'kind = "caldav"' in text
