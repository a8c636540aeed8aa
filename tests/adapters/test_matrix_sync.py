"""MatrixPresenceLoop on the real Synapse: held presence seen by a teammate, the homeserver restarting under it,
an access token expiring mid-loop (soft logout → refresh), a quick stop; and against a lying server on
127.0.0.1: a 429, garbage, a server that hangs up, a 9 MB answer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from tests.fixtures.synapse import MatrixUser, SynapseFactory, SynapseServer
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.adapters.matrix_publisher import MatrixStatusPublisher
from traystatus.adapters.matrix_sync import MatrixPresenceLoop
from traystatus.core.model import State
from traystatus.core.publishing import Applied, OpKind, RetryState
from traystatus.core.reconcile import reconcile_account
from traystatus.core.status_map import DesiredStatus

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
AWAY = DesiredStatus(
    state=State.OFF_HOURS,
    text="Off for the day",
    emoji=":crescent_moon:",
    expires_at=NOW + timedelta(hours=14),
    away=True,
)


def _client(base_url: str, user_id: str, token: str, refresh: str | None = None, **kw: Any) -> MatrixClient:
    session = MatrixSession(
        homeserver=base_url, user_id=user_id, access_token=token, device_id="TRAY", refresh_token=refresh
    )
    return MatrixClient(session, **{"max_wait": 0.0, "retries": 0, "timeout": 5.0, **kw})


def _seen(synapse: SynapseServer, viewer: MatrixUser, user_id: str) -> str:
    r = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/presence/{user_id}/status", headers=synapse.auth(viewer.token), timeout=5
    )
    return str(r.json().get("presence"))


def _until(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.25)
    return check()


@pytest.mark.synapse
def test_held_through_a_homeserver_restart_and_stopped_at_once(synapse: SynapseServer) -> None:
    me, teammate = synapse.new_user("held", fast=False), synapse.new_user("mate")
    room = synapse.create_room(me.token, invite=[teammate.user_id])
    synapse.join(teammate.token, room)
    loop = MatrixPresenceLoop(_client(synapse.base_url, me.user_id, me.token), poll_ms=5_000)
    loop.set_desired("unavailable")
    try:
        assert _until(lambda: _seen(synapse, teammate, me.user_id) == "unavailable", 10)
        assert _until(lambda: loop.live().connected, 5)
        synapse.stop()
        assert _until(lambda: "unreachable" in loop.live().problem, 15), loop.live()
        assert "not being held" in loop.live().problem  # told plainly
        synapse.start()  # same data dir and port
        assert _until(lambda: loop.live().problem == "", 40), loop.live()
        # 40 s after the restart: longer than the 30 s after which a device that does not sync shows offline
        time.sleep(31.0)
        assert _seen(synapse, teammate, me.user_id) == "unavailable"
        seen_by_me = loop.live().own
        assert seen_by_me is not None and seen_by_me.presence == "unavailable"
    finally:
        began = time.monotonic()
        loop.stop()
        stopped_in = time.monotonic() - began
    assert not loop.running and stopped_in < 3.0  # cut the 5 s long poll short
    assert not [t for t in threading.enumerate() if t.name.startswith(f"matrix-presence-{me.user_id}")]


@pytest.mark.synapse
def test_presence_turned_on_later_is_used_without_a_restart_of_traystatus(synapse_factory: SynapseFactory) -> None:
    server = synapse_factory.get("presence_later", {"presence": {"enabled": False}})
    try:
        me, mate = server.new_user("later"), server.new_user("mate")
        room = server.create_room(me.token, invite=[mate.user_id])
        server.join(mate.token, room)
        # max_wait: the first write is read back; a later one may wait out the presence limit
        client = _client(server.base_url, me.user_id, me.token, max_wait=15.0)
        pub = MatrixStatusPublisher(client, keeper=MatrixPresenceLoop(client, poll_ms=5_000))
        out = reconcile_account(pub, AWAY, Applied(), RetryState(), NOW)
        assert "presence is disabled" in out.errors[0].lower() and not pub.traits.presence
        pub.hold(AWAY)
        server.restart_with({"presence": {"enabled": True}})  # the admin turns presence on
        assert _until(lambda: pub.traits.presence, 40), pub.live()  # the loop sees presence events again
        out = reconcile_account(pub, AWAY, out.applied, out.retry, NOW + timedelta(minutes=1))
        assert out.errors == () and [op.kind for op in out.sent] == [OpKind.SET_PRESENCE]
        r = requests.get(
            f"{server.base_url}/_matrix/client/v3/presence/{me.user_id}/status",
            headers=server.auth(mate.token),
            timeout=5,
        ).json()
        assert (r["presence"], r.get("status_msg")) == ("unavailable", "🌙 Off for the day")
    finally:
        pub.close()
        server.stop()


@pytest.mark.synapse
def test_what_the_loop_learns_for_later_features(synapse: SynapseServer) -> None:
    """Teammates' presence in shared rooms and push-rule changes made on another device reach ``live()``."""
    me, mate = synapse.new_user("learn"), synapse.new_user("mate")
    room = synapse.create_room(me.token, invite=[mate.user_id])
    synapse.join(mate.token, room)
    loop = MatrixPresenceLoop(_client(synapse.base_url, me.user_id, me.token), poll_ms=5_000, min_gap=1.0)
    loop.set_desired("online")
    try:
        assert _until(lambda: loop.live().connected, 10)
        requests.get(  # the teammate's client comes online
            f"{synapse.base_url}/_matrix/client/v3/sync",
            params={"set_presence": "online", "timeout": "0"},
            headers=synapse.auth(mate.token),
            timeout=10,
        ).raise_for_status()
        requests.put(  # Do Not Disturb switched on in Element, not by traystatus
            f"{synapse.base_url}/_matrix/client/v3/pushrules/global/override/.m.rule.master/enabled",
            json={"enabled": True},
            headers=synapse.auth(me.token),
            timeout=10,
        ).raise_for_status()
        assert _until(lambda: loop.live().push_rules_changed_at is not None, 15), loop.live()
        assert _until(lambda: [t.user_id for t in loop.live().teammates] == [mate.user_id], 15), loop.live()
        assert loop.live().teammates[0].presence == "online"
    finally:
        loop.stop()


