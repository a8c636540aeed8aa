"""SlackStatusPublisher + reconcile against the Slack emulator (real HTTP, Slack's documented contract)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fixtures.slack import ManualClock
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator.workspace import ALL_USER_SCOPES
from traystatus.adapters.slack_api import SlackClient
from traystatus.adapters.slack_publisher import SlackStatusPublisher
from traystatus.core.errors import ServiceError
from traystatus.core.model import State
from traystatus.core.publishing import Applied, Operation, OpKind, RetryState
from traystatus.core.reconcile import AccountOutcome, reconcile_account
from traystatus.core.status_map import DesiredStatus


def make(slack: SlackEmulator) -> SlackStatusPublisher:
    sleeps: list[float] = []  # the client's waits are recorded, not slept
    client = SlackClient(slack.token, api_url=slack.base_url, sleep=sleeps.append, max_wait=0.0, retries=1)
    return SlackStatusPublisher(client, account="slack:test", monotonic=slack.now)


def now_of(clock: ManualClock) -> datetime:
    return datetime.fromtimestamp(clock.t, UTC)


class Runner:
    def __init__(self, pub: SlackStatusPublisher) -> None:
        self.pub, self.applied, self.retry = pub, Applied(), RetryState()

    def run(self, desired: DesiredStatus, now: datetime) -> AccountOutcome:
        out = reconcile_account(self.pub, desired, self.applied, self.retry, now)
        self.applied, self.retry = out.applied, out.retry
        return out


def meeting(now: datetime, minutes: int = 30) -> DesiredStatus:
    end = now + timedelta(minutes=minutes)
    return DesiredStatus(state=State.MEETING, text="In a meeting", emoji=":spiral_calendar_pad:", expires_at=end)


def focus(now: datetime, minutes: int = 90) -> DesiredStatus:
    end = now + timedelta(minutes=minutes)
    return DesiredStatus(state=State.FOCUS, text="Focusing", emoji=":headphones:", expires_at=end, dnd_until=end)


def test_status_with_expiry_dnd_and_presence(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    r = Runner(make(slack_emulator))
    t = now_of(slack_clock)
    d = focus(t)
    r.run(d, t)
    text, emoji, expiration = slack_emulator.status()
    assert (text, emoji, expiration) == ("Focusing", ":headphones:", int(d.expires_at.timestamp()))  # type: ignore[union-attr]
    assert slack_emulator.snooze_end() == int(t.timestamp()) + 90 * 60
    assert slack_emulator.presence() == "auto"
    methods = [c.method for c in slack_emulator.calls]
    assert methods == ["users.profile.get", "users.profile.set", "users.setPresence", "dnd.setSnooze"]
    slack_emulator.clear_calls()
    assert r.run(d, t).sent == () and slack_emulator.calls == []  # a second apply sends nothing
    slack_clock.advance(90 * 60)  # Slack clears the status and ends the snooze by itself
    t2 = now_of(slack_clock)
    avail = DesiredStatus(state=State.AVAILABLE)
    assert r.run(avail, t2).sent == () and slack_emulator.calls == []
    assert slack_emulator.status()[:2] == ("", "")


def test_end_snooze_and_clear_when_the_span_ends_early(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    r = Runner(make(slack_emulator))
    t = now_of(slack_clock)
    r.run(focus(t), t)
    slack_clock.advance(600)
    out = r.run(DesiredStatus(state=State.AVAILABLE), now_of(slack_clock))  # the focus block was deleted
    assert [op.kind for op in out.sent] == [OpKind.SET_STATUS, OpKind.END_DND]
    assert slack_emulator.status()[:2] == ("", "") and slack_emulator.snooze_end() is None
    assert all(c.ok for c in slack_emulator.calls)


def test_a_huddle_status_is_left_alone(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    r = Runner(make(slack_emulator))
    slack_emulator.set_status("In a huddle", ":headphones:")
    t = now_of(slack_clock)
    out = r.run(meeting(t), t)
    assert out.notes and "left alone" in out.notes[0]
    assert slack_emulator.status()[:2] == ("In a huddle", ":headphones:")
    assert slack_emulator.calls_to("users.profile.set") == []


def test_rate_limit_429_is_honoured_and_retried_later(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    r = Runner(make(slack_emulator))
    t = now_of(slack_clock)
    slack_emulator.inject("users.profile.set", status=429, retry_after=17)
    out = r.run(meeting(t), t)
    assert out.errors and out.retry.retry_at == t + timedelta(seconds=17)
    assert r.run(meeting(t), t + timedelta(seconds=5)).sent == ()  # still waiting: nothing sent
    later = t + timedelta(seconds=18)
    out = r.run(meeting(t), later)
    assert [op.kind for op in out.sent] == [OpKind.SET_STATUS] and slack_emulator.status()[0] == "In a meeting"


def test_profile_writes_stay_under_ten_a_minute(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    pub = make(slack_emulator)
    t = datetime.now(UTC)
    for i in range(10):
        pub.send(Operation(kind=OpKind.SET_STATUS, text=f"s{i}", emoji=""), t)
    try:
        pub.send(Operation(kind=OpKind.SET_STATUS, text="one too many"), t)
        raised = None
    except ServiceError as e:
        raised = e
    assert raised is not None and raised.retry_after is not None and 59 <= raised.retry_after <= 60
    assert len(slack_emulator.calls_to("users.profile.set")) == 10
    assert not [c for c in slack_emulator.calls if c.http_status == 429]
    slack_clock.advance(61)
    pub.send(Operation(kind=OpKind.SET_STATUS, text="later"), t)
    assert slack_emulator.status()[0] == "later"


def test_revoked_token_needs_action_and_recovers(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    r = Runner(make(slack_emulator))
    t = now_of(slack_clock)
    slack_emulator.revoke()
    out = r.run(meeting(t), t)
    assert out.needs_action and "login slack" in out.errors[0]
    assert slack_emulator.token not in repr(out)
    assert len(slack_emulator.calls) == 1  # one refused read; nothing hammered


def test_server_down_then_back(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    r = Runner(make(slack_emulator))
    t = now_of(slack_clock)
    slack_emulator.inject("*", status=503, times=2)
    out = r.run(meeting(t), t)
    assert out.errors and not out.needs_action and out.retry.retry_at is not None
    first_wait = out.retry.retry_at - t
    out = r.run(meeting(t), out.retry.retry_at)  # still down
    assert out.errors and out.retry.failures == 2
    out = r.run(meeting(t), out.retry.retry_at)  # back
    assert out.errors == () and out.retry == RetryState() and first_wait > timedelta(0)
    assert slack_emulator.status()[0] == "In a meeting"
    assert len(slack_emulator.calls_to("users.profile.set")) == 1


def test_a_token_without_dnd_write_still_keeps_the_status_on_time(
    slack_emulator: SlackEmulator, slack_clock: ManualClock
) -> None:
    """The scope is named once as an error, then every pass says why DND is skipped; statuses never wait."""
    no_dnd = tuple(s for s in ALL_USER_SCOPES if s != "dnd:write")
    slack_emulator.add_token("xoxp-5555-nodnd", scopes=no_dnd)
    client = SlackClient("xoxp-5555-nodnd", api_url=slack_emulator.base_url, max_wait=0.0, retries=0)
    r = Runner(SlackStatusPublisher(client, account="slack:nodnd", monotonic=slack_emulator.now))
    t = now_of(slack_clock)
    out = r.run(focus(t), t)
    assert [op.kind for op in out.sent] == [OpKind.SET_STATUS, OpKind.SET_PRESENCE]
    assert out.needs_action and "dnd:write" in out.errors[0]
    assert out.retry.retry_at is not None and out.retry.retry_at - t <= timedelta(minutes=1)
    slack_clock.advance(60)
    t2 = now_of(slack_clock)
    again = r.run(focus(t, minutes=90), t2)  # the same focus block: nothing to send, the reason is given
    assert again.sent == () and again.errors == () and any("dnd:write" in n for n in again.notes)
    slack_clock.advance(29 * 60)
    t3 = now_of(slack_clock)
    nxt = r.run(meeting(t3), t3)  # the next transition lands at once
    assert [op.kind for op in nxt.sent] == [OpKind.SET_STATUS] and nxt.errors == ()
    assert slack_emulator.status()[:2] == ("In a meeting", ":spiral_calendar_pad:")
    assert len(slack_emulator.calls_to("dnd.setSnooze")) == 1  # asked once, never hammered


def test_dnd_ends_with_a_focus_block_that_ends_between_minutes(
    slack_emulator: SlackEmulator, slack_clock: ManualClock
) -> None:
    """Slack snoozes whole minutes: a block ending 40 s into a minute gets a snooze 20 s longer, so the
    pass at the block's end ends it (it ran on for up to 59 s before)."""
    r = Runner(make(slack_emulator))
    t = now_of(slack_clock)
    end = t + timedelta(minutes=30, seconds=40)
    block = DesiredStatus(state=State.FOCUS, text="Focusing", emoji=":headphones:", expires_at=end, dnd_until=end)
    r.run(block, t)
    assert slack_emulator.calls_to("dnd.setSnooze")[0].params["num_minutes"] == 31
    assert slack_emulator.snooze_end() == int(t.timestamp()) + 31 * 60  # 20 s past the block
    assert r.applied.dnd_effective == t + timedelta(minutes=31)
    slack_clock.set(end.timestamp())
    after_block = r.run(DesiredStatus(state=State.AVAILABLE), end)
    assert OpKind.END_DND in [op.kind for op in after_block.sent] and after_block.errors == ()
    assert slack_emulator.snooze_end() is None  # Slack's side: DND is off at the block's end
    assert len(slack_emulator.calls_to("dnd.endSnooze")) == 1


def test_no_end_snooze_when_the_snooze_ends_with_the_block(
    slack_emulator: SlackEmulator, slack_clock: ManualClock
) -> None:
    r = Runner(make(slack_emulator))
    t = now_of(slack_clock)
    r.run(focus(t, minutes=30), t)
    slack_clock.advance(30 * 60)
    out = r.run(DesiredStatus(state=State.AVAILABLE), now_of(slack_clock))
    assert out.errors == () and slack_emulator.calls_to("dnd.endSnooze") == []  # it ran out by itself
    assert slack_emulator.snooze_end() is None
