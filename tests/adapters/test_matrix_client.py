"""MatrixClient against a real Synapse: presence, master-rule DND, rate limits, outages, messages, profiles."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.synapse import MatrixUser, SynapseServer
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession, login_password
from traystatus.core.errors import ServiceError

pytestmark = pytest.mark.synapse


class RecordingSleep:
    """A real sleep that remembers how long it was asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


def client_for(synapse: SynapseServer, user: MatrixUser, **kwargs: object) -> MatrixClient:
    session = MatrixSession(
        homeserver=synapse.base_url, user_id=user.user_id, access_token=user.token, device_id="TEST"
    )
    return MatrixClient(session, **kwargs)  # type: ignore[arg-type]


# -- presence ---------------------------------------------------------------------------------------------------


def test_presence_and_status_message_round_trip(synapse: SynapseServer) -> None:
    client = client_for(synapse, synapse.new_user("pres"))
    client.set_presence("unavailable", "In a meeting until 15:00")
    got = client.get_presence()
    assert got["presence"] == "unavailable" and got["status_msg"] == "In a meeting until 15:00"
    client.set_presence("online")  # no message: clears it
    got = client.get_presence()
    assert got["presence"] == "online" and "status_msg" not in got
    with pytest.raises(ValueError, match="presence must be one of"):
        client.set_presence("busy", "x")


def test_presence_of_someone_else_sharing_a_room(synapse: SynapseServer) -> None:
    alice, bob = synapse.new_user("alice"), synapse.new_user("bob")
    room = synapse.create_room(alice.token, invite=[bob.user_id])
    synapse.join(bob.token, room)
    client_for(synapse, bob).set_presence("unavailable", "Focusing")
    seen = client_for(synapse, alice).get_presence(bob.user_id)
    assert seen["presence"] == "unavailable" and seen["status_msg"] == "Focusing"


def test_presence_enabled_detected_and_state_left_as_found(synapse: SynapseServer) -> None:
    client = client_for(synapse, synapse.new_user("probe"))
    assert client.get_presence() == {"presence": "offline"}  # ambiguous: a disabled server says the same
    assert client.presence_enabled() is True
    assert client.get_presence() == {"presence": "offline"}  # the probe restored the bare "offline"
    client.set_presence("online", "here")
    assert client.presence_enabled() is True  # unambiguous: no probe needed
    assert client.get_presence()["status_msg"] == "here"


def test_presence_disabled_server_is_detected(synapse_no_presence: SynapseServer) -> None:
    client = client_for(synapse_no_presence, synapse_no_presence.new_user("nopres"))
    client.set_presence("unavailable", "In a meeting")  # accepted with 200 …
    assert client.get_presence() == {"presence": "offline"}  # … and ignored
    assert client.presence_enabled() is False


def test_presence_burst_waits_out_the_default_rate_limit(synapse: SynapseServer) -> None:
    user = synapse.new_user("burst", fast=False)  # Synapse's default: one presence update per ~10 s
    impatient = client_for(synapse, user, max_wait=0.5)
    impatient.set_presence("unavailable", "In a meeting")
    with pytest.raises(ServiceError, match="rate limit") as exc:
        impatient.set_presence("online", "Back")
    assert exc.value.retry_after is not None and 1.0 < exc.value.retry_after <= 10.0
    assert not exc.value.needs_action

    sleep = RecordingSleep()
    patient = client_for(synapse, user, sleep=sleep)
    patient.set_presence("unavailable", "Focusing")  # the burst: waits as long as the server says, then lands
    assert sleep.waits and 1.0 < sleep.waits[0] <= 10.0
    got = patient.get_presence()
    assert got["presence"] == "unavailable" and got["status_msg"] == "Focusing"


def test_fixture_users_with_lifted_limits_never_wait(synapse: SynapseServer) -> None:
    client = client_for(synapse, synapse.new_user("fast"), max_wait=0.0)
    for state in ("online", "unavailable", "online", "unavailable"):
        client.set_presence(state, f"now {state}")  # would raise "rate limit" on Synapse's default limits
    assert client.get_presence()["presence"] == "unavailable"


# -- Do Not Disturb through the master push rule -------------------------------------------------------------------


def test_master_push_rule_on_off_and_restore(synapse: SynapseServer) -> None:
    client = client_for(synapse, synapse.new_user("dnd"))
    before = client.dnd_enabled()
    assert before is False
    client.set_dnd(True)
    assert client.get_push_rule_enabled("global", "override", ".m.rule.master") is True
    client.set_push_rule_enabled("global", "override", ".m.rule.master", before)  # restore what was there
    assert client.dnd_enabled() is False


