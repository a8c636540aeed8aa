"""Matrix discovery, password login, device reuse, refresh on soft logout, revoked tokens — on a real Synapse."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests

from tests.fixtures.synapse import SynapseFactory, SynapseServer, WellKnownServer, free_port
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession, discover, login_password, logout
from traystatus.core.errors import ServiceError

pytestmark = pytest.mark.synapse


# -- discovery -------------------------------------------------------------------------------------------------


def test_discover_from_user_id_server_name_and_url(synapse: SynapseServer, matrix_well_known: WellKnownServer) -> None:
    name = matrix_well_known.server_name
    assert discover(f"@alice:{name}") == synapse.base_url
    assert discover(name) == synapse.base_url
    assert discover(matrix_well_known.url + "/") == synapse.base_url
    assert matrix_well_known.requests.count("/.well-known/matrix/client") == 3


def test_discover_homeserver_url_without_well_known(synapse: SynapseServer) -> None:
    assert discover(synapse.base_url) == synapse.base_url
    # No well-known at the server name: the server name itself is the homeserver (if /versions says so).
    assert discover(f"@carol:127.0.0.1:{synapse.port}") == synapse.base_url


def test_discover_rejects_bad_well_known(matrix_well_known: WellKnownServer) -> None:
    matrix_well_known.routes["/.well-known/matrix/client"] = (200, json.dumps({"m.homeserver": {}}))
    with pytest.raises(ServiceError, match="discovery failed") as exc:
        discover(matrix_well_known.server_name)
    assert "base_url" in exc.value.message


def test_discover_rejects_a_server_that_is_not_matrix(matrix_well_known: WellKnownServer) -> None:
    # The well-known points at itself: it has no /_matrix/client/versions.
    matrix_well_known.routes["/.well-known/matrix/client"] = (
        200,
        json.dumps({"m.homeserver": {"base_url": matrix_well_known.url}}),
    )
    with pytest.raises(ServiceError, match="Not a Matrix homeserver"):
        discover(f"@bob:{matrix_well_known.server_name}")


def test_discover_nothing_listening() -> None:
    with pytest.raises(ServiceError, match="unreachable") as exc:
        discover(f"127.0.0.1:{free_port()}")
    assert not exc.value.needs_action


def test_discover_rejects_garbage() -> None:
    with pytest.raises(ServiceError, match="not understood"):
        discover("@alice:")


# -- login -----------------------------------------------------------------------------------------------------


def test_password_login_keeps_device_and_offers_refresh(synapse: SynapseServer) -> None:
    user = synapse.new_user("login")
    session = login_password(synapse.base_url, user.localpart, user.password)
    assert session.user_id == user.user_id
    assert session.homeserver == synapse.base_url
    assert session.device_id
    assert session.refresh_token  # we asked for one and Synapse offers it
    assert session.expires_at is not None and session.expires_at.tzinfo is not None
    me = MatrixClient(session).whoami()
    assert me["user_id"] == user.user_id and me["device_id"] == session.device_id


def test_second_login_with_same_device_id_reuses_the_device(synapse: SynapseServer) -> None:
    user = synapse.new_user("relogin")
    first = login_password(synapse.base_url, user.user_id, user.password, device_name="traystatus test")
    second = login_password(synapse.base_url, user.user_id, user.password, device_id=first.device_id)
    assert second.device_id == first.device_id
    assert second.access_token != first.access_token
    assert MatrixClient(second).whoami()["device_id"] == first.device_id
    devices = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/devices", headers=synapse.auth(second.access_token), timeout=10
    ).json()["devices"]
    mine = [d for d in devices if d["device_id"] == first.device_id]
    assert len(mine) == 1 and mine[0]["display_name"] == "traystatus test"


def test_wrong_password_needs_action_and_never_echoes_it(synapse: SynapseServer) -> None:
    user = synapse.new_user("badpw")
    with pytest.raises(ServiceError, match="login refused") as exc:
        login_password(synapse.base_url, user.user_id, "not-the-Password-42")
    assert exc.value.needs_action
    assert "not-the-Password-42" not in str(exc.value)


# -- refresh on soft logout (a homeserver whose refreshable tokens live 1 s) ----------------------------------


@pytest.fixture
def synapse_short_tokens(synapse_factory: SynapseFactory) -> SynapseServer:
    return synapse_factory.get("short_tokens", {"refreshable_access_token_lifetime": "1s"})


def _wait_until_expired(session: MatrixSession) -> None:
    assert session.expires_at is not None
    while True:
        r = requests.get(
            f"{session.homeserver}/_matrix/client/v3/account/whoami",
            headers={"Authorization": f"Bearer {session.access_token}"},
            timeout=10,
        )
        if r.status_code == 401:
            assert r.json() == {"errcode": "M_UNKNOWN_TOKEN", "error": r.json()["error"], "soft_logout": True}
            return
        time.sleep(0.25)


def test_expired_token_is_refreshed_once_and_reported(
    synapse_short_tokens: SynapseServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = synapse_short_tokens
    user = server.new_user("refresh")
    session = login_password(server.base_url, user.user_id, user.password)
    changes: list[MatrixSession] = []
    client = MatrixClient(session, on_session_change=changes.append)
    _wait_until_expired(session)

    assert client.whoami()["device_id"] == session.device_id  # soft logout → refresh → retried
    assert len(changes) == 1
    fresh = changes[0]
    assert client.session is fresh
    assert fresh.device_id == session.device_id and fresh.user_id == session.user_id
    assert fresh.access_token != session.access_token
    assert fresh.refresh_token and fresh.refresh_token != session.refresh_token
    assert fresh.expires_at is not None and session.expires_at is not None and fresh.expires_at > session.expires_at
    for secret in (session.access_token, session.refresh_token, fresh.access_token, fresh.refresh_token):
        assert secret and secret not in caplog.text
        assert secret not in repr(fresh) and secret not in repr(client)


def test_soft_logout_with_a_dead_refresh_token_needs_login(synapse_short_tokens: SynapseServer) -> None:
    server = synapse_short_tokens
    user = server.new_user("deadrefresh")
    session = login_password(server.base_url, user.user_id, user.password)
    changes: list[MatrixSession] = []
    _wait_until_expired(session)
    # Use the refresh token elsewhere first: once the new token is used, the old refresh token is revoked.
    other = MatrixClient(session)
    other.whoami()
    other.whoami()  # the refreshed token has been used now
    with pytest.raises(ServiceError, match="session expired") as exc:
        MatrixClient(session, on_session_change=changes.append).whoami()
    assert exc.value.needs_action
    assert "traystatus login matrix" in exc.value.message
    assert changes == []


# -- revoked token (no soft logout) -----------------------------------------------------------------------------


def test_revoked_token_needs_action_without_leaking_it(
    synapse: SynapseServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    user = synapse.new_user("revoked")
    session = login_password(synapse.base_url, user.user_id, user.password)
    client = MatrixClient(session, on_session_change=lambda s: pytest.fail("must not refresh a revoked session"))
    client.set_presence("online", "here")
    logout(session)  # the device is logged out through the API (as "sign out" in another client does)
    with pytest.raises(ServiceError) as exc:
        client.set_presence("unavailable", "away")
    err = exc.value
    assert err.needs_action and err.retry_after is None
    assert err.title == "Matrix session expired"
    assert "traystatus login matrix" in err.message and user.user_id in err.message
    for text in (str(err), repr(err), err.message, repr(session), repr(client), caplog.text):
        assert session.access_token not in text
        assert session.refresh_token is not None and session.refresh_token not in text
    logout(session)  # logging out twice is harmless


# -- storing a session (the keyring holds it whole) ------------------------------------------------------------


def test_session_json_round_trip_and_damaged_entry(synapse: SynapseServer) -> None:
    user = synapse.new_user("store")
    session = login_password(synapse.base_url, user.user_id, user.password)
    again = MatrixSession.from_json(session.to_json())
    assert again == session
    assert MatrixClient(again).whoami()["device_id"] == session.device_id
    with pytest.raises(ServiceError, match="unreadable") as exc:
        MatrixSession.from_json('{"homeserver": "x"}')
    assert exc.value.needs_action and "traystatus login matrix" in exc.value.message
