"""World clock rows, offsets, badges, overlap and best slots across DST, odd offsets and the date line."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from traystatus.core.hours import Travel, parse_hours
from traystatus.core.team import Person
from traystatus.core.world_clock import (
    Badge,
    best_slots,
    day_overlap,
    day_window,
    is_working,
    offset_label,
    overlap,
    row_for,
    rows,
    working_days,
)

UTC = ZoneInfo("UTC")


def person(name: str, zone: str, hours: str = "mon-fri 09:00-17:00", **kw: object) -> Person:
    return Person(name=name, tz=ZoneInfo(zone), hours=parse_hours(hours), **kw)  # type: ignore[arg-type]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes", "label"),
    [
        (0, "±0 h"),
        (540, "+9 h"),
        (330, "+5 h 30 min"),
        (-210, "-3 h 30 min"),
        (45, "+45 min"),
        (-60, "-1 h"),
        (345, "+5 h 45 min"),
        (1500, "+25 h"),
    ],
)
def test_offset_label(minutes: int, label: str) -> None:
    assert offset_label(minutes) == label


@pytest.mark.parametrize(
    ("instant", "minutes", "ny_hour"),
    [
        ("2026-03-03T15:00", -300, 10),  # both on standard time
        ("2026-03-10T15:00", -240, 11),  # New York has changed (8 March), London not yet (29 March)
        ("2026-03-30T15:00", -300, 11),  # both on summer time
        ("2026-10-28T15:00", -240, 11),  # London back (25 Oct), New York not yet (1 Nov)
    ],
)
def test_new_york_seen_from_london_across_the_dst_gap(instant: str, minutes: int, ny_hour: int) -> None:
    me = person("Me", "Europe/London")
    row = row_for(person("Nia", "America/New_York"), me, at(instant))
    assert row.offset_minutes == minutes
    assert row.local.hour == ny_hour


def test_new_york_local_time_on_the_march_gap_day() -> None:
    me = person("Me", "Europe/London")
    row = row_for(person("Nia", "America/New_York"), me, at("2026-03-10T15:00"))
    assert (row.local.hour, row.local.minute) == (11, 0)
    assert row.offset_label == "-4 h"
    assert row.badge is Badge.WORKING


@pytest.mark.parametrize(
    ("instant", "hours"),
    [
        ("2026-01-15T12:00", 14),  # both southern summers: Sydney +11, Santiago -3
        ("2026-07-15T12:00", 14),  # both winters: +10, -4
        ("2026-09-15T12:00", 13),  # Santiago moved forward (6 Sep), Sydney not yet (4 Oct)
        ("2026-10-15T12:00", 14),
    ],
)
def test_sydney_seen_from_santiago(instant: str, hours: int) -> None:
    me = person("Me", "America/Santiago")
    assert row_for(person("Sam", "Australia/Sydney"), me, at(instant)).offset_minutes == hours * 60


@pytest.mark.parametrize(
    ("zone", "instant", "label"),
    [
        ("Asia/Kolkata", "2026-06-01T00:00", "+5 h 30 min"),
        ("Asia/Kathmandu", "2026-06-01T00:00", "+5 h 45 min"),
        ("Australia/Lord_Howe", "2026-01-15T00:00", "+11 h"),  # half-hour DST
        ("Australia/Lord_Howe", "2026-07-15T00:00", "+10 h 30 min"),
        ("Pacific/Chatham", "2026-01-15T00:00", "+13 h 45 min"),
        ("Pacific/Chatham", "2026-07-15T00:00", "+12 h 45 min"),
    ],
)
def test_odd_offsets_from_utc(zone: str, instant: str, label: str) -> None:
    row = row_for(person("X", zone), person("Me", "UTC"), at(instant))
    assert row.offset_label == label


def test_kathmandu_seen_from_kolkata_is_a_quarter_hour() -> None:
    row = row_for(person("K", "Asia/Kathmandu"), person("Me", "Asia/Kolkata"), at("2026-06-01T06:00"))
    assert row.offset_label == "+15 min"
    assert (row.local.hour, row.local.minute) == (11, 45)


def test_date_line_two_days_apart() -> None:
    pago, kiri = person("Me", "Pacific/Pago_Pago"), person("Kiri", "Pacific/Kiritimati")
    instant = datetime(2026, 6, 1, 23, 30, tzinfo=ZoneInfo("Pacific/Pago_Pago"))  # Monday 23:30
    row = row_for(kiri, pago, instant)
    assert row.offset_minutes == 25 * 60
    assert row.local.date() == date(2026, 6, 3) and row.day_delta == 2
    assert row.date_hint == "+2 days"
    back = row_for(pago, kiri, instant)
    assert back.day_delta == -2 and back.offset_label == "-25 h"


def test_tomorrow_and_yesterday_hints() -> None:
    me = person("Me", "Europe/Berlin")
    evening = datetime(2026, 6, 1, 20, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert row_for(person("Aiko", "Asia/Tokyo"), me, evening).date_hint == "tomorrow"
    morning = datetime(2026, 6, 1, 5, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert row_for(person("Lee", "America/Los_Angeles"), me, morning).date_hint == "yesterday"
    assert row_for(person("Bo", "Europe/Paris"), me, morning).date_hint == ""


@pytest.mark.parametrize(
    ("local", "badge"),
    [
        ("2026-06-01T10:00", Badge.WORKING),  # Monday
        ("2026-06-01T17:00", Badge.OFF_HOURS),  # end is exclusive
        ("2026-06-01T23:00", Badge.NIGHT),
        ("2026-06-01T06:59", Badge.NIGHT),
        ("2026-06-06T12:00", Badge.OFF_HOURS),  # Saturday
    ],
)
def test_badges(local: str, badge: Badge) -> None:
    me = person("Me", "UTC")
    assert row_for(me, me, at(local)).badge is badge


def test_overnight_and_midnight_blocks() -> None:
    hours = parse_hours("mon 22:00-06:00; tue 18:00-24:00")
    assert is_working(hours, at("2026-06-01T23:00"))  # Monday night
    assert is_working(hours, at("2026-06-02T05:59"))  # Tuesday early, tail of Monday's block
    assert not is_working(hours, at("2026-06-02T06:00"))
    assert is_working(hours, at("2026-06-02T23:59"))
    assert not is_working(hours, at("2026-06-03T00:00"))


def test_rows_me_first_grouped_by_team_then_by_offset() -> None:
    me = person("Me", "Europe/Berlin")
    people = [
        person("Zed", "Asia/Tokyo", teams=("Backend",)),
        person("Ann", "America/New_York", teams=("Backend",)),
        person("Solo", "Asia/Kolkata"),
        person("Dee", "Europe/Lisbon", teams=("Apps",)),
        person("Cy", "America/Chicago", teams=("Apps",)),
    ]
    out = rows(me, people, at("2026-06-01T12:00"))
    assert [r.name for r in out] == ["Me", "Cy", "Dee", "Ann", "Zed", "Solo"]
    assert out[0].is_me and out[0].offset_minutes == 0
    assert [r.group for r in out] == ["", "Apps", "Apps", "Backend", "Backend", ""]
    assert out[4].person_index == 0
    flat = rows(me, people, at("2026-06-01T12:00"), group_by_team=False)
    assert [r.name for r in flat] == ["Me", "Cy", "Ann", "Dee", "Solo", "Zed"]


def test_travel_changes_the_zone_for_its_dates() -> None:
    trip = Travel(first=date(2026, 6, 10), last=date(2026, 6, 12), tz=ZoneInfo("Asia/Tokyo"))
    ann = person("Ann", "Europe/London", travel=(trip,))
    me = person("Me", "UTC")
    assert row_for(ann, me, at("2026-06-09T12:00")).zone == "Europe/London"
    during = row_for(ann, me, at("2026-06-11T03:00"))
    assert during.zone == "Asia/Tokyo" and during.offset_label == "+9 h" and during.badge is Badge.WORKING
    assert row_for(ann, me, at("2026-06-13T12:00")).zone == "Europe/London"


def test_overlap_london_new_york_shrinks_when_only_new_york_changed() -> None:
    london, ny = person("Me", "Europe/London"), person("Nia", "America/New_York")
    before = day_overlap([london, ny], date(2026, 3, 3), ZoneInfo("Europe/London"))
    gap = day_overlap([london, ny], date(2026, 3, 10), ZoneInfo("Europe/London"))
    assert [(s.start, s.end) for s in before] == [(at("2026-03-03T14:00"), at("2026-03-03T17:00"))]
    assert [(s.start, s.end) for s in gap] == [(at("2026-03-10T13:00"), at("2026-03-10T17:00"))]
    assert gap[0].minutes == 240 and gap[0].everyone


def test_overlap_kolkata_kathmandu() -> None:
    spans = day_overlap(
        [person("Me", "Asia/Kolkata"), person("K", "Asia/Kathmandu")], date(2026, 6, 1), ZoneInfo("Asia/Kolkata")
    )
    assert [(s.start, s.end) for s in spans] == [(at("2026-06-01T03:30"), at("2026-06-01T11:15"))]


def test_no_overlap_is_empty_and_weekends_too() -> None:
    people = [person("Me", "Europe/London"), person("Aiko", "Asia/Tokyo")]
    assert day_overlap(people, date(2026, 6, 1), ZoneInfo("Europe/London")) == []
    both = [person("Me", "Europe/London"), person("B", "Europe/Berlin")]
    assert day_overlap(both, date(2026, 6, 6), ZoneInfo("Europe/London")) == []


def test_day_window_on_dst_days_is_23_or_25_hours() -> None:
    s, e = day_window(date(2026, 3, 29), ZoneInfo("Europe/London"))
    assert e - s == timedelta(hours=23)
    s, e = day_window(date(2026, 4, 5), ZoneInfo("Australia/Lord_Howe"))
    assert e - s == timedelta(hours=24, minutes=30)


def test_chatham_and_lord_howe_overlap_on_their_dst_end_day() -> None:
    # 5 April 2026: Lord Howe leaves +11 for +10:30, Chatham +13:45 for +12:45, both at night.
    spans = day_overlap(
        [person("Me", "Australia/Lord_Howe"), person("C", "Pacific/Chatham")],
        date(2026, 4, 6),
        ZoneInfo("Australia/Lord_Howe"),
    )
    # Monday: Lord Howe 09:00-17:00 = 22:30-06:30 UTC; Chatham 09:00-17:00 = 20:15-04:15 UTC
    assert [(s.start, s.end) for s in spans] == [(at("2026-04-05T22:30"), at("2026-04-06T04:15"))]


def test_working_days_skip_weekends_and_follow_hours() -> None:
    assert working_days(date(2026, 6, 5), 3, None) == [date(2026, 6, 5), date(2026, 6, 8), date(2026, 6, 9)]
    assert working_days(date(2026, 6, 5), 2, parse_hours("sat 10:00-12:00")) == [date(2026, 6, 6), date(2026, 6, 13)]


def test_best_slots_prefer_everyone_then_most_people() -> None:
    me, ny = person("Me", "Europe/London"), person("Nia", "America/New_York")
    tokyo = person("Aiko", "Asia/Tokyo")
    now = at("2026-06-05T15:30")  # Friday, 16:30 in London (BST)
    slots = best_slots([me, ny], now, tz=ZoneInfo("Europe/London"), hours=me.hours, days=5, minutes=30)
    assert len(slots) == 5
    # today what is left (16:30-17:00 London), then Mon..Thu 14:00-17:00 London = 13:00-16:00 UTC
    assert (slots[0].start, slots[0].end) == (now, at("2026-06-05T16:00"))
    assert (slots[1].start, slots[1].end) == (at("2026-06-08T13:00"), at("2026-06-08T16:00"))
    assert all(s.everyone for s in slots)
    three = best_slots([me, ny, tokyo], now, tz=ZoneInfo("Europe/London"), hours=me.hours, days=5, minutes=30)
    assert three and all(len(s.available) == 2 and s.missing == ("Aiko",) for s in three)


def test_best_slots_ignore_spans_shorter_than_the_meeting() -> None:
    me, k = person("Me", "Asia/Kolkata", "mon-fri 09:00-09:20"), person("K", "Asia/Kathmandu", "mon-fri 09:00-17:00")
    assert all(s.minutes >= 30 for s in best_slots([me, k], at("2026-06-01T00:00"), tz=ZoneInfo("Asia/Kolkata")))


ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
    "Australia/Sydney",
]
HOURS = ["mon-fri 09:00-17:00", "mon-fri 08:30-12:00,13:00-18:15", "mon-sat 10:00-20:00", "tue-thu 07:00-15:00"]
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(ZONES), st.sampled_from(ZONES), instants)
def test_offset_is_the_difference_of_wall_clocks(mine: str, theirs: str, instant: datetime) -> None:
    row = row_for(person("T", theirs), person("Me", mine), instant)
    my_wall = instant.astimezone(ZoneInfo(mine)).replace(tzinfo=None)
    their_wall = instant.astimezone(ZoneInfo(theirs)).replace(tzinfo=None)
    assert their_wall - my_wall == timedelta(minutes=row.offset_minutes)
    assert row.day_delta == (their_wall.date() - my_wall.date()).days


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(ZONES), st.sampled_from(HOURS)), min_size=1, max_size=4),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
)
def test_overlap_spans_are_working_time_for_everyone(members: list[tuple[str, str]], day: date) -> None:
    people = [person(f"P{i}", z, h) for i, (z, h) in enumerate(members)]
    start, end = day_window(day, people[0].tz)
    spans = overlap(people, start, end)
    for span in spans:
        assert start <= span.start < span.end <= end
        for probe in (span.start, span.end - timedelta(minutes=1)):
            assert all(is_working(p.hours, probe.astimezone(p.tz)) for p in people)
    # and every minute outside the spans on the hour has someone off
    probe = start
    while probe < end:
        inside = any(s.start <= probe < s.end for s in spans)
        assert inside == all(is_working(p.hours, probe.astimezone(p.tz)) for p in people)
        probe += timedelta(minutes=60)


def test_best_slots_keep_the_required_organiser_in_every_slot() -> None:
    me, ny = person("Me", "Europe/London"), person("Nia", "America/New_York")
    tokyo, kolkata = person("Aiko", "Asia/Tokyo"), person("Priya", "Asia/Kolkata")
    now = at("2026-03-10T07:00")
    free = best_slots([me, ny, tokyo, kolkata], now, tz=ZoneInfo("Europe/London"), hours=me.hours, limit=10)
    assert any("Me" in s.missing for s in free)  # without a requirement, a slot may leave the organiser out
    slots = best_slots(
        [me, ny, tokyo, kolkata], now, tz=ZoneInfo("Europe/London"), hours=me.hours, limit=10, required=[me]
    )
    assert slots and all("Me" in s.available for s in slots)
    assert (slots[0].start, slots[0].end, slots[0].missing) == (
        at("2026-03-10T09:00"),
        at("2026-03-10T11:30"),
        ("Nia", "Aiko"),
    )


def test_best_slots_never_offer_a_slot_only_you_can_attend() -> None:
    """The issue's "1 of 2 (only you)": with the other person never in your hours, there is no slot."""
    me, far = person("Me", "Europe/London"), person("Kai", "Pacific/Auckland", "mon-fri 09:00-10:00")
    now = at("2026-03-10T07:00")
    zone = ZoneInfo("Europe/London")
    assert best_slots([me, far], now, tz=zone, hours=me.hours, limit=10, required=[me]) == []
    near = person("Nia", "America/New_York")
    slots = best_slots([me, far, near], now, tz=zone, hours=me.hours, limit=10, required=[me])
    assert slots and all(len(s.available) >= 2 and "Me" in s.available for s in slots)
    assert all(s.missing == ("Kai",) for s in slots)
