"""Leave written as several out-of-office events: "back" is the end of the whole chain, read as far as it goes.

The calendars are real functions over a list of events (a source's contract: the events overlapping
[start, end)); each read is counted, since a further read costs a parse.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.engine import LOOKAHEAD, build_timeline
from traystatus.core.errors import CalendarError
from traystatus.core.hours import DayException, parse_hours
from traystatus.core.leave_chain import MAX_LEAVE, leave_end, ooo_spans, read_through_leave
from traystatus.core.model import CalendarEvent, State
from traystatus.core.ports import CalendarResult
from traystatus.core.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
SETTINGS = Settings(timezone=BERLIN, hours=parse_hours("mon-fri 09:00-17:00"))
WINDOW = (datetime(2026, 12, 2, tzinfo=BERLIN), datetime(2026, 12, 3, tzinfo=BERLIN))  # a Wednesday


def day(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=BERLIN)


def away(first: datetime, last: datetime, title: str = "Vacation", **kw: object) -> CalendarEvent:
    return CalendarEvent(uid=f"{title}{first}", start=first, end=last, title=title, **kw)  # type: ignore[arg-type]


class Calendar:
    """One source holding ``events``; ``reads`` lists the windows asked for."""

    def __init__(self, *events: CalendarEvent, fail_after: int = 0) -> None:
        self.events = events
        self.reads: list[tuple[datetime, datetime]] = []
        self.fail_after = fail_after  # reads beyond this many fail (a server hiccup)

    def __call__(self, start: datetime, end: datetime) -> list[CalendarResult]:
        self.reads.append((start, end))
        if self.fail_after and len(self.reads) > self.fail_after:
            return [CalendarResult(source="Work", error=CalendarError("Calendar 'Work' could not be fetched", "x"))]
        return [CalendarResult(source="Work", events=tuple(e for e in self.events if e.end > start and e.start < end))]


def until(events: list[CalendarEvent], settings: Settings = SETTINGS) -> datetime:
    results, _ = read_through_leave(
        Calendar(*events), WINDOW[0], WINDOW[1] + timedelta(days=14), window_end=WINDOW[1], settings=settings
    )
    timeline = build_timeline(settings, [e for r in results for e in r.events], [], *WINDOW)
    assert timeline.at(day(2026, 12, 2, 12)).state is State.OOO
    return timeline.at(day(2026, 12, 2, 12)).until


# Parental leave in two halves, a trip overlapping the second, then a vacation after a weekend: 81 days
CHAIN = [
    away(day(2026, 11, 30), day(2026, 12, 28), "Parental leave (1/2)", all_day=True, busy_status="OOF"),
    away(day(2026, 12, 28), day(2027, 2, 1), "Parental leave (2/2)", all_day=True, busy_status="OOF"),
    away(day(2027, 1, 29, 9), day(2027, 2, 5, 17), "OOO - conference trip"),
    away(day(2027, 2, 8), day(2027, 2, 20), "Vacation", all_day=True),
]


def test_back_is_the_end_of_the_whole_chain_past_the_reading_and_the_lookahead() -> None:
    assert day(2027, 2, 22, 9) - WINDOW[1] > LOOKAHEAD  # beyond the engine's usual reach too
    assert until(CHAIN) == day(2027, 2, 22, 9)  # the Monday after the vacation


def test_a_working_day_between_two_pieces_ends_the_leave() -> None:
    split = [*CHAIN[:2], away(day(2027, 2, 3), day(2027, 2, 20), "Vacation", all_day=True)]  # back Mon 1, Tue 2 Feb
    assert until(split) == day(2027, 2, 1, 9)


def test_a_holiday_in_the_settings_between_two_pieces_joins_them() -> None:
    closed = Settings(
        timezone=BERLIN,
        hours=SETTINGS.hours,
        exceptions=(DayException(first=date(2027, 2, 1), last=date(2027, 2, 5), label="Closure"),),
    )
    split = [*CHAIN[:2], away(day(2027, 2, 8), day(2027, 2, 20), "Vacation", all_day=True)]
    assert until(split, closed) == day(2027, 2, 22, 9)


def test_reading_goes_on_only_while_the_leave_does() -> None:
    calendar = Calendar(*CHAIN)
    _, read_to = read_through_leave(
        calendar, WINDOW[0], WINDOW[1] + timedelta(days=14), window_end=WINDOW[1], settings=SETTINGS
    )
    assert read_to > day(2027, 2, 22) and len(calendar.reads) <= 4
    for events in ([], [away(day(2026, 12, 2, 12), day(2026, 12, 2, 13), "OOO dentist")]):
        once = Calendar(*events)
        read_through_leave(once, WINDOW[0], WINDOW[1] + timedelta(days=14), window_end=WINDOW[1], settings=SETTINGS)
        assert len(once.reads) == 1


def test_a_daily_out_of_office_hour_is_no_leave() -> None:
    """'OOO school run' every afternoon: working hours lie between, so nothing is read twice."""
    lunches = [away(day(2026, 12, 2, 15) + timedelta(days=n), day(2026, 12, 2, 16) + timedelta(days=n), "OOO run")
               for n in range(400)]  # fmt: skip
    calendar = Calendar(*lunches)
    read_through_leave(calendar, WINDOW[0], WINDOW[1] + timedelta(days=14), window_end=WINDOW[1], settings=SETTINGS)
    assert len(calendar.reads) == 1


def test_an_endless_leave_is_read_a_year_ahead_in_a_few_reads() -> None:
    daily = [away(day(2026, 12, 1) + timedelta(days=n), day(2026, 12, 2) + timedelta(days=n), "Sick", all_day=True)
             for n in range(1000)]  # fmt: skip
    calendar = Calendar(*daily)
    _, read_to = read_through_leave(
        calendar, WINDOW[0], WINDOW[1] + timedelta(days=14), window_end=WINDOW[1], settings=SETTINGS
    )
    assert read_to == WINDOW[1] + MAX_LEAVE and len(calendar.reads) <= 6
    assert until(daily) >= WINDOW[1] + MAX_LEAVE - timedelta(days=1)  # said where the reading stopped


def test_a_further_read_that_fails_keeps_the_first_one() -> None:
    calendar = Calendar(*CHAIN, fail_after=1)
    results, _ = read_through_leave(
        calendar, WINDOW[0], WINDOW[1] + timedelta(days=14), window_end=WINDOW[1], settings=SETTINGS
    )
    assert len(calendar.reads) == 2  # tried once, not again and again
    assert results[0].error is None and [e.title for e in results[0].events] == [CHAIN[0].title]


def test_leave_end_follows_pieces_across_a_weekend_only() -> None:
    spans = ooo_spans(CHAIN, SETTINGS.rules, BERLIN)
    assert leave_end(spans, WINDOW[1], SETTINGS) == day(2027, 2, 20)
    assert leave_end(spans, day(2026, 11, 20), SETTINGS) is None  # a working Friday before it starts
    assert leave_end(spans, day(2026, 11, 28), SETTINGS) == day(2027, 2, 20)  # a Saturday: only a weekend between
