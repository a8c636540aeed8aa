"""The handoff prompt: N minutes before the end of the working day as the engine computes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.engine import build_timeline
from traystatus.core.handoff import HandoffSettings, PromptState, day_ends, next_prompt, skip_today, snooze
from traystatus.core.hours import DayException, parse_hours
from traystatus.core.model import CalendarEvent, Override, State
from traystatus.core.settings import Settings

HANDOFF = HandoffSettings()


def settings(zone: str, hours: str = "mon-fri 09:00-17:00", **kw: object) -> Settings:
    return Settings(timezone=ZoneInfo(zone), hours=parse_hours(hours), **kw)  # type: ignore[arg-type]


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def prompt_at(
    s: Settings,
    now: datetime,
    events: tuple[CalendarEvent, ...] = (),
    state: PromptState | None = None,
    handoff: HandoffSettings = HANDOFF,
) -> datetime | None:
    tl = build_timeline(s, events, (), now - timedelta(days=1), now + timedelta(days=8))
    p = next_prompt(tl.intervals, now, handoff, state or PromptState())
    return None if p is None else p.at


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Friday before the autumn change: 17:00 CEST = 15:00 UTC
        (utc(2026, 10, 23, 8), utc(2026, 10, 23, 14, 45)),
        # Monday after it (Sun 25 Oct): 17:00 CET = 16:00 UTC
        (utc(2026, 10, 24, 8), utc(2026, 10, 26, 15, 45)),
        # Friday before the spring change (Sun 29 Mar): 17:00 CET = 16:00 UTC
        (utc(2026, 3, 27, 8), utc(2026, 3, 27, 15, 45)),
        # Monday after it: 17:00 CEST = 15:00 UTC
        (utc(2026, 3, 28, 8), utc(2026, 3, 30, 14, 45)),
    ],
)
def test_prompt_follows_berlin_dst(now: datetime, expected: datetime) -> None:
    assert prompt_at(settings("Europe/Berlin"), now) == expected


@pytest.mark.parametrize(("day", "end_utc_hour"), [(date(2026, 10, 25), 16), (date(2026, 3, 29), 15)])
def test_prompt_on_the_dst_sunday_itself(day: date, end_utc_hour: int) -> None:
    s = settings("Europe/Berlin", "mon-sun 09:00-17:00")
    now = datetime(day.year, day.month, day.day, 1, tzinfo=UTC)
    assert prompt_at(s, now) == datetime(day.year, day.month, day.day, end_utc_hour, tzinfo=UTC) - timedelta(minutes=15)


def test_day_ending_after_midnight_utc() -> None:
    # Los Angeles 10:00-18:00 PST = 18:00-02:00 UTC: the prompt is at 01:45 UTC on the next UTC date.
    s = settings("America/Los_Angeles", "mon-fri 10:00-18:00")
    assert prompt_at(s, utc(2026, 11, 24, 12)) == utc(2026, 11, 25, 1, 45)
    # Still the same working day at 01:00 UTC (17:00 in LA)
    assert prompt_at(s, utc(2026, 11, 25, 1)) == utc(2026, 11, 25, 1, 45)
    # In summer (PDT, UTC-7) the day ends at 01:00 UTC
    assert prompt_at(s, utc(2026, 7, 14, 12)) == utc(2026, 7, 15, 0, 45)


def test_minutes_before_is_configurable_and_lunch_is_not_the_end() -> None:
    s = settings("Asia/Kolkata", "mon-fri 09:00-12:30,13:30-17:30")
    h = HandoffSettings(minutes_before=30)
    # 17:30 IST = 12:00 UTC; the 12:30 lunch break is not the end of the day
    assert prompt_at(s, utc(2026, 11, 24, 3), handoff=h) == utc(2026, 11, 24, 11, 30)


def test_no_prompt_on_an_ooo_day_or_a_holiday() -> None:
    ooo = CalendarEvent(
        uid="v",
        title="Vacation",
        start=datetime(2026, 11, 24, tzinfo=ZoneInfo("Europe/Berlin")),
        end=datetime(2026, 11, 25, tzinfo=ZoneInfo("Europe/Berlin")),
        all_day=True,
        busy_status="OOF",
    )
    s = settings("Europe/Berlin")
    assert prompt_at(s, utc(2026, 11, 24, 6), (ooo,)) == utc(2026, 11, 25, 15, 45)
    holiday = settings(
        "Europe/Berlin", exceptions=(DayException(first=date(2026, 12, 24), last=date(2026, 12, 25), label="holiday"),)
    )
    assert prompt_at(holiday, utc(2026, 12, 24, 6)) == utc(2026, 12, 28, 15, 45)


def test_snooze_and_skip() -> None:
    s = settings("Europe/Berlin")
    now = utc(2026, 11, 24, 15, 45)
    tl = build_timeline(s, (), (), now - timedelta(days=1), now + timedelta(days=8)).intervals
    p = next_prompt(tl, now, HANDOFF, PromptState())
    assert p is not None and p.at == now and p.day_end == utc(2026, 11, 24, 16)
    later = snooze(p, now, 60)  # 1 h: past the end of the day, still today's prompt
    p2 = next_prompt(tl, now, HANDOFF, later)
    assert p2 is not None and p2.at == utc(2026, 11, 24, 16, 45) and p2.day_end == p.day_end
    p3 = next_prompt(tl, now, HANDOFF, snooze(p, now, 15))
    assert p3 is not None and p3.at == utc(2026, 11, 24, 16)
    skipped = next_prompt(tl, now, HANDOFF, skip_today(p))
    assert skipped is not None and skipped.at == utc(2026, 11, 25, 15, 45)
    assert next_prompt(tl, now, HandoffSettings(prompt=False), PromptState()) is None


def test_day_end_unknown_when_work_runs_past_the_timeline() -> None:
    s = settings("UTC", "mon-sun 00:00-24:00")
    tl = build_timeline(s, (), (), utc(2026, 11, 24), utc(2026, 11, 25))
    assert day_ends(tl.intervals) == []


def test_an_override_outside_working_hours_arms_no_prompt_and_one_inside_keeps_the_real_end() -> None:
    """ "Do not disturb for 30 min" chosen at 20:00 is a focus interval from an override: the prompt stays
    at tomorrow's real end (it fired at 20:15 before). One at 16:50 running past 17:00 does not move the
    end to 17:20."""
    s = settings("Europe/Berlin")
    now = utc(2026, 11, 24, 19)  # Tue 20:00 in Berlin
    evening = Override(state=State.FOCUS, start=now, end=now + timedelta(minutes=30), reason="Do not disturb")
    tl = build_timeline(s, (), (evening,), now - timedelta(days=1), now + timedelta(days=8))
    assert any(a.overridden for a in tl.intervals)
    p = next_prompt(tl.intervals, now, HANDOFF, PromptState())
    assert p is not None and p.day_end == utc(2026, 11, 25, 16)  # Wed 17:00 CET
    late = utc(2026, 11, 25, 15, 50)  # Wed 16:50
    dnd = Override(state=State.FOCUS, start=late, end=late + timedelta(minutes=30), reason="Do not disturb")
    tl = build_timeline(s, (), (dnd,), late - timedelta(days=1), late + timedelta(days=8))
    ends = day_ends(tl.intervals)
    assert utc(2026, 11, 25, 16, 20) not in ends
