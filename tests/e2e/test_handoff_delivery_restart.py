"""Real processes: the CLI stores and delivers; a homeserver killed mid-delivery and a delivery process
killed right after the send lead to exactly one message per note on Matrix (real Synapse) and Slack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.slack import login_scopes_only
from tests.fixtures.synapse import SynapseServer
from tests.fixtures.xvfb import ROOT
from tests.slack_emulator import SlackEmulator

NOTE = "# Done\nMigrated the archive & fixed <ticket-12>\n# Next / handed over to\nPriya: release 2.1\n"


@pytest.fixture
def slack_emulator(slack_emulator: SlackEmulator) -> SlackEmulator:
    return login_scopes_only(slack_emulator)  # exactly the scopes login asks for


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "traystatus", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def harness(env: dict[str, str]) -> int:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.e2e.handoff_worker_harness"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode


def test_matrix_homeserver_killed_and_app_killed_one_event(tmp_path: Path, synapse: SynapseServer) -> None:
    user = synapse.new_user("eod")
    room = synapse.create_room(user.token, name="handoffs")
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        TRAYSTATUS_MATRIX_HOMESERVER=synapse.base_url,
        TRAYSTATUS_MATRIX_USER=user.user_id,
        TRAYSTATUS_MATRIX_TOKEN=user.token,
    )
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    synapse.kill()
    try:
        first = cli(env, "handoff", "--text-file", str(note), "--to", f"matrix:{room}", "--no-sign-off")
    finally:
        synapse.start()
    assert first.returncode == 1, first.stderr
    assert "failed" in first.stdout and "unreachable" in first.stdout
    assert harness(env) == -9  # sent, then killed before recording it
    again = cli(env, "notes", "deliver")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing left to deliver" in again.stdout
    events = synapse.room_messages(user.token, room)
    assert len(events) == 1
    content = events[0]["content"]
    assert "Migrated the archive & fixed <ticket-12>" in content["body"]
    assert "&amp; fixed &lt;ticket-12&gt;" in content["formatted_body"]
    shown = cli(env, "notes", "search", "ticket", "--json")
    assert shown.returncode == 0 and "matrix:" + room in shown.stdout


def test_slack_app_killed_after_post_never_duplicates(tmp_path: Path, slack_emulator: SlackEmulator) -> None:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        TRAYSTATUS_SLACK_TOKEN=slack_emulator.token,
        TRAYSTATUS_SLACK_API_URL=slack_emulator.base_url,
    )
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    slack_emulator.inject("chat.postMessage", status=503)  # Slack has a bad moment: certainly not posted...
    first = cli(env, "handoff", "--text-file", str(note), "--to", "slack:#handoffs", "--no-sign-off")
    assert first.returncode == 1, first.stderr
    assert "may have been posted" in first.stdout  # ...but a 5xx is not proof: never blindly resent
    note_id = first.stdout.split()[2]
    assert cli(env, "notes", "retry", note_id).returncode == 0  # the user checked: not there
    assert [m.text for m in slack_emulator.messages] and len(slack_emulator.messages) == 1
    second = cli(env, "handoff", "--text-file", str(note), "--to", "slack:#handoffs", "--no-sign-off")
    assert second.returncode == 0 and len(slack_emulator.messages) == 2
    # a third note whose delivery process is killed right after Slack accepted the post
    slack_emulator.inject("chat.postMessage", status=429, retry_after=3600)
    third = cli(env, "handoff", "--text-file", str(note), "--to", "slack:#handoffs", "--no-sign-off")
    assert third.returncode == 1 and "rate limited" in third.stdout and "sending at" in third.stdout
    assert harness(env) == -9
    after = cli(env, "notes", "deliver")
    # Said once with both choices; waiting for the user's decision is no failure of `notes deliver`.
    assert after.returncode == 0 and "may have been posted" in after.stdout and "mark-sent" in after.stdout
    assert cli(env, "notes", "deliver").returncode == 0  # and again: still not resent
    assert len(slack_emulator.messages) == 3
    third_id = third.stdout.split()[2]
    marked = cli(env, "notes", "mark-sent", third_id)
    assert marked.returncode == 0 and "marked as sent" in marked.stdout
    done = cli(env, "notes", "deliver")
    assert done.returncode == 0 and "Nothing left to deliver." in done.stdout
    assert len(slack_emulator.messages) == 3  # the user's "it is there" is final: never posted again
    assert "Migrated the archive &amp; fixed &lt;ticket-12&gt;" in slack_emulator.messages[-1].text
