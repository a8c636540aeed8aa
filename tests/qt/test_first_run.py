"""First-run setup: whatever was given (a calendar, hours, a zone) is saved and today's plan previewed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt, QTime
from pytestqt.qtbot import QtBot

from tests.slack_emulator import SlackEmulator
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.adapters.config_toml import load_config_file
from traystatus.app.accounts_service import ServiceAccountsManager
from traystatus.app.paths import AppPaths
from traystatus.app.settings_app import make_calendar_tester, make_preview
from traystatus.core.hours import parse_hours
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.first_run import FirstRunWizard
from traystatus.qt.settings.zone_picker import ZoneCompleter

# a Nextcloud export link (on a closed local port: nothing leaves the machine)
NEXTCLOUD_EXPORT = "http://127.0.0.1:9/remote.php/dav/calendars/u/personal?export"


def make(qtbot: QtBot, config: Path) -> FirstRunWizard:
    paths = AppPaths.resolve(str(config))
    wizard = FirstRunWizard(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=ThreadRunner(),
        calendar_tester=make_calendar_tester(paths, ZoneInfo("UTC")),
        preview=make_preview(paths),
    )
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def test_first_run_with_a_calendar_hours_and_zone(qtbot: QtBot, tmp_path: Path) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=2)
    ics = tmp_path / "me.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x@t\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:Design review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    config = tmp_path / "config.toml"
    w = make(qtbot, config)
    w.next()  # skip connecting a service
    w.calendar.location.setText(str(ics))
    w.calendar._test()
    qtbot.waitUntil(lambda: "next 14 days" in w.calendar.result.text(), timeout=5000)
    assert w.calendar.result.text() == "1 event in the next 14 days"
    w.next()
    w.hours.hours.set_hours(parse_hours("mon-sun 00:00-24:00"))  # every day: today has a plan whatever the hour
    w.hours.zone.setText("Asia/Kathmandu")
    assert w.hours.isComplete()
    w.next()
    qtbot.waitUntil(
        lambda: w.preview_step.list.count() > 0 and "Reading" not in w.preview_step.list.item(0).text(), timeout=5000
    )
    plan = [w.preview_step.list.item(i).text() for i in range(w.preview_step.list.count())]
    assert any("meeting" in line for line in plan), plan
    w.accept()
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    assert str(settings.timezone) == "Asia/Kathmandu"
    assert settings.calendars[0].location == str(ics)
    assert len(settings.hours.blocks(6)) == 1


def plan_of(qtbot: QtBot, w: FirstRunWizard) -> list[str]:
    """The lines of the last page once the plan has been worked out."""
    qtbot.waitUntil(
        lambda: w.preview_step.list.count() > 0 and "Reading" not in w.preview_step.list.item(0).text(), timeout=10000
    )
    return [w.preview_step.list.item(i).text() for i in range(w.preview_step.list.count())]


def test_first_run_skipping_everything_ends_in_a_plan_and_saves_a_working_config(qtbot: QtBot, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    w = make(qtbot, config)
    w.next()  # no service
    w.next()  # no calendar
    w.next()  # the default hours, the zone given
    assert w.currentPage() is w.preview_step and w.preview_step.isFinalPage()
    plan = plan_of(qtbot, w)
    # working hours alone make a plan: the next 24 h as Slack and Matrix would show them
    assert plan and all("Slack" in line and "Matrix" in line for line in plan), plan
    assert plan[0].startswith("Now  "), plan
    assert any(line.split("  ", 1)[1].startswith(("Available until", "Off for the day until")) for line in plan), plan
    for line in plan:  # in words: no raw state names or emoji codes
        assert "off_hours" not in line and ":crescent_moon:" not in line and "Slack will show" in line, line
    assert not config.exists()  # nothing is written before Finish
    with qtbot.waitSignal(w.saved, timeout=3000) as saved:
        w.accept()
    assert saved.args[0].calendars == ()
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    assert settings.calendars == ()
    assert str(settings.hours) == "mon-fri 09:00-17:00"


def test_first_run_with_a_slack_account_and_a_feed_keeps_both(
    qtbot: QtBot,
    tmp_path: Path,
    slack_emulator: SlackEmulator,
    os_keyring: KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    config = tmp_path / "config.toml"
    paths = AppPaths.resolve(str(config))
    w = FirstRunWizard(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=ThreadRunner(),
        accounts=ServiceAccountsManager(config),
        calendar_tester=make_calendar_tester(paths, ZoneInfo("UTC")),
        preview=make_preview(paths),
    )
    qtbot.addWidget(w)
    w.show()
    page = w.accounts_page
    qtbot.waitUntil(lambda: page.list.count() > 0, timeout=5000)
    page.buttons["slack"].click()
    assert page.dialog is not None
    page.dialog.fields["token"].setText(slack_emulator.token)
    page.dialog.ok.click()
    qtbot.waitUntil(lambda: "Traystatus Test" in page.list.item(0).text(), timeout=10000)
    w.next()
    w.calendar.location.setText(NEXTCLOUD_EXPORT)  # a feed (not CalDAV) although it sits under /dav/
    w.next()
    w.hours.zone.setText("Europe/Berlin")
    w.next()
    plan = plan_of(qtbot, w)
    assert any("127.0.0.1" in line for line in plan), plan  # the feed's problem is said, the plan still shown
    assert any("Slack" in line for line in plan), plan
    with qtbot.waitSignal(w.saved, timeout=3000):
        w.accept()
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    # Finish saved the wizard's document: the account connected on the first page is still there
    assert [a.team_id for a in settings.accounts.slack] == ["T0TRAYST"]
    assert settings.calendars[0].kind == "ics" and settings.calendars[0].location == NEXTCLOUD_EXPORT
    assert str(settings.timezone) == "Europe/Berlin"
    assert slack_emulator.token not in config.read_text()
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") == slack_emulator.token


def test_bad_hours_block_the_next_step_with_a_reason(qtbot: QtBot, tmp_path: Path) -> None:
    w = make(qtbot, tmp_path / "config.toml")
    w.next()
    w.next()
    tuesday = w.hours.hours.days[1]
    tuesday.ranges[0].end.setTime(QTime(13, 0))
    tuesday.add.click()  # 14:00-15:00 after the morning
    tuesday.ranges[1].start.setTime(QTime(12, 0))
    assert not w.hours.isComplete()
    assert "Tuesday: '09:00-13:00' and '12:00-15:00' overlap" in w.hours.error.text()
    assert tuesday.error.isVisible() and "overlap" in tuesday.error.text()  # said under the day too
    tuesday.ranges[1].start.setTime(QTime(13, 30))
    assert w.hours.isComplete() and not tuesday.error.isVisible()
    w.hours.zone.setText("Europe/Atlantis")
    assert not w.hours.isComplete()
    assert "Europe/Atlantis" in w.hours.error.text()


@pytest.mark.parametrize("system", ["Etc/UTC", "UTC", "etc/utc", "US/Eastern", "Asia/Kolkata"])
def test_the_system_zone_is_accepted_however_it_is_spelled(qtbot: QtBot, tmp_path: Path, system: str) -> None:
    config = tmp_path / "config.toml"
    paths = AppPaths.resolve(str(config))
    w = FirstRunWizard(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone=system,
        runner=ThreadRunner(),
        calendar_tester=make_calendar_tester(paths, ZoneInfo("UTC")),
        preview=make_preview(paths),
    )
    qtbot.addWidget(w)
    w.show()
    assert w.hours.problem() == "" and w.hours.isComplete()
    w.apply_answers()
    assert ZoneInfo(str(w.doc.get("timezone"))).key == str(w.doc.get("timezone"))  # the database's spelling


def test_the_zone_field_completes_a_city_and_refuses_a_typo(qtbot: QtBot, tmp_path: Path) -> None:
    w = make(qtbot, tmp_path / "config.toml")
    completer = w.hours.zone.completer()
    assert isinstance(completer, ZoneCompleter)
    w.hours.zone.clear()
    qtbot.keyClicks(w.hours.zone, "berl")
    assert completer.popup().isVisible()
    assert [m.zone for m in completer.update_matches("berl")] == ["Europe/Berlin"]
    popup = completer.popup()
    first = popup.model().index(0, 0)
    assert first.data() == "Berlin — Europe/Berlin"  # the list says the city; the field gets the zone
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(first).center())
    assert w.hours.zone.text() == "Europe/Berlin" and w.hours.isComplete()
    # a city typed as people write it; a big city that names no zone of its own
    assert completer.update_matches("new york")[0].zone == "America/New_York"
    assert [m.zone for m in completer.update_matches("São Paulo")] == ["America/Sao_Paulo"]
    assert "America/Los_Angeles" in [m.zone for m in completer.update_matches("san francisco")]
    w.hours.zone.setText("Europe/Berlinn")
    assert "is not a time zone" in w.hours.problem() and not w.hours.isComplete()
    # half typed: pointed at the list, not told off
    w.hours.zone.setText("new york")
    assert w.hours.problem() == "Choose your zone from the list (e.g. New York — America/New_York), or keep typing."
    assert not w.hours.isComplete()
