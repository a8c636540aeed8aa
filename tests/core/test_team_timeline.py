"""The team clock's shared timeline: the window around a day, slider steps, days ahead, lanes, overlap, the axis
and best slots in words, across DST changes, half-hour zones and the date line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.hours import parse_hours
from traystatus.core.team import Person
from traystatus.core.team_timeline import (
    axis_ticks,
    clip,
    days_later,
    hours_words,
    instant_at,
    night_intervals,
    overlap_words,
    slot_text,
    step_at,
    timeline,
    window,
)
from traystatus.core.world_clock import Span, day_window

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")


def person(name: str, zone: str, hours: str = "mon-fri 09:00-17:00") -> Person:
    return Person(name=name, tz=ZoneInfo(zone), hours=parse_hours(hours))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 10), 72), (date(2026, 3, 29), 71), (date(2026, 10, 25), 73), (date(2026, 3, 30), 71)],
)
def test_the_window_is_three_local_days_even_across_dst(day: date, hours: int) -> None:
    start, end = window(day, LONDON)
    assert start.astimezone(LONDON).replace(tzinfo=None) == datetime.combine(
        day - timedelta(days=1), datetime.min.time()
    )
    assert (end - start) == timedelta(hours=hours)


def test_the_window_reaches_a_day_either_side_of_any_time_of_the_day() -> None:
    for zone in ("Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/New_York"):
        tz = ZoneInfo(zone)
        for day in (date(2026, 4, 5), date(2026, 10, 4), date(2026, 3, 8), date(2026, 11, 1)):
            start, end = window(day, tz)
            first = datetime.combine(day, datetime.min.time(), tzinfo=tz)
            last = datetime.combine(day, datetime.max.time(), tzinfo=tz)
            assert first - start >= timedelta(hours=23) and end - last >= timedelta(hours=23), (zone, day)


def test_steps_are_real_quarter_hours_across_the_spring_gap() -> None:
    start, _end = window(date(2026, 3, 29), LONDON)  # 28 Mar 00:00 GMT
    one_am = step_at(start, at("2026-03-29T01:00"))  # 29 Mar 02:00 BST, just after the gap
    assert instant_at(start, one_am - 1).astimezone(LONDON).strftime("%H:%M") == "00:45"
    assert instant_at(start, one_am).astimezone(LONDON).strftime("%H:%M") == "02:00"
    for step in range(0, 4 * 71):
        assert step_at(start, instant_at(start, step)) == step
    assert step_at(start, at("2026-03-29T01:07")) == one_am  # inside a step: the quarter it falls in


@pytest.mark.parametrize(
    ("instant", "zone", "days", "local"),
    [
        ("2026-03-28T01:30", "Europe/London", 1, "2026-03-29 02:30+01:00"),  # the gap: on by an hour
        ("2026-10-24T00:30", "Europe/London", 1, "2026-10-25 01:30+01:00"),  # repeated: the first one
        ("2026-03-10T15:00", "Asia/Kolkata", 2, "2026-03-12 20:30+05:30"),
        ("2026-04-04T14:45", "Australia/Lord_Howe", 1, "2026-04-06 01:45+10:30"),  # 30-minute DST change
        ("2026-03-10T09:00", "Pacific/Kiritimati", -1, "2026-03-09 23:00+14:00"),
    ],
)
def test_days_later_keeps_the_wall_clock(instant: str, zone: str, days: int, local: str) -> None:
    got = days_later(at(instant), ZoneInfo(zone), days)
    assert got.tzinfo == UTC and got.astimezone(ZoneInfo(zone)).isoformat(sep=" ", timespec="minutes") == local


def test_lanes_and_overlap_across_the_three_days() -> None:
    me = person("Me", "Europe/London")
    nia = person("Nia", "America/New_York")
    t = timeline(me, [nia], date(2026, 3, 10), LONDON)  # Mon 9 to Wed 11 March, New York on EDT from the 8th
    assert [lane.name for lane in t.lanes] == ["Me", "Nia"] and t.lanes[0].is_me and not t.lanes[1].is_me
    assert t.lanes[0].intervals == tuple(
        (at(f"2026-03-{d:02d}T09:00"), at(f"2026-03-{d:02d}T17:00")) for d in (9, 10, 11)
    )
    assert t.lanes[1].intervals == tuple(
        (at(f"2026-03-{d:02d}T13:00"), at(f"2026-03-{d:02d}T21:00")) for d in (9, 10, 11)
    )
    assert t.overlap == tuple((at(f"2026-03-{d:02d}T13:00"), at(f"2026-03-{d:02d}T17:00")) for d in (9, 10, 11))
    assert t.steps == 72 * 4


def test_half_hour_zones_overlap_by_a_quarter() -> None:
    me = person("Me", "Asia/Kolkata")
    t = timeline(me, [person("Bikash", "Asia/Kathmandu")], date(2026, 3, 10), ZoneInfo("Asia/Kolkata"))
    # Kathmandu is 15 min ahead: their 09:00-17:00 is Kolkata's 08:45-16:45
    local = [
        (s.astimezone(ZoneInfo("Asia/Kolkata")).time(), e.astimezone(ZoneInfo("Asia/Kolkata")).time())
        for s, e in t.overlap
    ]
    assert [f"{s:%H:%M}-{e:%H:%M}" for s, e in local] == ["09:00-16:45"] * 3


def test_across_the_date_line_their_tuesday_meets_our_monday() -> None:
    me = person("Me", "Pacific/Pago_Pago")  # UTC-11
    kiri = person("Kiri", "Pacific/Kiritimati")  # UTC+14: 25 hours ahead, a day and an hour later
    t = timeline(me, [kiri], date(2026, 3, 13), ZoneInfo("Pacific/Pago_Pago"))  # Thu 12 to Sat 14 in Pago Pago
    pago = ZoneInfo("Pacific/Pago_Pago")
    spans = [f"{s.astimezone(pago):%a %H:%M}-{e.astimezone(pago):%H:%M}" for s, e in t.overlap]
    # Kiri's Friday 09:00-17:00 is Thursday 08:00-16:00 in Pago Pago; Friday in Pago Pago is Saturday there
    assert spans == ["Thu 09:00-16:00"]


def test_the_axis_picks_a_readable_spacing() -> None:
    start, end = window(date(2026, 3, 10), LONDON)
    six = axis_ticks(start, end, LONDON, max_labels=12)
    assert [text for _t, text in six] == [
        "Mon 9", "06:00", "12:00", "18:00", "Tue 10", "06:00", "12:00", "18:00", "Wed 11", "06:00", "12:00", "18:00"
    ]  # fmt: skip
    assert [text for _t, text in axis_ticks(start, end, LONDON, max_labels=3)] == ["Mon 9", "Tue 10", "Wed 11"]
    assert len(axis_ticks(start, end, LONDON, max_labels=100)) == 72
    assert all(text != "0" and not text.isdigit() for _t, text in six)


def test_the_axis_skips_the_hour_the_clocks_skip_and_ticks_a_repeated_hour_once() -> None:
    start, end = window(date(2026, 3, 29), LONDON)
    hourly = [t.astimezone(LONDON).strftime("%d %H") for t, _ in axis_ticks(start, end, LONDON, max_labels=100)]
    assert "29 00" in hourly and "29 01" not in hourly and "29 02" in hourly and len(hourly) == 71
    start, end = window(date(2026, 10, 25), LONDON)
    ticks = axis_ticks(start, end, LONDON, max_labels=100)
    assert [text for _t, text in ticks].count("01:00") == 3 and len(ticks) == 72  # a 73-hour window


def test_the_axis_in_a_half_hour_zone_ticks_local_whole_hours() -> None:
    tz = ZoneInfo("Asia/Kolkata")
    start, end = window(date(2026, 3, 10), tz)
    ticks = axis_ticks(start, end, tz, max_labels=12)
    assert all(t.minute == 30 for t, _ in ticks)  # whole hours in Kolkata are half past in UTC
    assert ticks[1][1] == "06:00"


def test_a_slot_says_who_is_in_and_who_is_missing() -> None:
    span = Span(
        start=at("2026-03-10T14:00"),
        end=at("2026-03-10T15:00"),
        available=("Me", "Nia Brooks", "Priya", "Aiko", "Bikash"),
        missing=("Hemi",),
    )
    assert slot_text(span, LONDON, me_name="Me") == (
        "Tue 10 Mar 14:00–15:00 · 5 of 6: you, Nia Brooks, Priya, +2 · missing Hemi"
    )
    everyone = Span(start=span.start, end=span.end, available=("Me", "Nia Brooks"))
    assert slot_text(everyone, ZoneInfo("Asia/Kolkata"), me_name="Me") == (
        "Tue 10 Mar 19:30–20:30 · everyone (2): you, Nia Brooks"
    )


def test_the_overlap_in_words() -> None:
    day = date(2026, 3, 8)
    spans = [(at("2026-03-08T13:00"), at("2026-03-08T17:00")), (at("2026-03-08T22:00"), at("2026-03-09T00:00"))]
    assert overlap_words(day, spans, LONDON, picked=2, everyone=False, team=3) == (
        "All in (you + 2, Sun 8 Mar): 13:00–17:00, 22:00–24:00"  # the day's end is 24:00, not 00:00
    )
    assert overlap_words(day, [], LONDON, picked=3, everyone=True, team=3) == (
        "All in (everyone, Sun 8 Mar): no hour when all 4 work"
    )
    assert overlap_words(day, [], LONDON, picked=0, everyone=False, team=3).startswith("Tick the people")
    assert "Settings › Team" in overlap_words(day, [], LONDON, picked=0, everyone=True, team=0)


def test_clip_keeps_the_parts_inside() -> None:
    day = (at("2026-03-08T00:00"), at("2026-03-09T00:00"))
    spans = [(at("2026-03-07T20:00"), at("2026-03-08T02:00")), (at("2026-03-09T00:00"), at("2026-03-09T05:00"))]
    assert clip(spans, day) == [(at("2026-03-08T00:00"), at("2026-03-08T02:00"))]


def test_nights_are_local_22_to_07_across_dst_and_half_hour_zones() -> None:
    start, end = window(date(2026, 3, 29), LONDON)  # Sat 28 to Mon 30 March; London moves to BST on the 29th
    nights = night_intervals(person("Me", "Europe/London"), start, end)
    assert (at("2026-03-28T22:00"), at("2026-03-29T06:00")) in nights  # 22:00 GMT to 07:00 BST: 8 hours
    assert nights[0] == (start, at("2026-03-28T07:00"))  # the window opens in a night
    priya = night_intervals(person("Priya", "Asia/Kolkata"), start, end)
    assert (at("2026-03-28T16:30"), at("2026-03-29T01:30")) in priya
    assert all(start <= s < e <= end for s, e in [*nights, *priya])


def test_hours_in_their_time_and_yours() -> None:
    day = day_window(date(2026, 3, 10), LONDON)
    nia = timeline(person("Me", "Europe/London"), [person("Nia", "America/New_York")], date(2026, 3, 10), LONDON)
    theirs = nia.lanes[1].intervals
    assert hours_words(theirs, day, ZoneInfo("America/New_York"), LONDON) == "09:00–17:00 EDT (13:00–21:00 your time)"
    assert hours_words(nia.lanes[0].intervals, day, LONDON, LONDON) == "09:00–17:00 (your time too)"
    night = [(at("2026-03-10T18:00"), at("2026-03-11T00:00"))]  # to your midnight
    assert hours_words(night, day, ZoneInfo("Asia/Kolkata"), LONDON) == "23:30–05:30 IST (18:00–24:00 your time)"
    assert hours_words([], day, LONDON, LONDON) == "not working"
