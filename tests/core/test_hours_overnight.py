"""Overnight blocks (a night shift, or "17:00-09:00" kept as written) across midnight and across DST changes:
the instants are worked out by hand in UTC, so a wrong offset on either side of the night shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.engine import build_timeline, next_working_start
from traystatus.core.hours import overnight_hint, parse_blocks, parse_hours
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
