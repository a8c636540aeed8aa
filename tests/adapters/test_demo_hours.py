"""The demo is at work whenever it is started, and its day ends hours later (not minutes: the end-of-day
handoff prompt would open by itself right after a late-evening start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.config_toml import load_config_file
from traystatus.adapters.demo import prepare_demo
from traystatus.app.resources import demo_dir
from traystatus.core.engine import build_timeline
from traystatus.core.model import State

ZONES = ["Europe/Berlin", "Asia/Kolkata", "Pacific/Kiritimati", "America/St_Johns"]
#: ordinary days, both DST changes in Berlin and St John's, and the evening quarter hour that used to fail
STARTS = [
    datetime(2026, 11, 30, 23, 50, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 10, tzinfo=UTC),
    datetime(2026, 3, 8, 5, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("first", STARTS)
def test_demo_started_at_any_minute_works_for_five_more_hours(tmp_path: Path, zone: str, first: datetime) -> None:
    tz = ZoneInfo(zone)
    for step in range(0, 24 * 60, 25):  # every hour of the day, at varying minutes
        now = first + timedelta(minutes=step)
        files = prepare_demo(demo_dir(), tmp_path, now, tz)
        settings = load_config_file(files.config_file, default_tz=tz)
        timeline = build_timeline(settings, [], [], now, now + timedelta(hours=5))
        off = [i for i in timeline.intervals if i.state is State.OFF_HOURS and i.start < now + timedelta(hours=5)]
        assert not off, f"{zone} started {now.astimezone(tz):%Y-%m-%d %H:%M}: off hours at {off[0].start}"
