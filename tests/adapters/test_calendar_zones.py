"""Time zones are resolved per calendar: a VTIMEZONE in a file wins for that file only.

Both test calendars define Outlook's "Customized Time Zone" (a: +09:00, b: -03:30) and hold one
meeting at 13:00Z. icalendar keeps the first definition of a TZID for the whole process, so
without the per-file cache the second calendar read gets the first one's rules.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters import calendar_parse
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_parse import ParseContext, expand, parse_calendar

QUIRKS = Path(__file__).resolve().parent.parent / "data" / "quirks"
START = datetime(2026, 12, 2, tzinfo=UTC)
END = START + timedelta(days=2)
CTX = ParseContext(source="zones", zone=ZoneInfo("Europe/Berlin"))


def starts(name: str, tmp: Path) -> list[str]:
    source = IcsCalendarSource(name, str(QUIRKS / name), zone=ZoneInfo("Europe/Berlin"), cache_dir=tmp)
    result = source.load(START, END)
    assert result.error is None, result.error
    return [ev.start.astimezone(UTC).strftime("%Y-%m-%d %H:%M") for ev in result.events]


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_two_calendars_defining_one_tzid_differently_each_keep_their_own(
    order: tuple[str, str], tmp_path: Path
) -> None:
    for name in itertools.chain.from_iterable(itertools.repeat(order, 3)):  # repeatedly, in one process
        assert starts(f"customized_tz_{name}.ics", tmp_path / name) == ["2026-12-02 13:00"], name


def test_a_calendar_parsed_before_another_expands_in_its_own_zone() -> None:
    a = parse_calendar((QUIRKS / "customized_tz_a.ics").read_bytes(), CTX)
    b = parse_calendar((QUIRKS / "customized_tz_b.ics").read_bytes(), CTX)
    for cal in (a, b):
        events, _ = expand(cal, START, END, CTX)
        assert [ev.start.astimezone(UTC).hour for ev in events] == [13]


def test_the_library_cache_the_fix_empties_is_still_the_one_icalendar_uses() -> None:
    parse_calendar((QUIRKS / "customized_tz_b.ics").read_bytes(), CTX)
    assert "Customized Time Zone" in calendar_parse._TZ_CACHE  # a renamed cache would leave the fix inert
