"""The availability engine on hand-made days: precedence, merged spans, until, reasons, overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.engine import Timeline, build_timeline, next_transition, next_working_start
from traystatus.core.hours import DayException, Travel, parse_blocks, parse_hours
from traystatus.core.model import CalendarEvent, Override, Privacy, State
from traystatus.core.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(timezone=BERLIN, hours=parse_hours("mon-fri 09:00-12:30,13:30-17:30"))


def b(day: int, h: int, m: int = 0) -> datetime:
    """Berlin wall time in the week of Mon 23 Nov 2026."""
    return datetime(2026, 11, day, h, m, tzinfo=BERLIN)


def meeting(start: datetime, end: datetime, title: str = "Meeting", **kw: object) -> CalendarEvent:
    return CalendarEvent(uid=title, start=start, end=end, title=title, **kw)  # type: ignore[arg-type]


def rows(tl: Timeline) -> list[tuple[str, str, str, str]]:
    f = "%a %H:%M"
    return [
        (
            a.start.astimezone(BERLIN).strftime(f),
            a.end.astimezone(BERLIN).strftime(f),
            a.state.value,
            a.until.astimezone(BERLIN).strftime(f),
        )
        for a in tl.intervals
    ]


def test_a_working_day_with_merged_meetings() -> None:
    events = [
        meeting(b(24, 10), b(24, 11), "Standup"),
        meeting(b(24, 11), b(24, 11, 30), "1:1"),
        meeting(b(24, 11, 15), b(24, 11, 45), "Overlap"),
        meeting(b(24, 15), b(24, 16), "Late"),
    ]
    tl = build_timeline(SETTINGS, events, [], b(24, 0), b(25, 0))
    assert rows(tl) == [
        ("Tue 00:00", "Tue 09:00", "off_hours", "Tue 09:00"),
        ("Tue 09:00", "Tue 10:00", "available", "Tue 10:00"),
        ("Tue 10:00", "Tue 11:00", "meeting", "Tue 11:45"),
        ("Tue 11:00", "Tue 11:15", "meeting", "Tue 11:45"),
        ("Tue 11:15", "Tue 11:30", "meeting", "Tue 11:45"),
        ("Tue 11:30", "Tue 11:45", "meeting", "Tue 11:45"),
        ("Tue 11:45", "Tue 12:30", "available", "Tue 12:30"),
        ("Tue 12:30", "Tue 13:30", "break", "Tue 13:30"),
        ("Tue 13:30", "Tue 15:00", "available", "Tue 15:00"),
        ("Tue 15:00", "Tue 16:00", "meeting", "Tue 16:00"),
        ("Tue 16:00", "Tue 17:30", "available", "Tue 17:30"),
        ("Tue 17:30", "Wed 00:00", "off_hours", "Wed 09:00"),
    ]
    assert tl.intervals[2].reason == "Standup (timed busy event)"
    assert tl.intervals[4].event_titles == ("1:1", "Overlap")
    assert tl.intervals[4].reason == "1:1, Overlap (timed busy event)"
    assert tl.intervals[0].reason == "outside working hours (mon-fri 09:00-12:30,13:30-17:30)"
    assert tl.intervals[1].reason == "working hours (mon-fri 09:00-12:30,13:30-17:30)"


def test_precedence_ooo_over_focus_over_meeting() -> None:
    events = [
        meeting(b(24, 9), b(24, 12), "Workshop"),
        meeting(b(24, 10), b(24, 11), "Focus block"),
        meeting(b(24, 10, 30), b(24, 10, 45), "OOO dentist"),
    ]
    tl = build_timeline(SETTINGS, events, [], b(24, 9), b(24, 12))
    assert [(r[0][4:], r[2]) for r in rows(tl)] == [
        ("09:00", "meeting"),
        ("10:00", "focus"),
        ("10:30", "ooo"),
        ("10:45", "focus"),
        ("11:00", "meeting"),
    ]
    assert tl.at(b(24, 10, 40)).until == b(24, 10, 45)  # back at work (in the focus block) at 10:45
    assert tl.at(b(24, 9, 30)).until == b(24, 10)


def test_meetings_outside_hours_and_private_titles() -> None:
    events = [meeting(b(24, 20), b(24, 21), "Board call", privacy=Privacy.PRIVATE)]
    tl = build_timeline(SETTINGS, events, [], b(24, 17, 30), b(25, 0))
    assert rows(tl) == [
        ("Tue 17:30", "Tue 20:00", "off_hours", "Wed 09:00"),
        ("Tue 20:00", "Tue 21:00", "meeting", "Tue 21:00"),
        ("Tue 21:00", "Wed 00:00", "off_hours", "Wed 09:00"),
    ]
    assert tl.intervals[1].reason == "Private event (timed busy event)"
    assert "Board" not in repr(tl)


def test_ignored_and_free_events_change_nothing() -> None:
    events = [
        meeting(b(24, 10), b(24, 11), "Gone", status="CANCELLED"),
        meeting(b(24, 10), b(24, 11), "Lunch?", transparent=True),
        meeting(b(24, 10), b(24, 11), "No", partstat="DECLINED"),
        CalendarEvent(uid="bd", start=b(24, 0), end=b(25, 0), title="Birthday", all_day=True),
    ]
    assert build_timeline(SETTINGS, events, [], b(24, 0), b(25, 0)) == build_timeline(
        SETTINGS, [], [], b(24, 0), b(25, 0)
    )


def test_ooo_week_says_back_on_monday_morning() -> None:
    vacation = CalendarEvent(uid="v", start=b(25, 0), end=b(28, 0), title="Vacation", all_day=True)
    tl = build_timeline(SETTINGS, [vacation], [], b(24, 12), b(30, 12))
    assert rows(tl)[-5:] == [
        ("Tue 13:30", "Tue 17:30", "available", "Tue 17:30"),
        ("Tue 17:30", "Wed 00:00", "off_hours", "Mon 09:00"),
        ("Wed 00:00", "Sat 00:00", "ooo", "Mon 09:00"),
        ("Sat 00:00", "Mon 09:00", "off_hours", "Mon 09:00"),
        ("Mon 09:00", "Mon 12:00", "available", "Mon 12:30"),  # until looks past the window
    ]
    assert tl.at(b(26, 10)).reason == "Vacation (title matches 'Vacation')"
    assert tl.at(b(26, 10)).until == b(30, 9)


def test_until_looks_beyond_the_window_and_holidays() -> None:
    s = Settings(
        timezone=BERLIN,
        hours=SETTINGS.hours,
        exceptions=(DayException(first=date(2026, 11, 30), last=date(2026, 12, 1), label="Sabbatical"),),
    )
    vacation = CalendarEvent(uid="v", start=b(26, 0), end=b(28, 0), title="PTO", all_day=True)
    tl = build_timeline(s, [vacation], [], b(26, 8), b(26, 18))  # the window ends long before "back"
    assert tl.at(b(26, 12)).state is State.OOO
    assert tl.at(b(26, 12)).until == datetime(2026, 12, 2, 9, tzinfo=BERLIN)
    tl = build_timeline(s, [], [], b(29, 0), datetime(2026, 12, 2, 0, tzinfo=BERLIN))
    assert [a.reason for a in tl.intervals] == [
        "outside working hours (mon-fri 09:00-12:30,13:30-17:30)",
        "holiday: Sabbatical",
    ]
    assert {a.until for a in tl.intervals} == {datetime(2026, 12, 2, 9, tzinfo=BERLIN)}


def test_overrides_win_and_paused_ones_do_not() -> None:
    events = [meeting(b(24, 10), b(24, 11), "Standup")]
    ovs = [
        Override(state=State.FOCUS, start=b(24, 10, 30), end=b(24, 12), reason="focus from the tray"),
        Override(state=State.OOO, start=b(24, 14), end=b(24, 15), paused=True),
    ]
    tl = build_timeline(SETTINGS, events, ovs, b(24, 9), b(24, 17))
    a = tl.at(b(24, 10, 45))
    assert (a.state, a.overridden, a.until, a.reason) == (State.FOCUS, True, b(24, 12), "focus from the tray")
    assert tl.at(b(24, 10, 15)).until == b(24, 10, 30)
    assert tl.at(b(24, 12, 15)).state is State.AVAILABLE  # the override ended at 12:00
    assert tl.at(b(24, 12, 15)).until == b(24, 12, 30)
    assert tl.at(b(24, 14, 30)).state is State.AVAILABLE and not tl.at(b(24, 14, 30)).overridden
    later = Override(state=State.AVAILABLE, start=b(24, 11), end=b(24, 11, 30), reason="newer")
    assert build_timeline(SETTINGS, events, [*ovs, later], b(24, 9), b(24, 17)).at(b(24, 11, 10)).reason == "newer"


def test_at_next_transition_and_window_edges() -> None:
    tl = build_timeline(SETTINGS, [meeting(b(24, 10), b(24, 11))], [], b(24, 9), b(24, 12))
    assert next_transition(tl, b(24, 9, 30)) == b(24, 10)
    assert next_transition(tl, b(24, 10)) == b(24, 11)
    assert next_transition(tl, b(24, 11, 59)) is None
    assert next_transition(tl, b(24, 8)) == b(24, 9)
    with pytest.raises(ValueError, match="outside"):
        tl.at(b(24, 12))
    with pytest.raises(ValueError, match="aware"):
        build_timeline(SETTINGS, [], [], datetime(2026, 11, 24), b(25, 0))
    with pytest.raises(ValueError, match="empty"):
        build_timeline(SETTINGS, [], [], b(25, 0), b(24, 0))
    assert all(a.start.tzinfo is UTC for a in tl.intervals)


def test_next_working_start() -> None:
    assert next_working_start(SETTINGS, b(27, 18)) == b(30, 9)  # Friday evening → Monday
    assert next_working_start(SETTINGS, b(24, 10)) == b(24, 13, 30)  # inside hours: the next period
    assert next_working_start(SETTINGS, b(24, 9)) == b(24, 9)
    holiday = Settings(
        timezone=BERLIN,
        hours=SETTINGS.hours,
        exceptions=(DayException(first=date(2026, 11, 30), last=date(2026, 11, 30)),),
    )
    assert next_working_start(holiday, b(27, 18)) == datetime(2026, 12, 1, 9, tzinfo=BERLIN)
    assert (
        next_working_start(
            Settings(timezone=BERLIN, hours=parse_hours("mon 09:00-10:00; tue off")), b(24, 0), limit=timedelta(days=3)
        )
        is None
    )
    assert next_working_start(Settings(timezone=BERLIN, hours=parse_hours("mon-sun 00:00-24:00")), b(24, 0)) is None
    with pytest.raises(ValueError, match="aware"):
        next_working_start(SETTINGS, datetime(2026, 11, 24))


def test_blocks_past_midnight_and_other_day_hours() -> None:
    s = Settings(
        timezone=BERLIN,
        hours=parse_hours("fri 22:00-02:00; sat 10:00-24:00; sun 00:00-01:00"),
        exceptions=(
            DayException(
                first=date(2026, 11, 29),
                last=date(2026, 11, 29),
                hours=parse_blocks("00:00-01:00,08:00-09:00"),
                label="on call",
            ),
        ),
    )
    tl = build_timeline(s, [], [], b(27, 12), b(30, 0))
    assert [(r[0], r[1], r[2]) for r in rows(tl) if r[2] == "available"] == [
        ("Fri 22:00", "Sat 02:00", "available"),
        ("Sat 10:00", "Sun 00:00", "available"),
        ("Sun 00:00", "Sun 01:00", "available"),
        ("Sun 08:00", "Sun 09:00", "available"),
    ]
    assert tl.at(b(28, 23)).until == b(29, 1)  # one span across midnight, two reasons
    assert tl.at(b(29, 8, 30)).reason == "working hours (on call: 00:00-01:00,08:00-09:00)"
    assert tl.at(b(29, 12)).reason == "outside working hours (on call: 00:00-01:00,08:00-09:00)"


def test_travel_reads_hours_in_the_other_zone_and_events_in_any_zone() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    s = Settings(
        timezone=BERLIN,
        hours=parse_hours("mon-fri 09:00-17:00"),
        travel=(Travel(first=date(2026, 11, 25), last=date(2026, 11, 25), tz=tokyo, label="trip"),),
    )
    call = meeting(datetime(2026, 11, 25, 10, tzinfo=tokyo), datetime(2026, 11, 25, 11, tzinfo=tokyo), "Kickoff")
    tl = build_timeline(s, [call], [], b(24, 12), b(26, 12))
    avail = [(a.start, a.end) for a in tl.intervals if a.state is State.AVAILABLE]
    assert (datetime(2026, 11, 25, 11, tzinfo=tokyo), datetime(2026, 11, 25, 17, tzinfo=tokyo)) in avail
    assert tl.at(datetime(2026, 11, 25, 10, 30, tzinfo=tokyo)).reason == "Kickoff (timed busy event)"
    noon = datetime(2026, 11, 25, 12, tzinfo=tokyo)
    assert tl.at(noon).reason == "working hours (mon-fri 09:00-17:00, trip in Asia/Tokyo)"
    assert tl.at(b(26, 9, 30)).state is State.AVAILABLE  # back home on Thursday


def test_floating_event_times_are_read_in_the_users_zone() -> None:
    floating = CalendarEvent(
        uid="f", start=datetime(2026, 11, 24, 10), end=datetime(2026, 11, 24, 11), title="Floating"
    )
    tl = build_timeline(SETTINGS, [floating], [], b(24, 9), b(24, 12))
    assert (tl.at(b(24, 10)).state, tl.at(b(24, 10)).until) == (State.MEETING, b(24, 11))
