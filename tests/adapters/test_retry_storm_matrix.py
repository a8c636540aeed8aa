"""A real Synapse that keeps rate-limiting presence, seen through a proxy that drops the wait it names
(``Retry-After`` and ``retry_after_ms``, as some reverse proxies do): how often traystatus calls it.

The homeserver's own limiter produces every 429 (``rc_presence`` one change per ~17 min); passes are
driven at the account's retry times on a simulated clock, so an hour of retries takes seconds.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.fixtures.synapse import SynapseFactory, SynapseServer
from traystatus.adapters.matrix_publisher import MatrixStatusPublisher
from traystatus.adapters.service_clients import Purpose, matrix_client, matrix_session
from traystatus.core.accounts import MatrixAccount
from traystatus.core.model import State
from traystatus.core.publishing import Applied, RetryState
from traystatus.core.reconcile import reconcile_account
from traystatus.core.status_map import DesiredStatus

pytestmark = pytest.mark.synapse


class NoWaitProxy:
    """Forwards to the homeserver; on a 429 drops ``Retry-After`` and ``retry_after_ms``. Counts presence
    writes and the 429s the homeserver gave."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.presence_puts = 0
        self.limited = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
                resp = requests.request(self.command, upstream + self.path, data=body, headers=headers, timeout=10)
                data = resp.content
                if self.command == "PUT" and "/presence/" in self.path:
                    proxy.presence_puts += 1
                if resp.status_code == 429:
                    proxy.limited += 1
                    payload = resp.json()
                    payload.pop("retry_after_ms", None)
                    data = json.dumps(payload).encode()
                self.send_response(resp.status_code)
                for k, v in resp.headers.items():
                    if k.lower() in ("content-type",):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = _forward

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def strict_synapse(synapse_factory: SynapseFactory) -> SynapseServer:
    """A homeserver that allows one presence change per ~17 minutes (burst 1)."""
    return synapse_factory.get(
        "strict_presence", {"rc_presence": {"per_user": {"per_second": 0.001, "burst_count": 1}}}
    )


@pytest.fixture
def proxy(strict_synapse: SynapseServer) -> Iterator[NoWaitProxy]:
    p = NoWaitProxy(strict_synapse.base_url)
    yield p
    p.close()


def desired(text: str, now: datetime) -> DesiredStatus:
    return DesiredStatus(
        state=State.MEETING, text=text, emoji=":spiral_calendar_pad:", expires_at=now + timedelta(hours=2)
    )


def test_a_presence_429_storm_without_a_wait_backs_off(strict_synapse: SynapseServer, proxy: NoWaitProxy) -> None:
    user = strict_synapse.new_user("storm", fast=False)  # Synapse's limiter applies to this user
    account = MatrixAccount(user_id=user.user_id, homeserver=proxy.base_url + "/", device_id="TRAY")
    session = matrix_session(account, {"access_token": user.token, "device_id": None, "refresh_token": None})
    assert session.homeserver == proxy.base_url  # the factory drops the trailing slash
    client = matrix_client(session, Purpose.SYNC, sleep=lambda s: None)
    pub = MatrixStatusPublisher(client)
    start = datetime.now(UTC)
    first = reconcile_account(pub, desired("Standup", start), Applied(), RetryState(), start)
    assert first.errors == () and proxy.presence_puts == 1, (first, proxy.presence_puts)  # the burst allows one
    applied, retry, t = first.applied, first.retry, start + timedelta(seconds=5)
    per_minute: Counter[int] = Counter()
    passes = 0
    while t < start + timedelta(hours=1):
        before = proxy.presence_puts
        out = reconcile_account(pub, desired("Planning", start), applied, retry, t)
        applied, retry = out.applied, out.retry
        passes += 1
        per_minute[int((t - start).total_seconds() // 60)] += proxy.presence_puts - before
        assert out.errors and "rate limit" in out.errors[0].lower() and not out.needs_action, out
        assert out.wake_at is not None
        t = max(out.wake_at, t + timedelta(seconds=1))
    assert proxy.limited >= passes, (proxy.limited, passes)  # every later write was refused by Synapse itself
    # Before: an unknown wait became 1 s, about 60 writes a minute. Now two tries a pass, then 15-30 s,
    # 30-60 s, 60-120 s, ... up to 15 min between passes (the jitter depends on the random user id): at most
    # three passes in the first minute (5 s, 20 s, 50 s at the shortest), one a minute from the third on.
    assert per_minute[0] <= 6 and per_minute[0] + per_minute[1] <= 8, per_minute
    assert all(n <= 2 for minute, n in per_minute.items() if minute >= 2), per_minute
    assert sum(per_minute.values()) <= 24, per_minute
    assert client.get_presence()["status_msg"] == "🗓 Standup"  # nothing wrong was shown meanwhile
