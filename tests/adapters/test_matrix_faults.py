"""MatrixClient under faults Synapse will not produce on demand: Retry-After headers, 5xx, timeouts, odd 401s.

A scripted HTTP server on 127.0.0.1 answers each request with the next scripted response.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.core.errors import ServiceError

TOKEN = "syt_secret_access_token_value"
REFRESH = "syr_secret_refresh_token_value"


@dataclass
class Reply:
    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class ScriptedServer:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.seen: list[tuple[str, str, str, dict[str, Any]]] = []  # method, path, auth header, body
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.seen.append((self.command, self.path, self.headers.get("Authorization", ""), body))
                reply = server.script.pop(0) if server.script else Reply(500, {"error": "script exhausted"})
                time.sleep(reply.delay)
                data = json.dumps(reply.body).encode()
                with contextlib.suppress(ConnectionError):  # the client timed out and left
                    self.send_response(reply.status)
                    for key, value in {"Content-Type": "application/json", **reply.headers}.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    try:
        yield server
    finally:
        server.close()


def make_client(
    server: ScriptedServer, *, refresh: str | None = REFRESH, **kwargs: Any
) -> tuple[MatrixClient, list[float]]:
    waits: list[float] = []
    session = MatrixSession(
        homeserver=server.url, user_id="@me:example.org", access_token=TOKEN, device_id="DEV", refresh_token=refresh
    )
    return MatrixClient(session, sleep=waits.append, **kwargs), waits


WHOAMI = Reply(200, {"user_id": "@me:example.org", "device_id": "DEV"})


def test_retry_after_header_alone_is_honoured(scripted: ScriptedServer) -> None:
    scripted.script = [Reply(429, {"errcode": "M_LIMIT_EXCEEDED"}, {"Retry-After": "3"}), WHOAMI]
    client, waits = make_client(scripted)
    assert client.whoami()["user_id"] == "@me:example.org"
    assert waits == [3.0]


def test_retry_after_http_date_and_the_longer_of_both(scripted: ScriptedServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    scripted.script = [
        Reply(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 1500}, {"Retry-After": "4"}),
        Reply(429, {"errcode": "M_LIMIT_EXCEEDED"}, {"Retry-After": later}),
        WHOAMI,
    ]
    client, waits = make_client(scripted)
    client.whoami()
    assert waits[0] == 4.0
    assert 15.0 < waits[1] <= 20.0


def test_rate_limit_longer_than_max_wait_raises_with_retry_after(scripted: ScriptedServer) -> None:
    scripted.script = [Reply(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 45_000})]
    client, waits = make_client(scripted, max_wait=30.0)
    with pytest.raises(ServiceError, match="rate limit") as exc:
        client.set_presence("online")
    assert exc.value.retry_after == 45.0 and waits == []


@pytest.mark.parametrize(
    "reply",
    [
        Reply(429, {"errcode": "M_LIMIT_EXCEEDED", "retry_after_ms": 0}),  # a wait that is no wait
        Reply(429, {"errcode": "M_LIMIT_EXCEEDED"}, {"Retry-After": "-1"}),  # negative: unusable
        Reply(429, {"errcode": "M_LIMIT_EXCEEDED"}),  # none at all
    ],
    ids=["zero", "negative", "missing"],
)
def test_a_429_storm_is_tried_only_a_few_times_per_call(scripted: ScriptedServer, reply: Reply) -> None:
    scripted.script = [reply] * 100
    client, waits = make_client(scripted, retries=1, max_wait=5.0)
    with pytest.raises(ServiceError, match="rate limit") as exc:
        client.set_presence("online")
    assert len(scripted.seen) == 2 and len(waits) == 1  # one retry, then the caller backs off
    assert exc.value.retry_after in (None, 0.0)  # no made-up wait: reconcile's backoff decides


def test_5xx_is_retried_then_succeeds(scripted: ScriptedServer) -> None:
    scripted.script = [Reply(502), Reply(503, {"errcode": "M_UNKNOWN"}), WHOAMI]
    client, waits = make_client(scripted)
    client.whoami()
    assert waits == [0.5, 1.0]


def test_persistent_5xx_is_a_clear_error(scripted: ScriptedServer) -> None:
    scripted.script = [Reply(500)] * 3
    client, waits = make_client(scripted)
    with pytest.raises(ServiceError, match="HTTP 500") as exc:
        client.set_dnd(True)
    assert not exc.value.needs_action and len(waits) == 2 and scripted.script == []


def test_timeout_is_a_clear_error(scripted: ScriptedServer) -> None:
    scripted.script = [Reply(200, {}, delay=0.6)] * 2
    client, waits = make_client(scripted, timeout=0.2, retries=1)
    with pytest.raises(ServiceError, match="timed out"):
        client.whoami()
    assert waits == [0.5]


def test_unknown_token_without_soft_logout_needs_login(scripted: ScriptedServer) -> None:
    scripted.script = [Reply(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."})]
    client, _ = make_client(scripted)
    with pytest.raises(ServiceError, match="session expired") as exc:
        client.whoami()
    assert exc.value.needs_action
    assert [s[1] for s in scripted.seen] == ["/_matrix/client/v3/account/whoami"]  # no refresh attempted


def test_soft_logout_without_refresh_token_needs_login(scripted: ScriptedServer) -> None:
    scripted.script = [Reply(401, {"errcode": "M_UNKNOWN_TOKEN", "soft_logout": True})]
    client, _ = make_client(scripted, refresh=None)
    with pytest.raises(ServiceError, match="session expired") as exc:
        client.whoami()
    assert exc.value.needs_action


def test_soft_logout_refreshes_once_only(scripted: ScriptedServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    soft = Reply(401, {"errcode": "M_UNKNOWN_TOKEN", "soft_logout": True})
    scripted.script = [soft, Reply(200, {"access_token": "syt_new", "expires_in_ms": 60_000}), soft]
    changed: list[MatrixSession] = []
    client, _ = make_client(scripted, on_session_change=changed.append)
    with pytest.raises(ServiceError, match="session expired") as exc:
        client.whoami()
    assert exc.value.needs_action
    methods_paths = [(s[0], s[1]) for s in scripted.seen]
    assert methods_paths == [
        ("GET", "/_matrix/client/v3/account/whoami"),
        ("POST", "/_matrix/client/v3/refresh"),
        ("GET", "/_matrix/client/v3/account/whoami"),
    ]
    assert scripted.seen[1][3] == {"refresh_token": REFRESH} and scripted.seen[1][2] == ""
    assert scripted.seen[2][2] == "Bearer syt_new"
    assert len(changed) == 1 and changed[0].refresh_token == REFRESH  # no new one given: the old one stays
    for text in (caplog.text, str(exc.value), repr(client), repr(changed[0])):
        assert TOKEN not in text and REFRESH not in text and "syt_new" not in text
