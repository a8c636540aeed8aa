"""The Calendars page's line per calendar: when it was fetched, how old a stale copy is, the error; never a URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.calendar_fetch import CalendarFetch, describe_fetch, fetch_of, location_key, unique_names
from traystatus.core.errors import CalendarError
from traystatus.core.ports import CalendarResult

ZONES = [
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
]
NOW_UTC = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
MESSAGE = "no calendar at this address (HTTP 404) (https://calendar.example/…). Copy it again."


def local(zone: str, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%H:%M")


@pytest.mark.parametrize("zone", ZONES)
def test_a_good_fetch_says_when_how_long_ago_and_how_many_events(zone: str) -> None:
    now = NOW_UTC.astimezone(ZoneInfo(zone))
    at = NOW_UTC - timedelta(minutes=3)
    fetch = CalendarFetch(name="Work", attempted_at=at, fetched_at=at, events=42)
    assert describe_fetch(fetch, now) == f"fetched {local(zone, at)} (3 min ago), 42 events"
    one = CalendarFetch(name="Work", attempted_at=NOW_UTC, fetched_at=NOW_UTC, events=1)
    assert describe_fetch(one, now) == f"fetched {local(zone, NOW_UTC)} (just now), 1 event"


@pytest.mark.parametrize("zone", ZONES)
def test_a_stale_copy_says_how_old_it_is_and_why(zone: str) -> None:
    now = NOW_UTC.astimezone(ZoneInfo(zone))
    good = NOW_UTC - timedelta(hours=3, minutes=10)
    tried = NOW_UTC - timedelta(minutes=2)
    fetch = CalendarFetch(
        name="Work",
        attempted_at=tried,
        fetched_at=good,
        events=5,
        stale=True,
        error_title="Calendar 'Work' could not be fetched",
        error_message=MESSAGE,
    )
    line = describe_fetch(fetch, now)
    good_at = good.astimezone(ZoneInfo(zone))
    when = good_at.strftime("%H:%M") if good_at.date() == now.date() else good_at.strftime("%a %H:%M")
    assert line == (f"stale: last good copy from {when} (3 h old), 5 events — {MESSAGE} (tried {local(zone, tried)})")


def test_a_failure_with_nothing_to_use_and_a_calendar_never_fetched() -> None:
    now = NOW_UTC
    fetch = CalendarFetch(name="Work", attempted_at=now - timedelta(minutes=75), error_title="T", error_message=MESSAGE)
    assert describe_fetch(fetch, now) == f"failed 09:45 (1 h ago), nothing to use yet — {MESSAGE}"
    assert describe_fetch(None, now) == "never fetched"


def test_older_fetches_name_the_day_then_the_date() -> None:
    now = NOW_UTC  # a Monday
    two_days = CalendarFetch(name="W", attempted_at=now - timedelta(days=2), fetched_at=now - timedelta(days=2))
    assert describe_fetch(two_days, now) == "fetched Sat 11:00 (2 days ago), 0 events"
    weeks = CalendarFetch(name="W", attempted_at=now - timedelta(days=20), fetched_at=now - timedelta(days=20))
    assert describe_fetch(weeks, now) == "fetched 10 Nov 11:00 (20 days ago), 0 events"


def test_results_become_records() -> None:
    at = NOW_UTC
    ok = fetch_of(CalendarResult(source="Work"), attempted_at=at)  # a source that does not say when: now
    assert ok == CalendarFetch(name="Work", attempted_at=at, fetched_at=at)
    error = CalendarError("Calendar 'Work' could not be fetched", MESSAGE)
    failed = fetch_of(CalendarResult(source="Work", error=error), attempted_at=at)
    assert failed.fetched_at is None and failed.error_message == MESSAGE and not failed.stale
    old = at - timedelta(hours=1)
    stale = fetch_of(CalendarResult(source="Work", error=error, fetched_at=old, stale=True), attempted_at=at)
    assert stale.stale and stale.fetched_at == old and stale.error_title == error.title


def test_keys_hide_the_address_and_names_are_unique_like_the_sources() -> None:
    url = "https://calendar.google.com/calendar/ical/me/private-abc123/basic.ics"
    key = location_key(url)
    assert key == location_key(f"  {url} ") and key != location_key(url.replace("abc", "abd"))
    assert "private" not in key and len(key) == 24
    assert unique_names(["Work", "Home", "Work", "Work"]) == ["Work", "Home", "Work (2)", "Work (3)"]