@pytest.fixture(scope="module")
def short_tokens(synapse_factory: SynapseFactory) -> Iterator[SynapseServer]:
    server = synapse_factory.get("short_tokens", {"refreshable_access_token_lifetime": "6s"})
    yield server
    server.stop()


@pytest.mark.synapse
def test_a_token_expiring_mid_loop_is_refreshed_and_kept(short_tokens: SynapseServer) -> None:
    me, teammate = short_tokens.new_user("refresh", fast=False), short_tokens.new_user("mate")
    room = short_tokens.create_room(me.token, invite=[teammate.user_id])
    short_tokens.join(teammate.token, room)
    login = short_tokens.password_login(me, refresh_token=True)
    kept: list[MatrixSession] = []
    client = _client(
        short_tokens.base_url, me.user_id, login["access_token"], login["refresh_token"], on_session_change=kept.append
    )
    loop = MatrixPresenceLoop(client, poll_ms=4_000)
    loop.set_desired("online")
    try:
        assert _until(lambda: len(kept) >= 2, 40), (kept, loop.live())  # two expiries, two refreshes
        assert loop.live().problem == ""
        assert _seen(short_tokens, teammate, me.user_id) == "online"
        assert client.session.access_token != login["access_token"]
    finally:
        loop.stop()
    assert not loop.running


class LyingServer:
    """A homeserver stand-in: answers /sync from a script of (status, body) and records each call."""

    def __init__(self, script: list[tuple[int, Any]]) -> None:
        self.script, self.calls = list(script), []  # type: ignore[var-annotated]
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.calls.append((time.monotonic(), self.path))
                status, body = outer.script.pop(0) if outer.script else (200, {"next_batch": "s_end"})
                if status == 0:  # hang up without an answer, after a while
                    time.sleep(2)
                    self.close_connection = True
                    return
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_429_garbage_and_a_silent_server_are_waited_out() -> None:
    limited = {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 700}
    huge = b'{"next_batch": "s2", "presence": {"events": [' + b'{"type": "m.presence"},' * 400_000 + b"{}]}}"
    server = LyingServer(
        [(429, limited), (200, b"<html>not json"), (200, {"next_batch": "s1"}), (0, None), (200, huge)]
    )
    loop = MatrixPresenceLoop(_client(server.url, "@me:localhost", "tok"), poll_ms=1_000, min_gap=0.2)
    try:
        loop.set_desired("online")
        assert _until(lambda: len(server.calls) >= 2, 5)
        assert server.calls[1][0] - server.calls[0][0] >= 0.7  # waited what the 429 asked
        assert _until(lambda: "without next_batch" in loop.live().problem, 5)  # garbage: told, not crashed
        assert _until(lambda: len(server.calls) >= 4, 10)  # went on after it; then a server that hangs up
        assert _until(lambda: "unreachable" in loop.live().problem, 10), loop.live()
        assert _until(lambda: "more than 8 MiB" in loop.live().problem, 15), loop.live()  # 9 MB: not read whole
        # the filter upload was refused (404): the filter goes inline, and every sync asks for almost nothing
        assert "filter=%7B" in server.calls[0][1] and "set_presence=online" in server.calls[0][1]
    finally:
        began = time.monotonic()
        loop.stop()
        server.close()
    assert time.monotonic() - began < 3.0 and not loop.running
