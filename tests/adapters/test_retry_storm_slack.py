"""A Slack that keeps refusing, against the emulator over real HTTP: how often traystatus calls it.

The status sync is driven pass after pass as the scheduler would (each pass at the account's retry time,
on the emulator's clock), so calls per minute are those a real tray would make.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.fixtures.slack import ManualClock
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.service_clients import Purpose, slack_client
from traystatus.adapters.slack_publisher import SlackStatusPublisher
from traystatus.core.model import State
from traystatus.core.publishing import Applied, RetryState
from traystatus.core.reconcile import AccountOutcome, reconcile_account
from traystatus.core.status_map import DesiredStatus


class Sync:
    """One Slack account synced with the production client policy; the client's waits move the clock."""

    def __init__(self, slack: SlackEmulator, clock: ManualClock, account: str = "slack:T0:U0") -> None:
        self.clock = clock
        client = slack_client(slack.token, Purpose.SYNC, api_url=slack.base_url, sleep=clock.advance)
        self.pub = SlackStatusPublisher(client, account=account, monotonic=clock)
        self.applied, self.retry = Applied(), RetryState()

    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.t, UTC)

    def run(self, desired: DesiredStatus) -> AccountOutcome:
        out = reconcile_account(self.pub, desired, self.applied, self.retry, self.now)
        self.applied, self.retry = out.applied, out.retry
        return out

    def run_until(self, desired: DesiredStatus, end: datetime) -> list[AccountOutcome]:
        """Passes at each retry time (the scheduler's wake-up), as long as the clock is before ``end``."""
        outs = []
        while self.now < end:
            out = self.run(desired)
            outs.append(out)
            assert out.wake_at is not None and out.wake_at > self.now - timedelta(seconds=1)
            self.clock.set(max(out.wake_at.timestamp(), self.clock.t + 1))
        return outs


def meeting(now: datetime) -> DesiredStatus:
    return DesiredStatus(
        state=State.MEETING, text="In a meeting", emoji=":spiral_calendar_pad:", expires_at=now + timedelta(hours=2)
    )


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 429},  # no Retry-After at all
        {"status": 429, "retry_after": "-3"},  # negative
        {"status": 429, "retry_after": "soon"},  # unreadable
        {"status": 429, "retry_after": 0},  # a wait that is no wait, again and again
        {"status": 503},  # Slack down: 5xx
    ],
    ids=["429-missing", "429-negative", "429-garbage", "429-zero", "503"],
)
def test_a_storm_without_retry_after_backs_off(
    slack_emulator: SlackEmulator, slack_clock: ManualClock, fault: dict[str, object]
) -> None:
    slack_emulator.inject("*", times=10**6, **fault)  # type: ignore[arg-type]
    sync = Sync(slack_emulator, slack_clock)
    start = sync.now
    outs = sync.run_until(meeting(start), start + timedelta(hours=1))
    assert all(o.errors and not o.needs_action for o in outs)
    minute = Counter(int((c.at - start.timestamp()) // 60) for c in slack_emulator.calls)
    first_two = minute[0] + minute[1]
    # Before: a 1 s wait for each 429 made 142 calls in two minutes. Now: a pass tries twice (one short
    # retry inside the call), then waits 15-30 s, 30-60 s, ... doubling to 15 min.
    assert first_two <= 8, minute
    assert max(minute.values()) <= 6, minute
    assert len(slack_emulator.calls) <= 2 * 12, minute  # about 8-10 passes in the hour
    waits = [(b.wake_at - a.wake_at) for a, b in itertools.pairwise(outs) if a.wake_at and b.wake_at]
    assert waits[-1] >= timedelta(minutes=7), waits  # backoff reached the long end
    assert max(waits) <= timedelta(minutes=15, seconds=5), waits  # and never more than the cap
    # the storm ends: the next pass on time sets the status
    slack_emulator._faults.clear()
    out = sync.run(meeting(start))
    assert out.errors == () and slack_emulator.status()[0] == "In a meeting"


def test_jitter_keeps_two_accounts_apart(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    slack_emulator.inject("*", status=429, times=10**6)
    waits = []
    for account in ("slack:T0:U0", "slack:T0:U1"):  # the same workspace, two users: not in step
        sync = Sync(slack_emulator, slack_clock, account)
        out = reconcile_account(sync.pub, meeting(sync.now), Applied(), RetryState(failures=3), sync.now)
        assert out.account == account and out.retry.retry_at is not None
        waits.append(out.retry.retry_at - sync.now)
    assert waits[0] != waits[1]
    assert all(timedelta(minutes=2) <= w <= timedelta(minutes=4) for w in waits)  # the 4th failure: 2-4 min


def test_retry_after_a_day_is_capped_at_15_minutes_and_said(
    slack_emulator: SlackEmulator, slack_clock: ManualClock
) -> None:
    slack_emulator.inject("*", status=429, retry_after=86400)
    sync = Sync(slack_emulator, slack_clock)
    t = sync.now
    out = sync.run(meeting(t))
    assert out.retry.retry_at == t + timedelta(minutes=15)
    assert "24 h" in out.retry.last_error and "15 min" in out.retry.last_error
    slack_clock.advance(60)
    waiting = sync.run(meeting(t))  # a pass in between calls nothing and says why
    assert waiting.sent == () and any("24 h" in n and "15 min" in n for n in waiting.notes)
    slack_clock.set(out.retry.retry_at.timestamp())
    done = sync.run(meeting(t))
    assert done.errors == () and slack_emulator.status()[0] == "In a meeting"


def test_retry_after_as_an_http_date_is_honoured(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)  # the client reads the date against the real clock
    slack_emulator.inject("*", status=429, retry_after=format_datetime(when, usegmt=True))
    sync = Sync(slack_emulator, slack_clock)
    t = sync.now
    out = sync.run(meeting(t))
    assert out.retry.retry_at is not None
    assert timedelta(seconds=115) <= out.retry.retry_at - t <= timedelta(seconds=121)
    assert len(slack_emulator.calls) == 1  # longer than a sync may wait inside a pass: no second call
