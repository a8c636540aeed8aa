"""Zone search as people type and day-range problems as the hours editor explains them."""

from __future__ import annotations

from datetime import time
from zoneinfo import available_timezones

import pytest

from traystatus.core.hours import TimeBlock, blocks_problem, parse_blocks
from traystatus.core.zone_search import CITY_ZONES, search_zones

ZONES = sorted(z for z in available_timezones() if "/" in z)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("berl", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("NEW_YORK", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("kathmandu", "Asia/Kathmandu"),
        ("lord howe", "Australia/Lord_Howe"),
        ("bangalore", "Asia/Kolkata"),
        ("munich", "Europe/Berlin"),
        ("europe lon", "Europe/London"),
    ],
)
def test_a_city_as_typed_finds_its_zone_first(typed: str, zone: str) -> None:
    assert search_zones(typed, ZONES)[0].zone == zone


def test_labels_name_the_city_and_nothing_unknown_is_offered() -> None:
    [match] = [m for m in search_zones("munich", ZONES)]
    assert match.label == "Munich — Europe/Berlin"
    assert search_zones("", ZONES) == [] and search_zones("atlantis", ZONES) == []
    assert len(search_zones("a", ZONES, limit=50)) == 50  # bounded, whatever is typed
    assert search_zones("berlin " + "x" * 1_000_000, ZONES) == []  # a huge paste is cut, not scanned
    assert set(CITY_ZONES.values()) <= set(ZONES)  # every alias points at a real zone


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("09:00-12:30,13:30-17:30", ""),
        ("09:00-12:30,12:30-17:30", ""),  # touching is not overlapping
        ("22:00-02:00", ""),
        ("09:00-13:00,12:00-15:00", "'09:00-13:00' and '12:00-15:00' overlap"),
        ("09:00-17:00,10:00-11:00,12:00-13:00", "'09:00-17:00' and '10:00-11:00' overlap"),
        ("08:00-10:00,22:00-02:00,23:00-23:30", "'22:00-02:00' and '23:00-23:30' overlap"),
    ],
)
def test_blocks_problem(text: str, problem: str) -> None:
    # built one block at a time: parse_blocks refuses overlaps itself, the editor's ranges come one by one
    said = blocks_problem([parse_blocks(part)[0] for part in text.split(",")])
    assert said.startswith(problem) if problem else said == ""


def test_an_empty_block_is_said() -> None:
    assert "empty" in blocks_problem([TimeBlock(start=time(9), end=time(9))])
