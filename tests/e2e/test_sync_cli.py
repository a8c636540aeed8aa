"""The CLI as a user runs it, with the headless environment variables pointing at the Slack emulator and a real
Synapse: apply --dry-run, apply (twice), status --json, doctor, and run --headless stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.fixtures.synapse import MatrixUser, SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.app.cli import run

pytestmark = pytest.mark.synapse

WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"
BERLIN = ZoneInfo("Europe/Berlin")


def next_tuesday_standup() -> str:
    """09:35 on a Tuesday at least a week ahead (the weekly standup; expirations stay in the future)."""
    day = date.today() + timedelta(days=7)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return f"{day.isoformat()}T09:35"


@pytest.fixture
def accounts(monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator, synapse: SynapseServer) -> MatrixUser:
    user = synapse.new_user("cli")
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_HOMESERVER", synapse.base_url)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_USER", user.user_id)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_TOKEN", user.token)
    return user


ARGS = ["--calendar", str(WORKDAY), "--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00"]


def test_apply_dry_run_then_apply_then_nothing_twice(
    accounts: MatrixUser, slack_emulator: SlackEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    at = next_tuesday_standup()
    assert run(["apply", "--dry-run", "--at", at, *ARGS]) == 0
    out = capsys.readouterr().out
    assert "meeting until" in out and "would send: set status :spiral_calendar_pad: 'In a meeting'" in out
    # the exact calls, as the services will receive them
    assert (
        'users.profile.set {"profile": {"status_text": "In a meeting", "status_emoji": ":spiral_calendar_pad:", '
        '"status_expiration": '
    ) in out and 'users.setPresence {"presence": "auto"}' in out
    user = requests.utils.quote(accounts.user_id, safe="")
    assert (  # meetings are "unavailable" on Matrix (there is no "busy"), "auto" on Slack
        f'PUT /_matrix/client/v3/presence/{user}/status {{"presence": "unavailable", "status_msg": "🗓 In a meeting"}}'
        in out
    )
    assert run(["apply", "--dry-run", "--json", "--at", at, *ARGS]) == 0
    planned = {a["service"]: a["would_send"] for a in json.loads(capsys.readouterr().out)["accounts"]}
    assert [c["api_call"].split(" ")[0] for c in planned["slack"]] == ["users.profile.set", "users.setPresence"]
    assert slack_emulator.calls_to("users.profile.set") == []  # a dry run only reads
    assert accounts.token not in out and slack_emulator.token not in out
    assert run(["apply", "--at", at, "--json", *ARGS]) == 0
    data = json.loads(capsys.readouterr().out)
    sent = {a["service"]: [c["call"] for c in a["sent"]] for a in data["accounts"]}
    assert sent == {"slack": ["set_status", "set_presence"], "matrix": ["set_presence"]}
    assert slack_emulator.status()[:2] == ("In a meeting", ":spiral_calendar_pad:")
    assert accounts.token not in json.dumps(data) and slack_emulator.token not in json.dumps(data)
    calls = len(slack_emulator.calls)
    assert run(["apply", "--at", at, *ARGS]) == 0  # a second apply at the same moment sends nothing
    assert "sent: nothing" in capsys.readouterr().out and len(slack_emulator.calls) == calls
    assert run(["status", "--at", at, "--json", *ARGS]) == 0
    status = json.loads(capsys.readouterr().out)
    assert {a["applied"]["text"] for a in status["accounts"]} == {"In a meeting"}
    assert all("in step" in " ".join(a["notes"]) for a in status["accounts"])


def test_apply_without_accounts_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["apply", *ARGS]) == 1
    assert "traystatus login slack" in capsys.readouterr().err


def _doctor(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, str]]:
    run(["doctor", "--json", *ARGS])
    return {c["name"]: c for c in json.loads(capsys.readouterr().out)}


def test_doctor_checks_tokens_scopes_and_presence_without_writing(
    accounts: MatrixUser, synapse: SynapseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    checks = _doctor(capsys)
    assert checks["config"]["level"] == "OK"
    assert checks["calendar workday.ics"]["level"] == "OK"
    slack = next(c for n, c in checks.items() if n.startswith("slack"))
    assert slack["level"] == "OK" and "all scopes" in slack["detail"]
    # a fresh account: reading cannot tell "presence off" from "never set", and doctor does not write
    presence = checks[f"matrix {accounts.user_id} presence"]
    assert presence["level"] == "WARN" and "nothing has set it yet" in presence["detail"]
    assert "traystatus apply" in presence["fix"]
    seen = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/presence/{accounts.user_id}/status",
        headers=synapse.auth(accounts.token),
        timeout=10,
    ).json()
    assert seen == {"presence": "offline"}  # untouched: no write, no last_active_ago
    assert checks["tray"]["level"] == "WARN"  # no display in the test environment: says to use --headless
    assert run(["apply", *ARGS]) == 0
    capsys.readouterr()
    checks = _doctor(capsys)
    assert checks[f"matrix {accounts.user_id} presence"]["level"] == "OK"
    assert f"matrix {accounts.user_id} other session" not in checks


def test_doctor_says_when_another_session_keeps_you_online(
    accounts: MatrixUser, synapse: SynapseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    saturday = date.today() + timedelta(days=(5 - date.today().weekday()) % 7 or 7)
    assert run(["apply", "--at", f"{saturday.isoformat()}T12:00", *ARGS]) == 0  # off hours: unavailable
    capsys.readouterr()
    phone = synapse.password_login(accounts)["access_token"]
    requests.get(
        f"{synapse.base_url}/_matrix/client/v3/sync",
        params={"set_presence": "online", "timeout": "0"},
        headers=synapse.auth(phone),
        timeout=10,
    ).raise_for_status()
    other = _doctor(capsys)[f"matrix {accounts.user_id} other session"]
    assert other["level"] == "WARN"
    assert other["detail"].startswith("Matrix shows you online: another session is active")
    assert "Off for the day" in other["detail"]  # what teammates still read


def test_run_headless_syncs_and_stops_cleanly_on_sigterm(
    accounts: MatrixUser, slack_emulator: SlackEmulator, isolated_home: Path
) -> None:
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "traystatus", "run", "--headless", *ARGS],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not slack_emulator.calls_to("users.setPresence") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slack_emulator.calls_to("users.setPresence"), "the first pass never reached Slack"
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "keeping 2 account(s) in step" in err
    log = isolated_home / "state" / "traystatus" / "log" / "traystatus.log"
    text = log.read_text(encoding="utf-8") if log.exists() else ""
    assert "Pass (start)" in text and "Stopped" in text
    assert slack_emulator.token not in text and accounts.token not in text


def test_a_homeserver_without_presence_is_reported_not_pretended(
    monkeypatch: pytest.MonkeyPatch, synapse_no_presence: SynapseServer, capsys: pytest.CaptureFixture[str]
) -> None:
    user = synapse_no_presence.new_user("nopresence")
    monkeypatch.delenv("TRAYSTATUS_SLACK_TOKEN", raising=False)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_HOMESERVER", synapse_no_presence.base_url)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_USER", user.user_id)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_TOKEN", user.token)
    run(["doctor", "--json", *ARGS])
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    presence = checks[f"matrix {user.user_id} presence"]
    assert presence["level"] == "WARN" and "disabled" in presence["detail"] and "presence" in presence["fix"]
    assert run(["apply", "--at", next_tuesday_standup(), *ARGS]) == 1
    out = capsys.readouterr().out
    assert "error: Matrix presence is disabled" in out and "(needs you)" in out
    assert user.token not in out


def test_two_processes_applying_at_once_send_each_change_once(
    monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator
) -> None:
    """The tray (or run --headless) and a CLI apply reconciling together: the state dir's lock serialises the
    passes, so the second sees what the first sent and sends nothing. The emulator answers the ownership read
    late, so without the lock both processes would read, then both write."""
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    slack_emulator.slow("users.profile.get", delay=2.0, times=2)
    argv = [sys.executable, "-m", "traystatus", "apply", "--at", next_tuesday_standup(), *ARGS]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert len(slack_emulator.calls_to("users.profile.set")) == 1
    assert len(slack_emulator.calls_to("users.setPresence")) == 1
    assert sorted("sent: nothing" in out for out, _err in outs) == [False, True]


def test_doctor_names_missing_scopes_and_a_revoked_token(
    monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.slack_emulator.workspace import ALL_USER_SCOPES

    token = "xoxp-7777-no-dnd-no-presence"
    slack_emulator.add_token(token, scopes=tuple(s for s in ALL_USER_SCOPES if s not in ("dnd:write", "users:write")))
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    run(["doctor", "--json", *ARGS])
    slack = next(c for c in json.loads(capsys.readouterr().out) if c["name"].startswith("slack"))
    assert slack["level"] == "WARN" and "dnd:write" in slack["detail"] and "users:write" in slack["detail"]
    assert "login slack" in slack["fix"]
    slack_emulator.revoke(token)
    assert run(["doctor", *ARGS]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] slack" in out and "login slack" in out and token not in out
