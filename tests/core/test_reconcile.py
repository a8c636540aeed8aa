"""Reconcile against recording fakes: ownership, no redundant writes, DND re-assert, restore-only-if-off,
clock jumps, restarts mid-meeting, late/duplicate/missed triggers, failures and backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.core.engine import Timeline, build_timeline
from traystatus.core.errors import ServiceError
from traystatus.core.hours import parse_hours
from traystatus.core.model import Availability, CalendarEvent, State
from traystatus.core.publishing import Applied, OpKind, RetryState, Service
from traystatus.core.reconcile import AccountOutcome, reconcile_account
from traystatus.core.settings import Settings
from traystatus.core.status_map import DesiredStatus, StatusSettings, desired_status

BERLIN = ZoneInfo("Europe/Berlin")
DAY = datetime(2026, 11, 24, tzinfo=BERLIN)  # a Tuesday


def at(h: int, m: int = 0, day: int = 0) -> datetime:
    return (DAY + timedelta(days=day, hours=h, minutes=m)).astimezone(UTC)


SETTINGS = Settings(timezone=BERLIN, hours=parse_hours("mon-fri 09:00-17:00"))
EVENTS = [
    CalendarEvent(uid="m1", start=at(10), end=at(11), title="Standup"),
    CalendarEvent(uid="m2", start=at(11), end=at(11, 30), title="1:1"),
    CalendarEvent(uid="f1", start=at(13), end=at(15), title="Focus time"),
]
TIMELINE = build_timeline(SETTINGS, EVENTS, [], at(0), at(0, day=3))


def desired(t: datetime, timeline: Timeline = TIMELINE) -> DesiredStatus:
    return desired_status(timeline.at(t), StatusSettings(), now=t, tz=BERLIN)


class Account:
    """One fake account plus the records reconcile keeps for it (as the state store would)."""

    def __init__(self, service: Service = Service.SLACK) -> None:
        self.pub = RecordingStatusPublisher(service_kind=service, account_id=f"{service}:test")
        self.applied = Applied()
        self.retry = RetryState()

    def run(self, t: datetime, d: DesiredStatus | None = None, **kw: bool) -> AccountOutcome:
        self.pub.expire(t)
        out = reconcile_account(self.pub, d or desired(t), self.applied, self.retry, t, **kw)
        self.applied, self.retry = out.applied, out.retry
        return out

    def check_shows(self, t: datetime) -> None:
        d, s = desired(t), self.pub.shown
        if self.pub.service is Service.SLACK:
            assert (s.text, s.emoji) == (d.text, d.emoji)
            assert s.away == d.away
        else:
            assert s.message == d.message
            assert s.away == d.matrix_unavailable  # meetings and focus are "unavailable" on Matrix only
        assert s.dnd_on == (d.dnd_until is not None)


def kinds(out: AccountOutcome) -> list[str]:
    return [str(op.kind) for op in out.sent]


def test_meeting_on_slack_then_nothing_twice() -> None:
    a = Account()
    out = a.run(at(10))
    assert out.observed and kinds(out) == ["set_status", "set_presence"]
    assert out.sent[0].expires_at == at(11, 30)  # the merged span of back-to-back meetings
    a.check_shows(at(10))
    again = a.run(at(10))
    assert again.sent == () and not again.observed
    assert a.run(at(11)).sent == ()  # the second meeting: same span, same status
    assert a.run(at(11, 30)).sent == ()  # Slack cleared the expired status itself
    a.check_shows(at(11, 30))


def test_focus_sets_and_ends_dnd_on_slack() -> None:
    a = Account()
    a.run(at(12))
    assert kinds(a.run(at(13))) == ["set_status", "set_dnd"]
    assert a.pub.shown.dnd_until == at(15)
    assert kinds(a.run(at(15))) == ["end_dnd"] or a.pub.shown.dnd_on is False
    a.check_shows(at(15))


def test_matrix_status_rides_on_presence() -> None:
    a = Account(Service.MATRIX)
    assert kinds(a.run(at(10))) == ["set_presence"]
    assert a.pub.shown.message == "🗓 In a meeting"
    assert kinds(a.run(at(11, 30))) == ["set_presence"]  # Matrix does not expire: clear it
    assert a.pub.shown.message == ""
    assert a.run(at(11, 45)).sent == ()


def test_matrix_master_rule_restored_only_if_it_was_off() -> None:
    a = Account(Service.MATRIX)
    a.run(at(12))
    assert kinds(a.run(at(13))) == ["set_dnd", "set_presence"]
    assert kinds(a.run(at(15))) == ["end_dnd", "set_presence"]
    assert not a.pub.shown.dnd_on
    b = Account(Service.MATRIX)
    b.run(at(12))
    b.pub.shown.dnd_on = True  # the user silenced everything themselves
    assert kinds(b.run(at(13))) == ["set_presence"]
    assert kinds(b.run(at(15))) == ["set_presence"]
    assert b.pub.shown.dnd_on  # left as the user had it


def test_a_status_set_by_hand_is_left_alone_until_cleared() -> None:
    a = Account()
    a.run(at(9, 30))
    a.pub.set_by_hand("Lunch", ":sandwich:")
    out = a.run(at(10))
    assert out.observed and kinds(out) == [] and "left alone" in out.notes[0]
    assert a.pub.shown.text == "Lunch"
    assert a.run(at(10, 15)).observed is False  # same desired status: not even a read
    assert a.run(at(13)).sent[0].kind is OpKind.SET_DND  # DND still follows; the status does not
    assert a.pub.shown.text == "Lunch"
    a.pub.set_by_hand("")
    out = a.run(at(15, 30))
    assert a.pub.shown.text == "" and a.run(at(16)).sent == ()
    a.run(at(17))
    assert a.pub.shown.text.startswith("Off for the day")


def test_manual_status_overwritten_when_not_respected() -> None:
    a = Account()
    a.pub.set_by_hand("In a huddle", ":headphones:")
    out = a.run(at(10), respect_manual=False)
    assert kinds(out)[0] == "set_status" and a.pub.shown.text == "In a meeting"


def test_slack_dnd_reasserted_before_a_capped_snooze_runs_out() -> None:
    a = Account()
    ooo = Availability(start=at(9), end=at(9, day=3), state=State.OOO, until=at(9, day=3), reason="vacation")
    d = desired_status(ooo, StatusSettings(), now=at(9), tz=BERLIN)
    first = a.run(at(9), d)
    dnd = next(op for op in first.sent if op.kind is OpKind.SET_DND)
    assert dnd.until == at(9, day=1) and first.wake_at == at(8, 58, day=1)
    assert a.run(at(20), d).sent == ()
    again = a.run(at(8, 58, day=1), d)
    assert kinds(again) == ["set_dnd"] and a.pub.shown.dnd_until == at(8, 58, day=2)
    late = Account()  # a missed wake-up: the snooze ran out; the next trigger re-asserts it
    late.run(at(9), d)
    assert kinds(late.run(at(12, day=1), d)) == ["set_dnd"]


def test_restart_mid_meeting_converges() -> None:
    a = Account()
    a.run(at(13, 30))
    kept = a.applied
    fresh = Account()
    fresh.pub = a.pub
    out = fresh.run(at(13, 45))  # the state file was lost: read, adopt, re-assert what cannot be read
    assert out.observed and [op.kind for op in out.sent] != [] and "set_status" not in kinds(out)
    fresh.check_shows(at(13, 45))
    a.applied = kept
    assert a.run(at(13, 45)).sent == ()  # with the state kept: nothing at all


def test_clock_going_back_rereads_and_converges() -> None:
    a = Account()
    a.run(at(10))
    a.run(at(11, 35))  # Slack cleared the meeting status at 11:30
    out = a.run(at(10, 30))  # NTP moved the clock back
    assert out.observed
    a.check_shows(at(10, 30))


def test_failure_backs_off_and_a_revoked_token_needs_action() -> None:
    a = Account()
    a.pub.failures.append(ServiceError("Slack is rate limiting", "wait", retry_after=30))
    out = a.run(at(10))
    assert out.errors and out.retry.retry_at == at(10) + timedelta(seconds=30)
    skipped = a.run(at(10, 0) + timedelta(seconds=10))
    assert skipped.sent == () and skipped.wake_at == out.retry.retry_at
    ok = a.run(at(10, 1))
    assert ok.retry == RetryState()
    a.check_shows(at(10, 1))
    b = Account()
    b.run(at(9, 30))
    b.pub.failures.extend([ServiceError("Token revoked", "log in again", needs_action=True)] * 3)
    bad = b.run(at(10))
    assert bad.needs_action and len(bad.errors) == 1  # stops at the first auth failure
    assert bad.retry.retry_at is not None and bad.retry.retry_at > at(10)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=48 * 60 - 1), min_size=1, max_size=25),
    st.sampled_from([Service.SLACK, Service.MATRIX]),
)
def test_any_triggers_in_order_show_the_right_status_and_never_repeat(minutes: list[int], service: Service) -> None:
    a = Account(service)
    for m in sorted(minutes):
        t = at(0) + timedelta(minutes=m)
        a.run(t)
        a.check_shows(t)
        assert a.run(t).sent == ()  # a duplicate trigger sends nothing


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=48 * 60 - 1), min_size=1, max_size=25),
    st.sampled_from([Service.SLACK, Service.MATRIX]),
)
def test_clock_jumping_both_ways_still_shows_the_right_status(minutes: list[int], service: Service) -> None:
    a = Account(service)
    for m in minutes:  # unsorted: suspend/resume forward, NTP corrections backward
        t = at(0) + timedelta(minutes=m)
        a.pub.shown.expires_at = a.pub.shown.expires_at if a.pub.shown.text else None
        a.run(t)
        a.check_shows(t)


def test_matrix_without_presence_plans_dnd_only_and_says_why_every_pass() -> None:
    import dataclasses

    from traystatus.core.publishing import MATRIX_TRAITS, Observed
    from traystatus.core.reconcile import plan

    traits = dataclasses.replace(MATRIX_TRAITS, presence=False, why_not="presence is disabled on this homeserver")
    focus = plan(desired(at(13, 30)), Applied(), traits, at(13, 30), observed=Observed(dnd_on=False))
    assert [op.kind for op in focus.ops] == [OpKind.SET_DND] and not focus.needs_observation
    assert any("presence is disabled" in n for n in focus.notes)
    held = Applied(dnd_until=at(15), updated_at=at(13, 30))
    again = plan(desired(at(14)), held, traits, at(14))
    assert again.ops == () and not again.needs_observation and any("presence" in n for n in again.notes)
    after = plan(desired(at(15)), held, traits, at(15))
    assert [op.kind for op in after.ops] == [OpKind.END_DND]
    # with presence, the same plan carries the status message: the switch is what changes it
    assert [
        op.kind
        for op in plan(desired(at(13, 30)), Applied(), MATRIX_TRAITS, at(13, 30), observed=Observed(dnd_on=False)).ops
    ] == [OpKind.SET_DND, OpKind.SET_PRESENCE]


def test_a_status_whose_end_passed_before_sending_is_never_sent() -> None:
    """Planned at 11:29 for "in a meeting until 11:30", but the fetch or an earlier call took until 11:31:
    nothing of it is sent, and the pass asks to plan again at once."""
    for service in (Service.SLACK, Service.MATRIX):
        account = Account(service)
        planned_at = at(11, 29)
        d = desired(planned_at)
        assert d.expires_at == at(11, 30)
        late = reconcile_account(account.pub, d, account.applied, account.retry, planned_at, clock=lambda: at(11, 31))
        assert late.sent == () and account.pub.writes() == [] and late.planned
        assert late.applied == account.applied and late.wake_at == planned_at
        assert any("not sent" in n for n in late.notes)
        in_time = planned_at + timedelta(seconds=30)
        on_time = reconcile_account(
            account.pub, d, account.applied, account.retry, planned_at, clock=lambda t=in_time: t
        )
        assert on_time.sent and account.pub.writes()  # the same plan in time is sent


def test_a_status_ending_between_two_calls_stops_the_rest() -> None:
    account = Account(Service.SLACK)
    d = desired(at(14, 59))  # focus time until 15:00: a status and DND
    assert d.expires_at == d.dnd_until == at(15)
    second = timedelta(seconds=1)
    times = iter([at(14, 59) + 30 * second, at(15) + second, at(15) + 2 * second])
    out = reconcile_account(account.pub, d, account.applied, account.retry, at(14, 59), clock=lambda: next(times))
    assert len(out.planned) >= 2 and len(out.sent) == 1 and len(account.pub.writes()) == 1
    assert out.applied.updated_at == at(14, 59)  # what was sent is recorded, so the next pass knows it
