"""The MSC4426 profile status on the real Synapse, read by a teammate: written and cleared with the state,
a status the user set elsewhere left alone (unless opted in), byte limits kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.fixtures.synapse import MatrixUser, SynapseServer
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.adapters.matrix_profile_status import MARK, UNSTABLE_KEY, MatrixProfileStatus, _cut
from traystatus.adapters.matrix_publisher import MatrixStatusPublisher
from traystatus.core.model import State
from traystatus.core.publishing import Applied, RetryState
from traystatus.core.reconcile import reconcile_account
from traystatus.core.status_map import DesiredStatus

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
MEETING = DesiredStatus(
    state=State.MEETING,
    text="In a meeting",
    emoji=":spiral_calendar_pad:",
    expires_at=NOW + timedelta(minutes=30),
    matrix_away=True,
)
AVAILABLE = DesiredStatus(state=State.AVAILABLE)


def _publisher(synapse: SynapseServer, user: MatrixUser, mode: str = "own") -> MatrixStatusPublisher:
    session = MatrixSession(homeserver=synapse.base_url, user_id=user.user_id, access_token=user.token, device_id="T")
    client = MatrixClient(session, max_wait=15.0, retries=0, timeout=5.0)
    return MatrixStatusPublisher(client, profile=MatrixProfileStatus(client, mode=mode))


def _teammate_reads(synapse: SynapseServer, viewer: MatrixUser, user: MatrixUser) -> Any:
    r = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/profile/{user.user_id}", headers=synapse.auth(viewer.token), timeout=5
    )
    return r.json().get(UNSTABLE_KEY)


def _set_by_hand(synapse: SynapseServer, user: MatrixUser, value: dict[str, str]) -> None:
    requests.put(
        f"{synapse.base_url}/_matrix/client/v3/profile/{user.user_id}/{UNSTABLE_KEY}",
        json={UNSTABLE_KEY: value},
        headers=synapse.auth(user.token),
        timeout=5,
    ).raise_for_status()


@pytest.mark.synapse
def test_profile_status_follows_the_state_and_leaves_the_users_own(synapse: SynapseServer) -> None:
    me, mate = synapse.new_user("prof"), synapse.new_user("mate")
    pub = _publisher(synapse, me)
    applied, retry = Applied(), RetryState()
    out = reconcile_account(pub, MEETING, applied, retry, NOW)
    assert out.errors == ()
    assert _teammate_reads(synapse, mate, me) == {"text": "In a meeting", "emoji": "🗓", MARK: "traystatus"}
    out = reconcile_account(pub, AVAILABLE, out.applied, out.retry, NOW + timedelta(minutes=30))
    assert out.errors == ()
    assert _teammate_reads(synapse, mate, me) == {}  # cleared by traystatus itself: the field has no expiry

    _set_by_hand(synapse, me, {"text": "Hiking", "emoji": "🥾"})  # the user's own, from another client
    out = reconcile_account(pub, MEETING, out.applied, out.retry, NOW + timedelta(hours=1))
    assert out.errors == ()
    assert _teammate_reads(synapse, mate, me) == {"text": "Hiking", "emoji": "🥾"}

    opted_in = _publisher(synapse, me, mode="always")
    reconcile_account(opted_in, MEETING, Applied(), RetryState(), NOW + timedelta(hours=2))
    assert _teammate_reads(synapse, mate, me)["text"] == "In a meeting"


@pytest.mark.synapse
def test_the_probe_finds_profile_fields_and_never_asks_nothing(synapse_no_presence: SynapseServer) -> None:
    """The probe reads /capabilities; "never" asks nothing at all."""
    me = synapse_no_presence.new_user("never")
    base = synapse_no_presence.base_url
    session = MatrixSession(homeserver=base, user_id=me.user_id, access_token=me.token, device_id="T")
    assert MatrixProfileStatus(MatrixClient(session), mode="never").key() == ""
    assert MatrixProfileStatus(MatrixClient(session)).key() == UNSTABLE_KEY  # Synapse 1.163 has MSC4133


def test_byte_limits_never_split_a_character() -> None:
    assert _cut("🌴" * 100, 256) == "🌴" * 64
    assert _cut("é" * 200, 256) == "é" * 128
    assert _cut("short", 256) == "short"
    assert _cut("🗓🗓🗓🗓🗓🗓🗓🗓🗓", 32) == "🗓" * 8
