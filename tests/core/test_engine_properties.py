"""Hypothesis properties of the engine: coverage, no redundant splits, constant state between transitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from traystatus.core.classify import classify
from traystatus.core.engine import Timeline, build_timeline, next_transition, next_working_start
from traystatus.core.hours import DayException, Travel, parse_blocks, parse_hours
from traystatus.core.model import CalendarEvent, EventKind, Override, State
from traystatus.core.settings import Settings
from traystatus.core.work_periods import break_spans, work_pieces

ZONES = [
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Apia",
]
HOURS = [
    "mon-fri 09:00-17:00",
    "mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00",
    "mon-sun 22:00-06:00",
    "tue-sat 00:00-24:00",
    "sun 01:30-02:30,02:45-03:15",
    "mon 08:00-09:00",
]
# Windows around DST changes of the zones above (2026) and an ordinary week.
BASES = [
    datetime(2026, 3, 7, tzinfo=UTC),
    datetime(2026, 3, 28, tzinfo=UTC),
    datetime(2026, 4, 4, tzinfo=UTC),
    datetime(2026, 9, 26, tzinfo=UTC),
    datetime(2026, 10, 3, tzinfo=UTC),
    datetime(2026, 10, 24, tzinfo=UTC),
    datetime(2026, 10, 31, tzinfo=UTC),
    datetime(2026, 11, 23, tzinfo=UTC),
]
TITLES = ["Sync", "Focus", "OOO", "Vacation", "Review", "Lunch"]


@st.composite
def scenario(draw: st.DrawFn) -> tuple[Settings, list[CalendarEvent], list[Override], datetime, datetime]:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    start = draw(st.sampled_from(BASES)) + timedelta(minutes=draw(st.integers(0, 24 * 60)))
    first = start.date() + timedelta(days=draw(st.integers(-1, 5)))
    exceptions = tuple(
        DayException(
            first=first,
            last=first + timedelta(days=draw(st.integers(0, 2))),
            hours=parse_blocks(draw(st.sampled_from(["off", "10:00-14:00", "23:00-01:00"]))),
        )
        for _ in range(draw(st.integers(0, 1)))
    )
    travel = tuple(
        Travel(
            first=first, last=first + timedelta(days=draw(st.integers(0, 3))), tz=ZoneInfo(draw(st.sampled_from(ZONES)))
        )
        for _ in range(draw(st.integers(0, 1)))
    )
    s = Settings(timezone=zone, hours=parse_hours(draw(st.sampled_from(HOURS))), exceptions=exceptions, travel=travel)
    end = start + timedelta(minutes=draw(st.integers(1, 5 * 24 * 60)))
    minute = st.integers(-24 * 60, 6 * 24 * 60)
    events = []
    rarely = st.sampled_from([False, False, False, True])
    for i in range(draw(st.integers(0, 12))):
        a = start + timedelta(minutes=draw(st.integers(-6 * 60, 2 * 24 * 60)))
        events.append(
            CalendarEvent(
                uid=str(i),
                start=a,
                end=a + timedelta(minutes=draw(st.integers(1, 8 * 60))),
                title=draw(st.sampled_from(TITLES)),
                all_day=draw(rarely),
                transparent=draw(rarely),
                status=draw(st.sampled_from(["", "", "TENTATIVE", "CANCELLED"])),
            )
        )
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        a = start + timedelta(minutes=draw(minute))
        overrides.append(
            Override(
                state=draw(st.sampled_from(list(State))),
                start=a,
                end=a + timedelta(minutes=draw(st.integers(1, 2 * 24 * 60))),
                paused=draw(st.booleans()),
            )
        )
    return s, events, overrides, start, end


def _check_shape(tl: Timeline, start: datetime, end: datetime) -> None:
    assert tl.intervals[0].start == start and tl.intervals[-1].end == end
    for a, b in zip(tl.intervals, tl.intervals[1:], strict=False):
        assert a.end == b.start  # no gap, no overlap
        assert (a.state, a.until, a.reason, a.event_titles, a.overridden) != (
            b.state,
            b.until,
            b.reason,
            b.event_titles,
            b.overridden,
        )  # no redundant split
    for a in tl.intervals:
        assert a.start < a.end
        assert a.until >= a.end or a.until >= end  # until never points back into the interval


@settings(max_examples=150, deadline=None)
@given(scenario())
def test_timeline_covers_the_window_without_gaps_overlaps_or_redundant_splits(
    sc: tuple[Settings, list[CalendarEvent], list[Override], datetime, datetime],
) -> None:
    s, events, overrides, start, end = sc
    tl = build_timeline(s, events, overrides, start, end)
    _check_shape(tl, start, end)
    for o in overrides:
        if not o.paused and start <= o.start < end:
            a = tl.at(o.start)
            # the most recently started override wins (ties: any of them)
            assert a.overridden
            assert a.state in {p.state for p in overrides if not p.paused and p.start == o.start}


@settings(max_examples=150, deadline=None)
@given(scenario(), st.integers(0, 5 * 24 * 60 - 1))
def test_state_is_constant_until_the_next_transition(
    sc: tuple[Settings, list[CalendarEvent], list[Override], datetime, datetime], offset: int
) -> None:
    s, events, overrides, start, end = sc
    tl = build_timeline(s, events, overrides, start, end)
    now = min(start + timedelta(minutes=offset, seconds=17), end - timedelta(microseconds=1))
    current = tl.at(now)
    nxt = next_transition(tl, now)
    if nxt is None:
        assert current.end == end
        return
    assert nxt > now
    assert nxt == current.end
    mid = now + (nxt - now) / 2
    assert tl.at(mid) == current
    assert tl.at(nxt) != current


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(HOURS[:-1]), st.sampled_from(BASES), st.integers(0, 7 * 24 * 60))
def test_next_working_start_is_a_start_of_available_time(zone: str, hours: str, base: datetime, minute: int) -> None:
    s = Settings(timezone=ZoneInfo(zone), hours=parse_hours(hours))
    after = base + timedelta(minutes=minute)
    ws = next_working_start(s, after)
    if ws is None:  # always working
        assert build_timeline(s, [], [], after, after + timedelta(days=8)).intervals[0].state is State.AVAILABLE
        return
    assert ws >= after
    tl = build_timeline(s, [], [], after - timedelta(days=1), ws + timedelta(hours=1))
    assert tl.at(ws).state is State.AVAILABLE
    assert tl.at(ws - timedelta(microseconds=1)).state in (State.OFF_HOURS, State.BREAK)
    # nothing starts in between
    for prev, a in zip(tl.intervals, tl.intervals[1:], strict=False):
        if prev.state in (State.OFF_HOURS, State.BREAK) and a.state is State.AVAILABLE:
            assert not after < a.start < ws


@settings(max_examples=150, deadline=None)
@given(scenario(), st.lists(st.integers(0, 5 * 24 * 60 - 1), min_size=1, max_size=20))
def test_state_follows_the_precedence_rules_at_any_instant(
    sc: tuple[Settings, list[CalendarEvent], list[Override], datetime, datetime], offsets: list[int]
) -> None:
    s, events, overrides, start, end = sc
    tl = build_timeline(s, events, overrides, start, end)
    work = work_pieces(s, start - timedelta(days=1), end + timedelta(days=1))
    classified = [classify(e, s.rules) for e in events]
    kinds_to_state = {EventKind.OOO: State.OOO, EventKind.FOCUS: State.FOCUS, EventKind.MEETING: State.MEETING}
    instants = [start + timedelta(minutes=m, seconds=31) for m in offsets]
    instants += [x + timedelta(seconds=1) for e in events for x in (e.start, e.end)]  # where events overlap
    instants += [o.start + timedelta(seconds=1) for o in overrides]
    for t in instants:
        if not start <= t < end:
            continue
        live = [o for o in overrides if not o.paused and o.start <= t < o.end]
        kinds = {c.kind for c in classified if c.event.start <= t < c.event.end}
        if live:
            latest = max(o.start for o in live)
            expected = {o.state for o in live if o.start == latest}
        elif any(k in kinds for k in kinds_to_state):
            expected = {next(v for k, v in kinds_to_state.items() if k in kinds)}
        else:
            breaks = break_spans(s, start - timedelta(days=1), end + timedelta(days=1))
            if any(w.start <= t < w.end for w in work):
                expected = {State.AVAILABLE}
            else:
                expected = {State.BREAK if any(b.start <= t < b.end for b in breaks) else State.OFF_HOURS}
        assert tl.at(t).state in expected
        assert tl.at(t).overridden == bool(live)
