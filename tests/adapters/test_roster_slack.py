"""Slack roster import against the Slack emulator: pagination, tier-2 rate limit, bots/deleted skipped, daily cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.slack import ManualClock
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator.workspace import User
from traystatus.adapters.roster_slack import fetch_slack_people, slack_roster
from traystatus.adapters.slack_api import SlackClient
from traystatus.core.errors import ServiceError

ZONES = [
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/Santiago",
    "Australia/Sydney",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Europe/London",
]


def add_people(emu: SlackEmulator, n: int) -> None:
    with emu.lock:
        for i in range(n):
            uid = f"U1PERSON{i:03d}"
            emu.ws.users[uid] = User(id=uid, name=f"p{i}", real_name=f"Person {i:03d}", tz=ZONES[i % len(ZONES)])
        emu.ws.users["U1BOTTWO1"] = User(id="U1BOTTWO1", name="ci", real_name="CI Bot", tz="UTC", is_bot=True)
        emu.ws.users["U1GONETWO"] = User(id="U1GONETWO", name="left", real_name="Left Us", tz="UTC", deleted=True)


def client(emu: SlackEmulator, clock: ManualClock) -> SlackClient:
    # waiting moves the emulator's clock; a minute's wait is fine for a background import
    return SlackClient(emu.token, api_url=emu.base_url, sleep=clock.advance, max_wait=90)


def test_all_pages_read_bots_deleted_and_me_skipped(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    add_people(slack_emulator, 40)
    people = fetch_slack_people(
        client(slack_emulator, slack_clock), exclude_user_id=slack_emulator.user_id, page_size=10
    )
    calls = slack_emulator.calls_to("users.list")
    assert len(calls) == 6  # 51 members, 10 a page
    assert "cursor" not in calls[0].params and all(c.params.get("cursor") for c in calls[1:])
    names = [p.name for p in people]
    assert len(people) == 46  # 40 added + 6 default teammates
    assert "Priya Raman" in names and "Person 039" in names
    assert not {"Deploy Bot", "Former Colleague", "CI Bot", "Left Us", "Alex Example"} & set(names)
    priya = next(p for p in people if p.name == "Priya Raman")
    assert priya.tz == ZoneInfo("Asia/Kolkata") and priya.handles == ("slack:U0PRIYA01",)
    assert priya.avatar_url.endswith("-72.png") and priya.source == "slack"
    assert {p.tz.key for p in people} >= {"Pacific/Chatham", "Australia/Lord_Howe", "Asia/Kathmandu"}


def test_tier2_rate_limit_is_waited_out(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    add_people(slack_emulator, 40)
    start = slack_clock()
    people = fetch_slack_people(client(slack_emulator, slack_clock), page_size=2)  # 26 pages > 20 a minute
    assert len(people) == 47  # you included this time
    statuses = [c.http_status for c in slack_emulator.calls_to("users.list")]
    assert statuses.count(429) >= 1 and statuses.count(200) == 26
    assert slack_clock() - start >= 1  # the client slept as Slack asked (on the emulator's clock)


def test_daily_cache_refresh_and_stale_copy(
    slack_emulator: SlackEmulator, slack_clock: ManualClock, tmp_path: Path
) -> None:
    roster = slack_roster(client(slack_emulator, slack_clock), tmp_path, exclude_user_id=slack_emulator.user_id)
    t0 = datetime(2026, 6, 1, 9, tzinfo=UTC)
    first = roster.people(t0)
    assert len(first) == 6 and (tmp_path / "team_slack.json").exists()
    assert roster.people(t0 + timedelta(hours=23)) == first
    assert len(slack_emulator.calls_to("users.list")) == 1  # served from the cache
    add_people(slack_emulator, 3)
    assert len(roster.people(t0 + timedelta(hours=25))) == 9  # a day later: refreshed
    assert len(slack_emulator.calls_to("users.list")) == 2
    slack_emulator.revoke()
    assert len(roster.people(t0 + timedelta(days=3))) == 9  # Slack refuses: the last good copy stays


def test_first_import_failure_says_why(slack_emulator: SlackEmulator, slack_clock: ManualClock, tmp_path: Path) -> None:
    slack_emulator.revoke()
    with pytest.raises(ServiceError) as e:
        slack_roster(client(slack_emulator, slack_clock), tmp_path).people(datetime(2026, 6, 1, tzinfo=UTC))
    assert slack_emulator.token not in str(e.value)
