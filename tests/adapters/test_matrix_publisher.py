"""MatrixStatusPublisher + reconcile against a REAL Synapse: presence and status_msg, master-rule DND,
default presence rate limits, revoked token, server down and back, presence disabled."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.fixtures.synapse import MatrixUser, SynapseServer
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.adapters.matrix_publisher import MatrixStatusPublisher
from traystatus.core.model import State
from traystatus.core.publishing import Applied, OpKind, RetryState
from traystatus.core.reconcile import AccountOutcome, reconcile_account
from traystatus.core.status_map import DesiredStatus

pytestmark = pytest.mark.synapse

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MEETING = DesiredStatus(
    state=State.MEETING, text="In a meeting", emoji=":spiral_calendar_pad:", expires_at=NOW + timedelta(minutes=30)
)
FOCUS = DesiredStatus(
    state=State.FOCUS,
    text="Focusing",
    emoji=":headphones:",
    expires_at=NOW + timedelta(hours=1),
    dnd_until=NOW + timedelta(hours=1),
)
AVAILABLE = DesiredStatus(state=State.AVAILABLE)


def client_for(synapse: SynapseServer, user: MatrixUser) -> MatrixClient:
    session = MatrixSession(
        homeserver=synapse.base_url, user_id=user.user_id, access_token=user.token, device_id="TRAY"
    )
    return MatrixClient(session, max_wait=0.0, retries=0, timeout=3.0, sleep=lambda s: None)


class Runner:
    def __init__(self, client: MatrixClient) -> None:
        self.client = client
        self.pub = MatrixStatusPublisher(client)
        self.applied, self.retry = Applied(), RetryState()

    def run(self, desired: DesiredStatus, now: datetime) -> AccountOutcome:
        out = reconcile_account(self.pub, desired, self.applied, self.retry, now)
        self.applied, self.retry = out.applied, out.retry
        return out


def test_presence_status_msg_and_nothing_twice(synapse: SynapseServer) -> None:
    r = Runner(client_for(synapse, synapse.new_user("pub")))
    out = r.run(MEETING, NOW)
    assert [op.kind for op in out.sent] == [OpKind.SET_PRESENCE] and out.errors == ()
    got = r.client.get_presence()
    assert got["presence"] == "online" and got["status_msg"] == "🗓 In a meeting"
    assert r.run(MEETING, NOW).sent == () and not r.run(MEETING, NOW).observed
    r.run(AVAILABLE, NOW + timedelta(minutes=30))
    assert "status_msg" not in r.client.get_presence()


def test_master_rule_dnd_restored_only_if_it_was_off(synapse: SynapseServer) -> None:
    r = Runner(client_for(synapse, synapse.new_user("dnd")))
    assert r.client.dnd_enabled() is False
    out = r.run(FOCUS, NOW)
    assert [op.kind for op in out.sent] == [OpKind.SET_DND, OpKind.SET_PRESENCE]
    assert r.client.dnd_enabled() is True
    assert r.client.get_presence()["status_msg"] == "🎧 Focusing"
    r.run(AVAILABLE, NOW + timedelta(hours=1))
    assert r.client.dnd_enabled() is False
    mine = Runner(client_for(synapse, synapse.new_user("quiet")))
    mine.client.set_dnd(True)  # the user silenced everything before the focus block
    out = mine.run(FOCUS, NOW)
    assert OpKind.SET_DND not in [op.kind for op in out.sent]
    mine.run(AVAILABLE, NOW + timedelta(hours=1))
    assert mine.client.dnd_enabled() is True  # left as the user had it


def test_a_status_message_set_in_element_is_kept(synapse: SynapseServer) -> None:
    user = synapse.new_user("elem")
    r = Runner(client_for(synapse, user))
    r.client.set_presence("online", "Commuting")
    out = r.run(FOCUS, NOW)
    assert out.notes and "left alone" in out.notes[0]
    got = r.client.get_presence()
    assert got["status_msg"] == "Commuting" and r.client.dnd_enabled() is True


def test_default_presence_rate_limit_is_waited_out(synapse: SynapseServer) -> None:
    r = Runner(client_for(synapse, synapse.new_user("slow", fast=False)))  # Synapse's default presence limits
    start = datetime.now(UTC)
    r.run(MEETING, start)
    out = r.run(FOCUS, start + timedelta(seconds=1))  # the next change within the limit window
    assert "rate limit" in out.errors[0].lower() and out.retry.retry_at is not None
    assert out.retry.retry_at > start + timedelta(seconds=1) and not out.needs_action
    wait = (out.retry.retry_at - datetime.now(UTC)).total_seconds()
    time.sleep(max(0.0, wait) + 0.2)
    done = r.run(FOCUS, out.retry.retry_at + timedelta(seconds=0.2))
    assert done.errors == () and r.client.get_presence()["status_msg"] == "🎧 Focusing"


def test_revoked_token_needs_action(synapse: SynapseServer) -> None:
    user = synapse.new_user("gone")
    r = Runner(client_for(synapse, user))
    requests.post(
        f"{synapse.base_url}/_matrix/client/v3/logout", headers=synapse.auth(user.token), json={}, timeout=10
    ).raise_for_status()
    out = r.run(FOCUS, NOW)
    assert out.needs_action and out.sent == () and len(out.errors) == 1
    assert user.token not in repr(out)


def test_server_down_then_back_converges(synapse: SynapseServer) -> None:
    r = Runner(client_for(synapse, synapse.new_user("outage")))
    synapse.stop()
    try:
        out = r.run(FOCUS, NOW)
        assert out.errors and "unreachable" in out.errors[0] and out.retry.retry_at is not None
    finally:
        synapse.start()
    out = r.run(FOCUS, out.retry.retry_at)
    assert out.errors == () and r.client.dnd_enabled() is True
    assert r.client.get_presence()["status_msg"] == "🎧 Focusing"


def test_presence_disabled_is_reported_and_dnd_still_works(synapse_no_presence: SynapseServer) -> None:
    r = Runner(client_for(synapse_no_presence, synapse_no_presence.new_user("nopres")))
    out = r.run(FOCUS, NOW)
    assert out.needs_action and "presence is disabled" in out.errors[0].lower()
    assert r.client.dnd_enabled() is True
    assert [op.kind for op in out.sent] == [OpKind.SET_DND]
    # The error is not a reason to hold DND back for the long needs-action wait: the next pass comes soon,
    # plans without presence, says why on every pass, and DND keeps following the calendar on time.
    assert out.retry.retry_at is not None and out.retry.retry_at - NOW <= timedelta(minutes=1)
    later = r.run(FOCUS, out.retry.retry_at)
    assert later.errors == () and later.sent == () and not later.needs_action
    assert any("presence is disabled" in n for n in later.notes)
    end = r.run(AVAILABLE, NOW + timedelta(hours=1))
    assert [op.kind for op in end.sent] == [OpKind.END_DND] and end.errors == ()
    assert r.client.dnd_enabled() is False
    assert r.run(AVAILABLE, NOW + timedelta(hours=1, minutes=15)).sent == ()  # nothing twice
