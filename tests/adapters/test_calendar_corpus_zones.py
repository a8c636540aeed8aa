"""The whole corpus read by viewers in five zones: all-day events fall on the same dates for everyone.

All-day dates are the producer's (Outlook's all-day UNTIL is read in the producer's zone, not the
viewer's; see tests/data/ics/EXPECTATIONS.md), so a viewer in Auckland and one in New York must see
the same holidays on the same days. Each file is read over a year from its first DTSTART, the
window's ends at local midnight in each viewer's zone.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.calendar_ics import IcsCalendarSource

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = sorted(p for d in ("ics", "quirks") for p in (DATA / d).rglob("*.ics"))
ZONES = ("UTC", "America/New_York", "Asia/Tokyo", "Pacific/Auckland", "Europe/Berlin")
#: the first all-day start, else the first start: where the window begins
_FIRST = re.compile(rb"^DTSTART;VALUE=DATE:(\d{8})|^DTSTART[^:\r\n]*:(\d{8})", re.MULTILINE)


def all_day_dates(path: Path, zone: str, first: date, tmp: Path) -> tuple[str, list[tuple[str, str, str]]]:
    tz = ZoneInfo(zone)
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    source = IcsCalendarSource(path.name, str(path), zone=tz, cache_dir=tmp)
    result = source.load(start, start + timedelta(days=366))
    if result.error is not None:
        return f"error: {result.error.title}", []
    days = [
        (ev.uid, ev.start.astimezone(tz).date().isoformat(), ev.end.astimezone(tz).date().isoformat())
        for ev in result.events
        if ev.all_day
    ]
    return "ok", sorted(days)


def window_start(path: Path) -> date:
    found = sorted(_FIRST.finditer(path.read_bytes()), key=lambda m: m.group(1) is None)
    if found:
        value = (found[0].group(1) or found[0].group(2)).decode()
        with contextlib.suppress(ValueError):
            return date.fromisoformat(f"{value[:4]}-{value[4:6]}-01")
    return date(2026, 1, 1)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_all_day_dates_are_the_same_in_every_viewer_zone(path: Path, tmp_path: Path) -> None:
    first = window_start(path)
    seen = {zone: all_day_dates(path, zone, first, tmp_path / zone.replace("/", "_")) for zone in ZONES}
    assert all(v == seen["UTC"] for v in seen.values()), {z: v for z, v in seen.items() if v != seen["UTC"]}


def test_the_comparison_covers_hundreds_of_all_day_events(tmp_path: Path) -> None:
    read = [all_day_dates(p, "UTC", window_start(p), tmp_path / p.name)[1] for p in FILES]
    assert sum(1 for days in read if days) >= 10 and sum(map(len, read)) >= 300
