"""kill -9 of the process holding a delivery's lease: `traystatus handoff` is killed while its Matrix message
is on the wire (the homeserver stored it, the answer never came back) and before it reached Slack; the
running `run --headless` service takes the note over within seconds and each destination gets it exactly
once. Checked from the other side: a second Matrix user syncing the room, the Slack emulator's state, with
a Slack token that has exactly the scopes login asks for. Real processes, real Synapse, real SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fixtures.synapse import SynapseServer
from tests.fixtures.xvfb import ROOT
from tests.slack_emulator import SlackEmulator
from traystatus.app.account_login import SLACK_SCOPES

pytestmark = pytest.mark.synapse

WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"
ARGS = ["--calendar", str(WORKDAY), "--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00"]
NOTE = "# Done\nMoved the **billing** job & checked <ticket-7>\n# Next / handed over to\nAmara: the rollout\n"


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class AnswerHoldingProxy:
    """Forwards every request to the homeserver; for a message send it forwards the request (the event is
    stored), then holds the answer back: the sender is left not knowing, as when it dies mid-request."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.sent = threading.Event()  # a message send reached the homeserver and was answered there
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                r = requests.request(self.command, proxy.upstream + self.path, data=body, headers=headers, timeout=30)
                if "/send/m.room.message/" in self.path:
                    proxy.sent.set()
                    proxy.release.wait(180)  # the client is killed meanwhile
                try:
                    self.send_response(r.status_code)
                    self.send_header("Content-Type", r.headers.get("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(len(r.content)))
                    self.end_headers()
                    self.wfile.write(r.content)
                except OSError:
                    pass  # the client is gone

            do_GET = do_PUT = do_POST = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def holding_proxy(synapse: SynapseServer) -> Iterator[AnswerHoldingProxy]:
    p = AnswerHoldingProxy(synapse.base_url)
    yield p
    p.close()


def reader_sync_messages(synapse: SynapseServer, token: str, room: str) -> list[dict[str, Any]]:
    """What a second user's client sees of the room: its ``/sync`` timeline (a fresh sync, no since)."""
    room_filter = {"room": {"rooms": [room], "timeline": {"limit": 50, "types": ["m.room.message"]}}}
    r = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/sync",
        params={"filter": json.dumps(room_filter), "timeout": "0"},
        headers=synapse.auth(token),
        timeout=30,
    )
    r.raise_for_status()
    joined = r.json().get("rooms", {}).get("join", {})
    return list(joined.get(room, {}).get("timeline", {}).get("events", []))


def test_the_running_service_finishes_a_killed_clis_note_exactly_once(
    tmp_path: Path,
    isolated_home: Path,
    synapse: SynapseServer,
    slack_emulator: SlackEmulator,
    holding_proxy: AnswerHoldingProxy,
) -> None:
    author, reader = synapse.new_user("takeover"), synapse.new_user("teammate")
    room = synapse.create_room(author.token, name="handoffs", invite=[reader.user_id])
    synapse.join(reader.token, room)
    token = "xoxp-login-scopes-only"
    slack_emulator.add_token(token, scopes=tuple(SLACK_SCOPES))  # exactly what login asks for
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update(
        TRAYSTATUS_SLACK_TOKEN=token,
        TRAYSTATUS_SLACK_API_URL=slack_emulator.base_url,
        TRAYSTATUS_MATRIX_HOMESERVER=synapse.base_url,
        TRAYSTATUS_MATRIX_USER=author.user_id,
        TRAYSTATUS_MATRIX_TOKEN=author.token,
    )
    log = Path(env["XDG_STATE_HOME"]) / "traystatus" / "log" / "traystatus.log"
    headless = subprocess.Popen(
        [sys.executable, "-m", "traystatus", "run", "--headless", *ARGS],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    cli: subprocess.Popen[str] | None = None
    try:
        wait_for(lambda: slack_emulator.calls_to("users.setPresence"), 60, "the service's first pass")
        note = tmp_path / "note.md"
        note.write_text(NOTE, encoding="utf-8")
        to = ["--to", f"matrix:{room}", "--to", "slack:#handoffs"]  # Matrix first: it is what the CLI holds
        cli = subprocess.Popen(
            [sys.executable, "-m", "traystatus", "handoff", "--text-file", str(note), "--no-sign-off", *ARGS, *to],
            env={**env, "TRAYSTATUS_MATRIX_HOMESERVER": holding_proxy.base_url},  # only the CLI's path
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(holding_proxy.sent.is_set, 60, "the CLI's Matrix message to reach the homeserver")
        wait_for(lambda: reader_sync_messages(synapse, reader.token, room), 30, "the teammate to see it")
        assert cli.poll() is None, "the CLI must still be waiting for the homeserver's answer"
        assert slack_emulator.messages == []  # the CLI had not reached Slack yet
        cli.send_signal(signal.SIGKILL)
        assert cli.wait(timeout=30) == -signal.SIGKILL
        # The CLI's lease runs 2 minutes; the service sees its holder gone within seconds.
        wait_for(lambda: slack_emulator.messages, 90, "the service to post the note to Slack")
        wait_for(
            lambda: (
                log.exists()
                and all(
                    f"delivered to {d}" in log.read_text(encoding="utf-8")
                    for d in (f"matrix:{room}", "slack:#handoffs")
                )
            ),
            90,
            "the service to store both deliveries as sent",
        )
        assert headless.poll() is None
    finally:
        if cli is not None and cli.poll() is None:
            cli.kill()
            cli.wait()
        headless.send_signal(signal.SIGTERM)
        try:
            _, err = headless.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            headless.kill()
            _, err = headless.communicate()
    assert headless.returncode == 0, err
    # The other side: one message each, with the note's text.
    (seen,) = reader_sync_messages(synapse, reader.token, room)
    assert seen["sender"] == author.user_id
    assert "Moved the **billing** job & checked <ticket-7>" in seen["content"]["body"]
    assert "<strong>billing</strong>" in seen["content"]["formatted_body"] and seen["content"]["m.mentions"] == {}
    assert len(synapse.room_messages(reader.token, room)) == 1
    (posted,) = slack_emulator.messages
    assert "Moved the *billing* job &amp; checked &lt;ticket-7&gt;" in posted.text
    assert len(slack_emulator.calls_to("chat.postMessage")) == 1
    refused = [c.method for c in slack_emulator.calls if c.response.get("error") == "missing_scope"]
    assert refused == []  # the whole runtime works with exactly the scopes login asks for
    # And traystatus knows: both sent, the Matrix one with the event the teammate saw.
    shown = subprocess.run(
        [sys.executable, "-m", "traystatus", "notes", "list", "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    (listed,) = json.loads(shown.stdout)
    detail = subprocess.run(
        [sys.executable, "-m", "traystatus", "notes", "show", listed["id"], "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    deliveries = {d["destination"]: d for d in json.loads(detail.stdout)["deliveries"]}
    assert {d["status"] for d in deliveries.values()} == {"sent"}
    assert deliveries[f"matrix:{room}"]["remote_id"] == seen["event_id"]
    assert deliveries["slack:#handoffs"]["attempts"] == 1