def test_unknown_push_rule_is_a_plain_error(synapse: SynapseServer) -> None:
    client = client_for(synapse, synapse.new_user("rule"))
    with pytest.raises(ServiceError, match="M_NOT_FOUND") as exc:
        client.get_push_rule_enabled("global", "override", ".no.such.rule")
    assert not exc.value.needs_action


# -- outages --------------------------------------------------------------------------------------------------------


def test_server_down_then_back(synapse: SynapseServer) -> None:
    sleep = RecordingSleep()
    client = client_for(synapse, synapse.new_user("down"), sleep=sleep)
    client.set_presence("unavailable", "before")
    synapse.stop()
    try:
        with pytest.raises(ServiceError, match="unreachable") as exc:
            client.set_presence("online", "during")
        assert not exc.value.needs_action and "127.0.0.1" in exc.value.message
        assert len(sleep.waits) == 2  # bounded retries, then a clear error
    finally:
        synapse.start()
    client.set_presence("online", "after")
    assert client.get_presence()["status_msg"] == "after"


def test_killed_server_keeps_data_and_sessions(synapse: SynapseServer) -> None:
    user = synapse.new_user("kill")
    session = login_password(synapse.base_url, user.user_id, user.password)
    client = MatrixClient(session, sleep=lambda s: None)
    client.set_dnd(True)
    synapse.kill()
    try:
        with pytest.raises(ServiceError, match="unreachable"):
            client.whoami()
    finally:
        synapse.start()
    assert client.whoami()["device_id"] == session.device_id
    assert client.dnd_enabled() is True


# -- messages, rooms, profiles -----------------------------------------------------------------------------------------


def test_send_message_same_txn_id_is_one_event(synapse: SynapseServer) -> None:
    user = synapse.new_user("send")
    room = synapse.create_room(user.token, name="handoffs")
    client = client_for(synapse, user)
    first = client.send_message(
        room, "Handoff: deploy done", formatted_body="<b>Handoff</b>: deploy done", txn_id="handoff-2026-11-24"
    )
    again = client.send_message(
        room, "Handoff: deploy done", formatted_body="<b>Handoff</b>: deploy done", txn_id="handoff-2026-11-24"
    )
    other = client.send_message(room, "second note", txn_id="handoff-2026-11-25")
    assert first == again != other
    events = synapse.room_messages(user.token, room)
    bodies = [e["content"]["body"] for e in events]
    assert bodies.count("Handoff: deploy done") == 1 and bodies.count("second note") == 1
    sent = next(e for e in events if e["event_id"] == first)
    assert sent["content"]["format"] == "org.matrix.custom.html"
    assert sent["content"]["formatted_body"] == "<b>Handoff</b>: deploy done"


def test_send_to_a_room_not_joined_is_refused(synapse: SynapseServer) -> None:
    owner, stranger = synapse.new_user("owner"), synapse.new_user("stranger")
    room = synapse.create_room(owner.token)
    with pytest.raises(ServiceError, match="M_FORBIDDEN"):
        client_for(synapse, stranger).send_message(room, "hi", txn_id="t1")


def test_joined_rooms_and_members(synapse: SynapseServer) -> None:
    alice, bob = synapse.new_user("ja"), synapse.new_user("jb")
    room = synapse.create_room(alice.token, invite=[bob.user_id])
    client = client_for(synapse, alice)
    assert client.joined_members(room) == [alice.user_id]
    synapse.join(bob.token, room)
    assert client.joined_members(room) == sorted([alice.user_id, bob.user_id])
    assert client.joined_rooms() == [room]


def test_profile_time_zone_stable_and_unstable_keys(synapse: SynapseServer) -> None:
    viewer = client_for(synapse, synapse.new_user("viewer"))
    stable, unstable, unset = synapse.new_user("tz"), synapse.new_user("tzu"), synapse.new_user("notz")
    client_for(synapse, stable).set_profile_field("m.tz", "Asia/Kathmandu")
    client_for(synapse, unstable).set_profile_field("us.cloke.msc4175.tz", "Pacific/Chatham")
    assert viewer.get_profile_tz(stable.user_id) == "Asia/Kathmandu"
    assert viewer.get_profile_tz(unstable.user_id) == "Pacific/Chatham"
    assert viewer.get_profile_tz(unset.user_id) is None
    assert viewer.get_profile_tz("@nobody:localhost") is None
