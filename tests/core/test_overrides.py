"""Override choices: durations, "until tomorrow", replacement rules and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.model import State
from traystatus.core.overrides import (
    CHOICES,
    Choice,
    active,
    apply_choice,
    override_for,
    tomorrow_start,
)

NOW = datetime(2026, 3, 28, 14, 0, tzinfo=UTC)
TOMORROW = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("choice", "minutes"), [(Choice.DND_30M, 30), (Choice.DND_1H, 60), (Choice.DND_2H, 120)])
def test_dnd_durations(choice: Choice, minutes: int) -> None:
    o = override_for(choice, now=NOW, tomorrow=TOMORROW)
    assert o is not None
    assert (o.state, o.start, o.end, o.paused) == (State.FOCUS, NOW, NOW + timedelta(minutes=minutes), False)
    assert o.reason == "Do not disturb"


def test_until_tomorrow_away_and_pause() -> None:
    dnd = override_for(Choice.DND_TOMORROW, now=NOW, tomorrow=TOMORROW)
    away = override_for(Choice.AWAY, now=NOW, tomorrow=TOMORROW)
    pause = override_for(Choice.PAUSE_TOMORROW, now=NOW, tomorrow=TOMORROW)
    pause1 = override_for(Choice.PAUSE_1H, now=NOW, tomorrow=TOMORROW)
    assert dnd is not None and dnd.end == TOMORROW
    assert away is not None and (away.state, away.end) == (State.OFF_HOURS, TOMORROW)
    assert pause is not None and pause.paused and pause.end == TOMORROW
    assert pause1 is not None and pause1.paused and pause1.end == NOW + timedelta(hours=1)
    assert override_for(Choice.BACK, now=NOW, tomorrow=TOMORROW) is None


def test_every_choice_has_a_menu_label_and_a_stable_value() -> None:
    assert [c.choice for c in CHOICES] == list(Choice)
    assert Choice("dnd-1h") is Choice.DND_1H


def test_state_choice_replaces_state_override_but_keeps_pause() -> None:
    current = apply_choice((), Choice.PAUSE_1H, now=NOW, tomorrow=TOMORROW)
    current = apply_choice(current, Choice.DND_30M, now=NOW, tomorrow=TOMORROW)
    current = apply_choice(current, Choice.DND_2H, now=NOW + timedelta(minutes=5), tomorrow=TOMORROW)
    assert sorted((o.paused, o.end) for o in current) == [
        (False, NOW + timedelta(minutes=125)),
        (True, NOW + timedelta(hours=1)),
    ]


def test_back_clears_everything() -> None:
    current = apply_choice((), Choice.AWAY, now=NOW, tomorrow=TOMORROW)
    current = apply_choice(current, Choice.PAUSE_TOMORROW, now=NOW, tomorrow=TOMORROW)
    assert apply_choice(current, Choice.BACK, now=NOW, tomorrow=TOMORROW) == ()


def test_overrides_expire_by_themselves() -> None:
    current = apply_choice((), Choice.DND_30M, now=NOW, tomorrow=TOMORROW)
    assert active(current, NOW + timedelta(minutes=29)) == current
    assert active(current, NOW + timedelta(minutes=30)) == ()
    later = apply_choice(current, Choice.PAUSE_1H, now=NOW + timedelta(hours=1), tomorrow=TOMORROW)
    assert [o.paused for o in later] == [True]  # the expired DND was dropped


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"])
def test_tomorrow_start_is_local_midnight_or_the_next_working_start(zone: str) -> None:
    tz = ZoneInfo(zone)
    midnight = tomorrow_start(NOW, tz)
    local = midnight.astimezone(tz)
    assert (local.hour, local.minute) == (0, 0)
    assert local.date() == NOW.astimezone(tz).date() + timedelta(days=1)
    assert midnight.tzinfo is not None and midnight.utcoffset() == timedelta(0)
    work = midnight + timedelta(hours=9)
    assert tomorrow_start(NOW, tz, work) == work
    # a working start still today does not count as "tomorrow"
    assert tomorrow_start(NOW, tz, NOW + timedelta(minutes=1)) == midnight
