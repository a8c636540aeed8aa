"""Combining RFC 7953 availability components: ranges, PRIORITY layers, "not set", and the engine using them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.availability import AvailabilityComponent, apply_calendar_hours, combine
from traystatus.core.engine import build_timeline, next_working_start
from traystatus.core.hours import DayException, parse_hours
from traystatus.core.model import State
from traystatus.core.settings import Settings
from traystatus.core.work_periods import hours_origin

D = datetime(2026, 12, 7, tzinfo=UTC)  # a Monday


def h(day: int, hour: float) -> datetime:
    return D + timedelta(days=day, hours=hour)


def comp(*available: tuple[datetime, datetime], start=None, end=None, priority=0, name="Work") -> AvailabilityComponent:
    return AvailabilityComponent(
        name=name, source="availability in 'Cal'", start=start, end=end, priority=priority, available=available
    )


def test_one_component_covers_its_range_and_is_free_only_in_its_blocks() -> None:
    c = comp((h(0, 8), h(0, 12)), (h(1, 8), h(1, 12)), start=h(0, 0), end=h(2, 0))
    hours = combine([c], h(-1, 0), h(5, 0))
    assert hours is not None
    assert hours.covered == ((h(0, 0), h(2, 0)),)
    assert hours.free == ((h(0, 8), h(0, 12)), (h(1, 8), h(1, 12)))


def test_higher_priority_replaces_lower_inside_its_range_only() -> None:
    base = comp((h(0, 9), h(0, 17)), (h(1, 9), h(1, 17)), (h(2, 9), h(2, 17)), priority=9, name="usual")
    trip = comp((h(1, 14), h(1, 22)), start=h(1, 0), end=h(2, 0), priority=1, name="trip")
    hours = combine([trip, base], h(0, 0), h(3, 0))  # order in the file does not matter
    assert hours is not None
    assert hours.free == ((h(0, 9), h(0, 17)), (h(1, 14), h(1, 22)), (h(2, 9), h(2, 17)))


def test_priority_zero_is_the_lowest() -> None:
    undefined = comp((h(0, 9), h(0, 17)), priority=0)
    nine = comp((h(0, 10), h(0, 11)), start=h(0, 0), end=h(1, 0), priority=9)
    hours = combine([nine, undefined], h(0, 0), h(1, 0))
    assert hours is not None and hours.free == ((h(0, 10), h(0, 11)),)


def test_equal_priorities_are_one_layer_whose_blocks_add_up() -> None:
    a = comp((h(0, 9), h(0, 12)), priority=5)
    b = comp((h(0, 11), h(0, 15)), priority=5)
    hours = combine([a, b], h(0, 0), h(1, 0))
    assert hours is not None and hours.free == ((h(0, 9), h(0, 15)),)


def test_an_availability_without_any_available_block_is_not_set_never_busy_all_week() -> None:
    blank = dataclasses.replace(comp(), defined=False, name="Working hours")
    hours = combine([blank], h(0, 0), h(7, 0))
    assert hours is not None and hours.covered == () and "treated as not set" in hours.warnings[0]
    settings, notes = apply_calendar_hours(Settings(), [blank], h(0, 0), h(7, 0))
    assert settings.calendar_hours is None and "'Working hours'" in notes[0]
    timeline = build_timeline(settings, [], [], h(0, 0), h(1, 0))
    assert timeline.at(h(0, 10)).state is State.AVAILABLE  # the configured mon-fri 09:00-17:00


def test_the_engine_uses_the_calendar_hours_and_says_so() -> None:
    c = comp((h(0, 7), h(0, 11)), start=h(0, 0), end=h(1, 0))
    settings, _ = apply_calendar_hours(Settings(), [c], h(-1, 0), h(3, 0))
    timeline = build_timeline(settings, [], [], h(0, 0), h(2, 0))
    at8 = timeline.at(h(0, 8))
    assert at8.state is State.AVAILABLE and at8.reason == "working hours (from availability in 'Cal')"
    at12 = timeline.at(h(0, 12))
    assert at12.state is State.OFF_HOURS and at12.reason == "outside working hours (from availability in 'Cal')"
    assert at12.until == h(1, 9)  # Tuesday is outside the component's range: the config's 09:00 applies
    assert timeline.at(h(1, 10)).reason == "working hours (mon-fri 09:00-17:00)"
    assert next_working_start(settings, h(0, 12)) == h(1, 9)
    assert "where it applies" in hours_origin(settings, h(0, 0), h(2, 0))
    assert hours_origin(settings, h(0, 0), h(1, 0)) == "from availability in 'Cal'"


def test_hours_given_for_one_run_win_over_the_calendar() -> None:
    c = comp((h(0, 7), h(0, 11)))
    pinned = dataclasses.replace(Settings(), hours=parse_hours("mon-fri 12:00-13:00"), hours_pinned=True)
    settings, notes = apply_calendar_hours(pinned, [c], h(0, 0), h(1, 0))
    assert settings.calendar_hours is None and "--hours" in notes[0]
    assert (
        build_timeline(settings, [], [], h(0, 0), h(1, 0))
        .at(
            h(
                0,
                12,
            )
        )
        .state
        is State.AVAILABLE
    )
    assert hours_origin(settings, h(0, 0), h(1, 0)).startswith("from --hours")


def test_configured_exceptions_still_apply_on_top() -> None:
    c = comp((h(0, 7), h(0, 11)), (h(1, 7), h(1, 11)))
    holiday = DayException(first=h(1, 0).date(), last=h(1, 0).date(), label="Founders day")
    base = dataclasses.replace(Settings(), exceptions=(holiday,))
    settings, _ = apply_calendar_hours(base, [c], h(-1, 0), h(3, 0))
    timeline = build_timeline(settings, [], [], h(0, 0), h(2, 0))
    assert timeline.at(h(0, 8)).state is State.AVAILABLE
    tuesday = timeline.at(h(1, 8))
    assert tuesday.state is State.OFF_HOURS and "Founders day" in tuesday.reason


@pytest.mark.parametrize("zone", ["Asia/Kathmandu", "Pacific/Chatham", "America/New_York"])
def test_calendar_hours_are_instants_whatever_the_users_zone(zone: str) -> None:
    c = comp((h(0, 7), h(0, 11)), start=h(0, 0), end=h(1, 0))
    base = dataclasses.replace(Settings(), timezone=ZoneInfo(zone))
    settings, _ = apply_calendar_hours(base, [c], h(-1, 0), h(2, 0))
    timeline = build_timeline(settings, [], [], h(0, 0), h(1, 0))
    assert timeline.at(h(0, 7)).state is State.AVAILABLE
    assert timeline.at(h(0, 11)).state is State.OFF_HOURS
