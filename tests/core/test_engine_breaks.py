"""A gap inside the working day is a break, not the end of the day: state, status, handoff and sign-off.

A break is a gap shorter than ``MAX_BREAK`` between two working blocks of the same local day; the
lunch in ``09:00-12:30,13:30-17:30`` is the case from the issue. Tested across DST changes, half-hour
and 45-minute zones and the date line.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.config_schema import Table
from traystatus.core.engine import build_timeline, next_day_start, next_working_start
from traystatus.core.errors import ConfigError
from traystatus.core.handoff import HandoffSettings, PromptState, next_prompt
from traystatus.core.hours import DayException, parse_blocks, parse_hours
from traystatus.core.model import CalendarEvent, State
from traystatus.core.settings import Settings
from traystatus.core.status_map import StatusSettings, desired_status
from traystatus.core.work_periods import MAX_BREAK

BERLIN = ZoneInfo("Europe/Berlin")
LUNCH = "mon-fri 09:00-12:30,13:30-17:30"


def berlin(*a: int) -> datetime:
    return datetime(*a, tzinfo=BERLIN)


def test_lunch_is_a_break_with_away_and_no_dnd_and_the_evening_is_off_hours() -> None:
    s = Settings(timezone=BERLIN, hours=parse_hours(LUNCH))
    tl = build_timeline(s, [], [], berlin(2026, 11, 23), berlin(2026, 11, 24))  # a Monday
    lunch = tl.at(berlin(2026, 11, 23, 12, 30))
    assert lunch.state is State.BREAK
    assert (lunch.start, lunch.end, lunch.until) == (berlin(2026, 11, 23, 12, 30),) + (
        berlin(2026, 11, 23, 13, 30),
    ) * 2
    assert lunch.reason == "break in working hours (mon-fri 09:00-12:30,13:30-17:30)"
    status = desired_status(lunch, s.status, now=berlin(2026, 11, 23, 12, 30), tz=BERLIN)
    assert status.text == "On a break — back at 13:30"
    assert status.emoji == ":coffee:" and status.away
    assert status.dnd_until is None  # the complaint: an hour of DND at lunch
    assert status.expires_at == berlin(2026, 11, 23, 13, 30)
    assert tl.at(berlin(2026, 11, 23, 13, 30)).state is State.AVAILABLE
    evening = tl.at(berlin(2026, 11, 23, 17, 30))
    assert evening.state is State.OFF_HOURS and evening.until == berlin(2026, 11, 24, 9)
    off = desired_status(evening, s.status, now=berlin(2026, 11, 23, 17, 30), tz=BERLIN)
    assert off.text == "Off for the day — back 09:00 CET" and off.dnd_until == berlin(2026, 11, 24, 9)


def test_events_win_over_a_break_and_the_break_resumes_after_them() -> None:
    s = Settings(timezone=BERLIN, hours=parse_hours(LUNCH))
    meeting = CalendarEvent(uid="m", start=berlin(2026, 11, 23, 12, 45), end=berlin(2026, 11, 23, 13, 0), title="1:1")
    tl = build_timeline(s, [meeting], [], berlin(2026, 11, 23), berlin(2026, 11, 24))
    states = [(a.state, a.start.astimezone(BERLIN).time()) for a in tl.intervals if 12 <= a.start.hour + 1 <= 14]
    assert (State.BREAK, time(12, 30)) in states
    assert tl.at(berlin(2026, 11, 23, 12, 50)).state is State.MEETING
    after = tl.at(berlin(2026, 11, 23, 13, 10))
    assert after.state is State.BREAK and after.until == berlin(2026, 11, 23, 13, 30)


@pytest.mark.parametrize(
    ("hours", "at"),
    [
        ("mon 08:00-10:00,14:00-18:00", time(12)),  # exactly MAX_BREAK: time off, like an evening
        ("mon 08:00-10:00,18:00-22:00", time(12)),  # a split shift
        ("mon 20:00-24:00; tue 01:00-05:00", time(0, 30)),  # across midnight: two days, never a break
    ],
)
def test_long_gaps_and_gaps_across_midnight_are_off_hours(hours: str, at: time) -> None:
    s = Settings(timezone=BERLIN, hours=parse_hours(hours))
    tl = build_timeline(s, [], [], berlin(2026, 11, 23), berlin(2026, 11, 25))
    day = date(2026, 11, 24) if at < time(6) else date(2026, 11, 23)
    assert tl.at(datetime.combine(day, at, tzinfo=BERLIN)).state is State.OFF_HOURS
    assert timedelta(hours=4) == MAX_BREAK


def test_a_gap_just_under_the_bound_and_three_blocks_make_two_breaks() -> None:
    s = Settings(timezone=BERLIN, hours=parse_hours("mon 08:00-10:00,13:59-15:00,15:15-18:00"))
    tl = build_timeline(s, [], [], berlin(2026, 11, 23), berlin(2026, 11, 24))
    breaks = [(a.start.astimezone(BERLIN).time(), a.end.astimezone(BERLIN).time()) for a in tl.intervals]
    breaks = [b for b, a in zip(breaks, tl.intervals, strict=True) if a.state is State.BREAK]
    assert breaks == [(time(10), time(13, 59)), (time(15), time(15, 15))]


def test_an_exception_day_with_two_blocks_has_its_break() -> None:
    s = Settings(
        timezone=BERLIN,
        hours=parse_hours("mon-fri 09:00-17:00"),
        exceptions=(
            DayException(
                first=date(2026, 12, 24), last=date(2026, 12, 24), hours=parse_blocks("09:00-11:00,12:00-13:00")
            ),
        ),
    )
    tl = build_timeline(s, [], [], berlin(2026, 12, 24), berlin(2026, 12, 25))
    assert tl.at(berlin(2026, 12, 24, 11, 30)).state is State.BREAK
    evening = tl.at(berlin(2026, 12, 24, 13, 30))
    assert evening.state is State.OFF_HOURS


# (zone, a day on which it changes its offset in 2026, or any day; hours with a break across the change)
ZONES = [
    ("America/New_York", date(2026, 3, 8), "00:00-01:30,03:30-06:00", timedelta(hours=1)),  # 02:00 → 03:00
    ("America/New_York", date(2026, 11, 1), "00:00-00:30,02:30-05:00", timedelta(hours=3)),  # 01:00-02:00 twice
    ("Europe/London", date(2026, 3, 29), "00:00-00:30,02:30-05:00", timedelta(hours=1)),
    ("Australia/Lord_Howe", date(2026, 10, 4), "00:00-01:30,03:00-05:00", timedelta(hours=1)),  # 02:00 → 02:30
    ("Pacific/Chatham", date(2026, 9, 27), "01:00-02:30,04:30-06:00", timedelta(hours=1)),  # 02:45 → 03:45
    ("Asia/Kolkata", date(2026, 11, 24), "09:00-12:30,13:30-17:30", timedelta(hours=1)),
    ("Asia/Kathmandu", date(2026, 11, 24), "09:00-12:30,13:30-17:30", timedelta(hours=1)),
    ("Pacific/Kiritimati", date(2026, 11, 24), "09:00-12:30,13:30-17:30", timedelta(hours=1)),  # UTC+14
    ("Pacific/Pago_Pago", date(2026, 11, 24), "09:00-12:30,13:30-17:30", timedelta(hours=1)),  # UTC-11
]


@pytest.mark.parametrize(("zone_name", "day", "blocks", "real"), ZONES)
def test_the_break_is_at_local_wall_times_in_every_zone(
    zone_name: str, day: date, blocks: str, real: timedelta
) -> None:
    zone = ZoneInfo(zone_name)
    s = Settings(timezone=zone, hours=parse_hours(f"mon-sun {blocks}"))
    start = datetime.combine(day - timedelta(days=1), time(0), tzinfo=zone)
    tl = build_timeline(s, [], [], start, start + timedelta(days=3))
    first_end, second_start = (b.strip().split("-") for b in blocks.split(","))
    local_breaks = [a for a in tl.intervals if a.state is State.BREAK]
    assert len(local_breaks) == 3  # one a day, none across midnight
    on_day = next(a for a in local_breaks if a.start.astimezone(zone).date() == day)
    assert f"{on_day.start.astimezone(zone):%H:%M}" == first_end[1]
    assert f"{on_day.end.astimezone(zone):%H:%M}" == second_start[0]
    assert on_day.until == on_day.end
    assert on_day.end - on_day.start == real  # real time: the wall-clock gap ± the day's shift
    for a in tl.intervals:
        if a.state is State.OFF_HOURS:
            assert f"{a.until.astimezone(zone):%H:%M}" == first_end[0]  # off hours point at the next morning


def test_the_handoff_prompt_comes_before_the_end_of_the_day_not_before_lunch() -> None:
    s = Settings(timezone=BERLIN, hours=parse_hours(LUNCH))
    now = berlin(2026, 11, 23, 8)
    tl = build_timeline(s, [], [], now - timedelta(days=1), now + timedelta(days=3))
    prompt = next_prompt(tl.intervals, now, HandoffSettings(), PromptState())
    assert prompt is not None and prompt.day_end == berlin(2026, 11, 23, 17, 30)
    assert prompt.at == berlin(2026, 11, 23, 17, 15)
    at_lunch = next_prompt(tl.intervals, berlin(2026, 11, 23, 12, 40), HandoffSettings(), PromptState())
    assert at_lunch is not None and at_lunch.day_end == berlin(2026, 11, 23, 17, 30)


@pytest.mark.parametrize(
    "now",
    [berlin(2026, 11, 23, 11), berlin(2026, 11, 23, 12, 40), berlin(2026, 11, 23, 17, 10), berlin(2026, 11, 23, 20)],
)
def test_signing_off_lasts_until_the_next_working_day_not_the_end_of_lunch(now: datetime) -> None:
    s = Settings(timezone=BERLIN, hours=parse_hours(LUNCH))
    assert next_day_start(s, now) == berlin(2026, 11, 24, 9)
    if now.hour < 13:
        assert next_working_start(s, now) == berlin(2026, 11, 23, 13, 30)  # the next block, which is not a new day


def test_sign_off_before_the_weekend_skips_to_monday() -> None:
    s = Settings(timezone=BERLIN, hours=parse_hours(LUNCH))
    assert next_day_start(s, berlin(2026, 11, 27, 12, 40)) == berlin(2026, 11, 30, 9)  # Friday lunch
    plain = Settings(timezone=BERLIN, hours=parse_hours("mon-fri 09:00-17:00"))
    assert next_day_start(plain, berlin(2026, 11, 23, 10)) == berlin(2026, 11, 24, 9)
    mondays = Settings(timezone=BERLIN, hours=parse_hours("mon 09:00-10:00"))
    assert next_day_start(mondays, berlin(2026, 11, 23, 9, 30)) == berlin(2026, 11, 30, 9)


def test_the_break_status_is_configurable_like_every_state() -> None:
    table = Table({"break": {"text": "Lunch — back {until}", "emoji": ":coffee:", "dnd": True}}, path="status")
    s = StatusSettings.from_table(table)
    look = s.for_state(State.BREAK)
    assert (look.text, look.dnd, look.presence) == ("Lunch — back {until}", True, "away")
    with pytest.raises(ConfigError, match=r"status\.break"):
        StatusSettings.from_table(Table({"break": {"dnd": "yes"}}, path="status"))
    with pytest.raises(ConfigError, match="brake"):
        StatusSettings.from_table(Table({"brake": {"dnd": True}}, path="status"))
