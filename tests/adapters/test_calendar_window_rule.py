"""WindowRule: the same instances as dateutil over the asked window, from a walk that starts near it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from traystatus.adapters.calendar_window_rule import WindowRule

FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
BERLIN = ZoneInfo("Europe/Berlin")
ZONES = (None, UTC, BERLIN, ZoneInfo("America/New_York"))


def _values(draw: st.DrawFn, pool: list[str], most: int) -> str:
    return ",".join(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=most, unique=True)))


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, datetime, datetime, datetime]:
    freq = draw(st.sampled_from(FREQS))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 13))}")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(DAYS))}")
    options = {
        "BYMONTH": [str(m) for m in range(1, 13)],
        "BYMONTHDAY": [str(d) for d in [*range(1, 29), *range(-28, 0)]],
        "BYDAY": list(DAYS) + [f"{n}{d}" for n in (1, 2, -1, -2) for d in DAYS],
        "BYHOUR": [str(h) for h in range(24)],
        "BYMINUTE": [str(m) for m in range(0, 60, 5)],
        "BYSETPOS": ["1", "2", "-1"],
        "BYYEARDAY": [str(d) for d in (1, 32, 100, 200, -1, -100)],
        "BYWEEKNO": [str(w) for w in (1, 10, 30, 52, -1)],
    }
    for name in draw(st.lists(st.sampled_from(sorted(options)), max_size=3, unique=True)):
        if name == "BYDAY" and freq not in ("MONTHLY", "YEARLY"):
            pool = list(DAYS)
        elif name == "BYWEEKNO" and freq != "YEARLY":
            continue
        else:
            pool = options[name]
        parts.append(f"{name}={_values(draw, pool, 3)}")
    zone = draw(st.sampled_from(ZONES))
    lo = datetime(2026, 1, 1, tzinfo=zone) + timedelta(hours=draw(st.integers(0, 24 * 365)))
    hi = lo + timedelta(hours=draw(st.integers(1, 6 if freq in FREQS[4:] else 24 * 40)))
    # dateutil walks all of it, a step a second for SECONDLY: hours back for that one, years for the others
    most_back = {"SECONDLY": 6, "MINUTELY": 24 * 4, "HOURLY": 24 * 4}.get(freq, 24 * 365 * 30)
    back = draw(st.integers(0, most_back))
    start = (lo - timedelta(hours=back, minutes=draw(st.integers(0, 59)))).replace(second=draw(st.integers(0, 59)))
    if draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(1, 500))}")
    return ";".join(parts), start, lo, hi


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules())
def test_a_window_rule_finds_what_dateutil_finds_in_the_window(case: tuple[str, datetime, datetime, datetime]) -> None:
    text, start, lo, hi = case
    try:
        reference = rrulestr(text, dtstart=start)
    except ValueError:  # dateutil refuses the combination: nothing to compare
        assume(False)
    # dateutil itself walks a rule that stops matching to the year 9999: only rules it can finish are compared
    probe = rrulestr(text, dtstart=start)
    WindowRule.adopt(probe, keep=1 << 62, work=1 << 62, deadline=float("inf"))
    sub_daily = any(f"FREQ={f}" in text for f in FREQS[4:])  # a step a second or minute: days, not years
    probe._hi = hi + (timedelta(days=2) if sub_daily else timedelta(days=3 * 366))
    if "COUNT=" in text:  # all its COUNT occurrences must be found within the probe's reach, else dateutil
        count = int(text.split("COUNT=", 1)[1].split(";", 1)[0])  # walks on to 9999 looking for the rest
        assume(sum(1 for _ in itertools.islice(probe, count)) == count)
    else:
        assume(next((moment for moment in probe if moment > hi), None) is not None)
    expected = reference.between(lo, hi, inc=True)
    ours = rrulestr(text, dtstart=start)
    WindowRule.adopt(ours, keep=1 << 62, work=1 << 62, deadline=float("inf"))
    assert ours.between(lo, hi, inc=True) == expected
    assert not ours.truncated


def test_a_rule_that_never_matches_stops_past_the_window() -> None:
    rule = rrulestr("FREQ=DAILY;BYYEARDAY=1;BYMONTH=6", dtstart=datetime(2026, 1, 1, tzinfo=UTC))
    WindowRule.adopt(rule, keep=1 << 62, work=10**9, deadline=float("inf"))
    lo = datetime(2026, 12, 1, tzinfo=UTC)
    assert rule.between(lo, lo + timedelta(days=30), inc=True) == []
    assert not rule.truncated  # it ended past the window, not by its budget


def test_a_walk_over_its_budget_is_marked_truncated_and_can_be_read_again() -> None:
    text = "FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=99999"  # a COUNT rule walked from its DTSTART: 226 years of days
    rule = rrulestr(text, dtstart=datetime(1800, 1, 1, tzinfo=UTC))
    WindowRule.adopt(rule, keep=1 << 62, work=1000, deadline=float("inf"))
    lo = datetime(2026, 12, 1, tzinfo=UTC)
    assert rule.between(lo, lo + timedelta(days=30), inc=True) == []
    assert rule.truncated
    assert rule.between(lo, lo + timedelta(days=30), inc=True) == []  # the same rule, read again: no lock held
    plain = rrulestr(text, dtstart=datetime(1800, 1, 1, tzinfo=UTC))
    assert len(plain.between(lo, lo + timedelta(days=30), inc=True)) == 2  # what the budget cost


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("FREQ=DAILY;COUNT=99999", datetime(1800, 1, 1, tzinfo=UTC)),  # 99,999 days end in 2073
        ("FREQ=DAILY;INTERVAL=2;BYHOUR=9,15;BYMINUTE=0,30;COUNT=40000", datetime(1990, 1, 1, 12, tzinfo=BERLIN)),
        ("FREQ=WEEKLY;COUNT=9000", datetime(1860, 6, 6, 9, 30, tzinfo=BERLIN)),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU,SU;WKST=SU;COUNT=9000", datetime(1900, 5, 4, 23, 30, tzinfo=BERLIN)),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=5000", datetime(1995, 3, 8, 10, tzinfo=BERLIN)),  # ends Feb 2027
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=4990", datetime(1995, 3, 8, 10, tzinfo=BERLIN)),  # ends this month
        ("FREQ=DAILY;COUNT=3", datetime(1990, 1, 1, tzinfo=UTC)),  # long over
    ],
)
def test_a_counted_rule_with_even_periods_walks_from_the_window_and_counts_what_it_skipped(
    text: str, start: datetime
) -> None:
    lo = datetime(2026, 12, 1, tzinfo=UTC)
    rule = rrulestr(text, dtstart=start)
    WindowRule.adopt(rule, keep=1 << 62, work=1000, deadline=float("inf"))  # far too few to walk from DTSTART
    ours = rule.between(lo, lo + timedelta(days=60), inc=True)
    assert not rule.truncated
    assert ours == rrulestr(text, dtstart=start).between(lo, lo + timedelta(days=60), inc=True)
