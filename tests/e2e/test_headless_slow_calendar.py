"""`run --headless` against a calendar server that trickles a byte at a time: SIGTERM still ends the process
within seconds (the fetch in progress is cut off, not waited for), and the good calendar next to it is read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.http_feeds import FeedServer, Route
from tests.slack_emulator import SlackEmulator

WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"


def test_sigterm_ends_run_headless_within_seconds_while_a_fetch_trickles(
    feed_server: FeedServer, slack_emulator: SlackEmulator, isolated_home: Path
) -> None:
    path = "/headless/trickle/private-5ecr3tt0ken.ics"
    feed_server.routes[path] = Route(trickle="body", body=b"BEGIN:VCALENDAR\r\n", trickle_every=0.2)
    env = dict(
        os.environ, TRAYSTATUS_SLACK_TOKEN=slack_emulator.token, TRAYSTATUS_SLACK_API_URL=slack_emulator.base_url
    )
    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        env.pop(var, None)
    argv = [sys.executable, "-m", "traystatus", "run", "--headless", "--tz", "Europe/Berlin"]
    argv += ["--calendar", feed_server.url(path), "--calendar", str(WORKDAY)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not feed_server.trickling and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert feed_server.trickling, "the headless pass never started fetching the slow calendar"
        time.sleep(1.0)  # well into the trickle: many reads, each within any per-read timeout
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert took < 5.0, f"SIGTERM took {took:.1f} s"
    log = (isolated_home / "state" / "traystatus" / "log" / "traystatus.log").read_text(encoding="utf-8")
    assert "Stopped" in log and "traystatus is quitting" in log
    assert "5ecr3tt0ken" not in log + err
    deadline = time.monotonic() + 30  # the server's thread notices at its next write: soon, unless the box is busy
    while feed_server.trickling and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feed_server.trickling == 0  # the connection was closed, not left to the server
