"""`run --headless` runs the same background duties as the tray: a handoff note stored by the CLI that Slack
would not take yet (429 with a Retry-After longer than the CLI waits) is delivered by the running headless
service within seconds of it being due, because the CLI pokes it (not at the worker's 15-minute idle look).
Real processes, the Slack emulator on the real clock, the other side checked (the emulator's messages)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.slack import login_scopes_only
from tests.fixtures.xvfb import ROOT
from tests.slack_emulator import SlackEmulator

WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"
ARGS = ["--calendar", str(WORKDAY), "--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00"]
NOTE = "# Done\nShipped the runtime\n# Next / handed over to\nPriya: release 2.1\n"


@pytest.fixture
def slack_emulator(slack_emulator: SlackEmulator) -> SlackEmulator:
    return login_scopes_only(slack_emulator)  # exactly the scopes login asks for


def wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def env(slack_emulator: SlackEmulator, isolated_home: Path) -> dict[str, str]:
    e = dict(os.environ, PYTHONPATH=str(ROOT))
    e.update(TRAYSTATUS_SLACK_TOKEN=slack_emulator.token, TRAYSTATUS_SLACK_API_URL=slack_emulator.base_url)
    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        e.pop(var, None)
    return e


@pytest.fixture
def headless(env: dict[str, str], slack_emulator: SlackEmulator) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "traystatus", "run", "--headless", *ARGS],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: slack_emulator.calls_to("users.setPresence"), 60, "the first pass to reach Slack")
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()


def test_a_note_the_cli_left_is_delivered_by_the_running_headless_service(
    env: dict[str, str], headless: subprocess.Popen[str], slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    slack_emulator.inject("chat.postMessage", status=429, retry_after=25)  # longer than the CLI waits (20 s)
    command = ["handoff", "--text-file", str(note), "--to", "slack:#handoffs", "--no-sign-off", *ARGS]
    cli = subprocess.run(
        [sys.executable, "-m", "traystatus", *command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 1 and "rate limited" in cli.stdout, cli.stdout + cli.stderr
    assert slack_emulator.messages == [], "Slack refused it: nothing posted by the CLI"
    # due 25 s after the refusal; without the wake-up the service's worker would look again in 15 minutes
    wait_for(lambda: slack_emulator.messages, 60, "the headless service to deliver the note")
    assert len(slack_emulator.messages) == 1 and "Shipped the runtime" in slack_emulator.messages[0].text
    assert headless.poll() is None
    log = Path(env["XDG_STATE_HOME"]) / "traystatus" / "log" / "traystatus.log"
    # the service logs the delivery once the archive has it on record, a moment after Slack took the post
    wait_for(lambda: "delivered to slack:#handoffs" in log.read_text(encoding="utf-8"), 30, "the delivery on record")
    assert "another traystatus process changed the handoff outbox" in log.read_text(encoding="utf-8")
