"""Matrix roster import against the real Synapse: members of a room with ``m.tz`` (or the unstable key)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.synapse import MatrixUser, SynapseServer
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.adapters.roster_matrix import fetch_matrix_people, matrix_roster
from traystatus.core.errors import ConfigError

pytestmark = pytest.mark.synapse


def client_for(synapse: SynapseServer, user: MatrixUser) -> MatrixClient:
    return MatrixClient(
        MatrixSession(homeserver=synapse.base_url, user_id=user.user_id, access_token=user.token, device_id="ROSTER")
    )


def set_name(synapse: SynapseServer, user: MatrixUser, name: str) -> None:
    client_for(synapse, user).set_profile_field("displayname", name)


def test_room_members_with_time_zones(synapse: SynapseServer, tmp_path: Path) -> None:
    me, hemi, bikash, nozone, outsider = (synapse.new_user(p) for p in ("me", "hemi", "bikash", "nozone", "out"))
    room = synapse.create_room(me.token, name="Team", invite=[hemi.user_id, bikash.user_id, nozone.user_id])
    for u in (hemi, bikash, nozone):
        synapse.join(u.token, room)
    set_name(synapse, hemi, "Hemi Tane")
    client_for(synapse, hemi).set_profile_field("m.tz", "Pacific/Chatham")
    client_for(synapse, bikash).set_profile_field("us.cloke.msc4175.tz", "Asia/Kathmandu")  # unstable key only
    client_for(synapse, outsider).set_profile_field("m.tz", "Europe/Paris")  # not in the room
    client_for(synapse, me).set_profile_field("m.tz", "Europe/Berlin")  # you: not a teammate row

    people = fetch_matrix_people(client_for(synapse, me), room)
    by_id = {p.handles[0]: p for p in people}
    assert set(by_id) == {hemi.user_id, bikash.user_id}  # nozone has no zone, outsider is elsewhere
    assert by_id[hemi.user_id].name == "Hemi Tane" and by_id[hemi.user_id].tz == ZoneInfo("Pacific/Chatham")
    assert by_id[bikash.user_id].tz == ZoneInfo("Asia/Kathmandu")
    assert by_id[bikash.user_id].name == bikash.localpart  # no display name: the localpart
    assert all(p.source == "matrix" for p in people)

    roster = matrix_roster(client_for(synapse, me), room, tmp_path)
    t0 = datetime(2026, 6, 1, tzinfo=UTC)
    assert len(roster.people(t0)) == 2
    client_for(synapse, nozone).set_profile_field("m.tz", "Australia/Lord_Howe")
    assert len(roster.people(t0 + timedelta(hours=2))) == 2  # cached for a day
    assert {p.tz.key for p in roster.people(t0 + timedelta(hours=25))} == {
        "Pacific/Chatham",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
    }


def test_room_alias_is_resolved_and_unknown_ones_refused_with_the_fix(synapse: SynapseServer) -> None:
    me, hemi = synapse.new_user("me"), synapse.new_user("hemi")
    name = f"team-{hemi.localpart}"
    room = synapse.create_room(me.token, name="Team", invite=[hemi.user_id], room_alias_name=name)
    synapse.join(hemi.token, room)
    client_for(synapse, hemi).set_profile_field("m.tz", "Asia/Kolkata")
    (person,) = fetch_matrix_people(client_for(synapse, me), f"#{name}:localhost")
    assert person.handles == (hemi.user_id,)
    with pytest.raises(ConfigError) as e:
        fetch_matrix_people(client_for(synapse, me), "#nobody-has-this:localhost")
    assert "no room is called #nobody-has-this:localhost" in e.value.message
    with pytest.raises(ConfigError) as e:
        fetch_matrix_people(client_for(synapse, me), "team")
    assert "starts with '!'" in e.value.message
