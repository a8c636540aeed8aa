"""Overnight blocks (a night shift, or "17:00-09:00" kept as written) across midnight and across DST changes:
the instants are worked out by hand in UTC, so a wrong offset on either side of the night shows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from traystatus.core.engine import build_timeline, next_working_start
from traystatus.core.errors import ConfigError
from traystatus.core.hours import TimeBlock, WeekHours, overnight_hint, parse_blocks, parse_hours
from traystatus.core.settings import Settings
from traystatus.core.work_periods import merge, work_pieces


def z(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "spec", "start", "end"),
    [
        # Berlin leaves summer time on Sun 25 Oct 2026 at 03:00 CEST: the night is 9 h long
        ("Europe/Berlin", "sat 22:00-06:00", z(2026, 10, 24, 20), z(2026, 10, 25, 5)),
        # and enters it on Sun 29 Mar 2026 at 02:00 CET: 7 h
        ("Europe/Berlin", "sat 22:00-06:00", z(2026, 3, 28, 21), z(2026, 3, 29, 4)),
        # New York falls back on Sun 1 Nov 2026 at 02:00 EDT; "17:00-09:00" as written is 17 h that night
        ("America/New_York", "sat 17:00-09:00", z(2026, 10, 31, 21), z(2026, 11, 1, 14)),
        # Lord Howe moves by half an hour (Sun 5 Apr 2026, 02:00 +11 -> 01:30 +10:30)
        ("Australia/Lord_Howe", "sat 23:00-07:00", z(2026, 4, 4, 12), z(2026, 4, 4, 20, 30)),
    ],
)
def test_an_overnight_block_across_a_dst_change(zone: str, spec: str, start: datetime, end: datetime) -> None:
    settings = Settings(timezone=ZoneInfo(zone), hours=parse_hours(spec))
    window = (start - timedelta(days=2), end + timedelta(days=2))
    assert merge(work_pieces(settings, *window)) == [(start, end)]
    tl = build_timeline(settings, [], [], *window)
    assert tl.at(start - timedelta(minutes=1)).state.value == "off_hours"
    inside = tl.at(start + (end - start) / 2)
    assert inside.state.value == "available" and inside.until == end
    assert tl.at(end).state.value == "off_hours"
    assert next_working_start(settings, window[0]) == start


def test_an_overnight_week_and_the_sunday_night_into_monday() -> None:
    """mon-sun 22:00-06:00 is one 8 h period a night, Sunday's running into Monday (the week wraps)."""
    kolkata = ZoneInfo("Asia/Kolkata")  # +05:30, no DST
    settings = Settings(timezone=kolkata, hours=parse_hours("mon-sun 22:00-06:00"))
    periods = merge(work_pieces(settings, z(2026, 11, 22, 0), z(2026, 11, 24, 0)))  # Sun 22 to Tue 24 Nov (UTC)
    assert periods == [
        (z(2026, 11, 22, 0), z(2026, 11, 22, 0, 30)),
        (z(2026, 11, 22, 16, 30), z(2026, 11, 23, 0, 30)),
        (z(2026, 11, 23, 16, 30), z(2026, 11, 24, 0)),
    ]


@pytest.mark.parametrize(
    ("text", "hinted"),
    [
        ("17:00-09:00", "did you mean 09:00-17:00?"),  # 16 h overnight, 8 h the other way: probably swapped
        ("22:00-06:00", ""),  # a night shift: 8 h overnight
        ("20:00-08:00", ""),  # a 12 h night shift: either reading is as long, take it as written
        ("09:00-17:00", ""),
        ("18:00-24:00", ""),
    ],
)
def test_which_blocks_read_as_written_backwards(text: str, hinted: str) -> None:
    (block,) = parse_blocks(text)
    hint = overnight_hint(block)
    assert (hinted in hint) if hinted else hint == ""


_HALF_HOURS = st.integers(0, 47).map(lambda i: f"{i // 2:02d}:{i % 2 * 30:02d}")
_DAYS = st.sampled_from(["mon", "tue", "sat", "sun", "mon-fri", "fri-mon", "sat,sun", "mon-sun"])


@st.composite
def _spec(draw: st.DrawFn) -> str:
    clauses = []
    for _ in range(draw(st.integers(1, 3))):
        blocks = [f"{draw(_HALF_HOURS)}-{draw(_HALF_HOURS | st.just('24:00'))}" for _ in range(draw(st.integers(1, 3)))]
        clauses.append(f"{draw(_DAYS)} {','.join(blocks)}")
    return "; ".join(clauses)


def _covered_twice(hours: WeekHours) -> bool:
    """Minute by minute over the week (Sunday night runs into Monday): is any minute in two blocks?"""
    week = [0] * (7 * 24 * 60)
    for day, blocks in enumerate(hours.days):
        for b in blocks:
            start = b.start.hour * 60 + b.start.minute
            end = 24 * 60 if b.end is None else b.end.hour * 60 + b.end.minute
            if end <= start:
                end += 24 * 60
            for m in range(day * 24 * 60 + start, day * 24 * 60 + end):
                week[m % len(week)] += 1
    return max(week) > 1


@given(_spec())
@settings(max_examples=300, deadline=None)
def test_what_is_accepted_never_overlaps_and_what_is_refused_does(spec: str) -> None:
    """An independent minute-by-minute count agrees with the parser on every spec: accepted specs have no
    minute in two blocks; a refused one has a clause whose own blocks share a minute, or a week (after later
    clauses replace a day's blocks) that does."""
    try:
        hours = parse_hours(spec)
    except ConfigError as e:
        if "empty (start = end)" in e.message:
            return
        assert "overlap" in e.message or "listed twice" in e.message, e.message
        days: list[tuple[TimeBlock, ...]] = [() for _ in range(7)]
        clause_clash = False
        for clause in spec.split(";"):
            day_part, _, block_part = clause.strip().partition(" ")
            blocks = tuple(
                TimeBlock(start=time.fromisoformat(a), end=None if b == "24:00" else time.fromisoformat(b))
                for a, b in (part.split("-") for part in block_part.split(","))
            )
            clause_clash |= _covered_twice(WeekHours(days=(blocks, (), (), (), (), (), ())))
            for d in _day_indexes(day_part):
                days[d] = blocks
        assert clause_clash or _covered_twice(WeekHours(days=tuple(days))), spec
        return
    assert not _covered_twice(hours), spec


def _day_indexes(text: str) -> list[int]:
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    out: list[int] = []
    for item in text.split(","):
        if "-" in item:
            a, b = (names.index(x) for x in item.split("-"))
            out.extend(i % 7 for i in range(a, (b if b >= a else b + 7) + 1))
        else:
            out.append(names.index(item))
    return out
