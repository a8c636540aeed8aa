"""The Calendars page's "Last fetch" lines, from the fetch log written by real loads over real HTTP:
fetched (when, how many events), stale (the last good copy's time and age, the error with its fix), never
fetched; the Test button's fetch updates its calendar's line. No address is ever shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.calendar_fetch_log import CalendarFetchLog
from traystatus.adapters.calendar_sources import build_sources
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.adapters.config_toml import load_config_file
from traystatus.adapters.state_store import StateStore
from traystatus.app.container import SourcesReader
from traystatus.app.paths import AppPaths
from traystatus.app.settings_app import make_calendar_tester
from traystatus.core.calendar_fetch import location_key
from traystatus.core.status_sync import StatusSync
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.pages_io import CalendarsPage
from traystatus.qt.settings.window import SettingsWindow

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}@t\r\n"
    "DTSTAMP:20261101T000000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
WORK = "/settings-fetch/work/private-k3y/basic.ics"
HOLIDAYS = "/settings-fetch/holidays.ics"


def feed(uid: str) -> bytes:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return ICS.format(
        uid=uid, start=start.strftime("%Y%m%dT%H%M%SZ"), end=(start + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    ).encode()


@pytest.fixture
def config(tmp_path: Path, feed_server: FeedServer) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'timezone = "Europe/Berlin"\n\n[[calendars]]\nname = "Work"\nurl = "{feed_server.url(WORK)}"\n')
    return path


def tray_refresh(config: Path) -> None:
    """What the running app does at each calendar refresh: its pass (the same wiring as the tray's) with
    every configured calendar, built from the file."""
    paths = AppPaths.resolve(str(config))
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    tray = StatusSync(
        settings=settings,
        calendars=SourcesReader(build_sources(settings, cache_dir=paths.cache_dir)),
        publishers=[],
        store=StateStore(paths.state_dir),
        clock=lambda: datetime.now(UTC),
    )
    tray.run(refresh=True)


def open_page(qtbot: QtBot, config: Path) -> tuple[SettingsWindow, CalendarsPage]:
    paths = AppPaths.resolve(str(config))
    window = SettingsWindow(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=ThreadRunner(),
        calendar_tester=make_calendar_tester(paths, ZoneInfo("UTC")),
    )
    qtbot.addWidget(window)
    window.show()
    window.show_page("Calendars")
    page = window.page("Calendars")
    assert isinstance(page, CalendarsPage)
    return window, page


def lines(page: CalendarsPage) -> list[str]:
    return [page.fetches.item(i).text() for i in range(page.fetches.count())]


def hm(moment: datetime | None) -> str:
    assert moment is not None
    return moment.astimezone().strftime("%H:%M")  # the page shows the desktop's local time


def test_a_feed_gone_404_shows_its_stale_copy_with_age_and_error_a_new_one_never_fetched(
    qtbot: QtBot, config: Path, feed_server: FeedServer
) -> None:
    feed_server.routes[WORK] = Route(body=feed("work"))
    tray_refresh(config)  # a good fetch …
    feed_server.routes[WORK] = Route(status=404, body=b"gone", content_type="text/plain")
    tray_refresh(config)  # … then the calendar is unpublished
    record = CalendarFetchLog(AppPaths.resolve(str(config)).cache_dir).read()[location_key(feed_server.url(WORK))]
    assert record.stale

    w, page = open_page(qtbot, config)
    qtbot.waitUntil(lambda: lines(page) != [] and "Work —" in lines(page)[0], timeout=5000)
    [work] = lines(page)
    assert work.startswith(f"Work — stale: last good copy from {hm(record.fetched_at)} (fetched just now), 1 event — ")
    assert "no calendar at this address (HTTP 404)" in work and "copy it again" in work
    assert work.endswith(f"(tried {hm(record.attempted_at)})")
    assert "private-k3y" not in work and "k3y" not in page.result.text()
    assert record.fetched_at is not None
    fetched = record.fetched_at.astimezone()
    moment = fetched + timedelta(hours=3, minutes=5)
    later = page.fetch_lines(moment)
    day = f"{fetched:%a} " if moment.date() != fetched.date() else ""  # past midnight the copy's day is named
    assert f"last good copy from {day}{hm(record.fetched_at)} (3 h old)" in later[0]  # the age as time goes by

    feed_server.routes[HOLIDAYS] = Route(body=feed("holidays"))
    page.table.append({"name": "Holidays", "kind": "ics", "url": feed_server.url(HOLIDAYS)})  # added in the window
    assert lines(page)[1] == "Holidays — never fetched"

    page.table.table.setCurrentCell(1, 0)
    page.test_button.click()
    qtbot.waitUntil(lambda: "fetched" in lines(page)[1] and "never" not in lines(page)[1], timeout=10000)
    assert page.result.text() == "Holidays: 1 event in the next 14 days"
    tested = CalendarFetchLog(AppPaths.resolve(str(config)).cache_dir).read()[location_key(feed_server.url(HOLIDAYS))]
    assert lines(page)[1] == f"Holidays — fetched {hm(tested.fetched_at)} (just now), 1 event"
    assert lines(page)[0] == work  # the other calendar's line is unchanged
    w.close()


def test_testing_a_calendar_that_answers_again_clears_its_stale_line(
    qtbot: QtBot, config: Path, feed_server: FeedServer
) -> None:
    feed_server.routes[WORK] = Route(body=feed("work"))
    tray_refresh(config)
    feed_server.routes[WORK] = Route(status=500, body=b"down", content_type="text/plain")
    tray_refresh(config)
    _, page = open_page(qtbot, config)
    qtbot.waitUntil(lambda: lines(page) != [] and "stale" in lines(page)[0], timeout=5000)
    assert "the server failed (HTTP 500)" in lines(page)[0]

    feed_server.routes[WORK] = Route(body=feed("work"))  # the server is back
    page.table.table.setCurrentCell(0, 0)
    page.test_button.click()
    qtbot.waitUntil(lambda: lines(page)[0].startswith("Work — fetched "), timeout=10000)
    assert lines(page)[0].endswith("(just now), 1 event") and "HTTP" not in lines(page)[0]


def test_a_calendar_that_failed_with_no_copy_says_so(qtbot: QtBot, tmp_path: Path, feed_server: FeedServer) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[[calendars]]\nname = "Team"\nurl = "{feed_server.url("/settings-fetch/never-there.ics")}"\n')
    tray_refresh(path)
    _, page = open_page(qtbot, path)
    qtbot.waitUntil(lambda: lines(page) != [] and "Team —" in lines(page)[0], timeout=5000)
    [team] = lines(page)
    assert team.startswith("Team — failed ") and "(just now), nothing to use yet — no calendar at this address" in team


def test_the_running_apps_refresh_shows_when_the_page_is_shown_again(
    qtbot: QtBot, config: Path, feed_server: FeedServer
) -> None:
    feed_server.routes[WORK] = Route(body=feed("work"))
    w, page = open_page(qtbot, config)
    qtbot.waitUntil(lambda: lines(page) == ["Work — never fetched"], timeout=5000)
    tray_refresh(config)  # the app refreshes its calendars while the window is open
    w.show_page("General")
    w.show_page("Calendars")
    qtbot.waitUntil(lambda: lines(page)[0].startswith("Work — fetched "), timeout=5000)
    assert lines(page)[0].endswith("(just now), 1 event")
