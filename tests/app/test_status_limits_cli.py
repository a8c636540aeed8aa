"""What a sync finds an account cannot do is kept, so `traystatus status` (which calls no service) says it
next to the calls `apply --dry-run` lists too (a sending pass tries them again); a later call that works
clears it. Slack emulator, a token
without users:write (presence)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.slack_emulator import SlackEmulator
from tests.slack_emulator.workspace import ALL_USER_SCOPES
from traystatus.app.cli import run

WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"
ARGS = ["--calendar", str(WORKDAY), "--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00"]


def tuesday(hhmm: str) -> str:
    day = date.today() + timedelta(days=7)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return f"{day.isoformat()}T{hhmm}"


def slack_line(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    report = json.loads(capsys.readouterr().out)
    return next(a for a in report["accounts"] if a["service"] == "slack")


def test_status_says_what_a_sync_found_and_forgets_it_once_it_works(
    monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "xoxp-8888-no-presence"
    slack_emulator.add_token(token, scopes=tuple(s for s in ALL_USER_SCOPES if s != "users:write"))
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    standup, evening = tuesday("09:35"), tuesday("18:05")

    assert run(["status", "--at", standup, "--json", *ARGS]) == 0
    before = slack_line(capsys)
    assert "users:write" not in " ".join(before["notes"])  # type: ignore[arg-type]  # nothing known yet

    run(["apply", "--at", standup, *ARGS])  # the status goes out; presence fails with missing_scope
    out = capsys.readouterr().out
    assert "users:write" in out
    assert slack_emulator.status()[0] == "In a meeting"

    assert run(["status", "--at", evening, *ARGS]) == 0
    text = capsys.readouterr().out
    assert "lacks users:write" in text and "found by the sync of" in text and "doctor" in text
    assert run(["status", "--at", evening, "--json", *ARGS]) == 0
    line = slack_line(capsys)
    assert any("lacks users:write" in n for n in line["notes"])  # type: ignore[union-attr]
    # told, not planned away: `apply` tries presence again (how a granted scope is found), and so both list it
    assert run(["apply", "--dry-run", "--at", evening, "--json", *ARGS]) == 0
    dry = slack_line(capsys)
    calls = [c["description"] for c in dry["would_send"]]  # type: ignore[attr-defined]
    assert [c["description"] for c in line["would_send"]] == calls  # type: ignore[attr-defined]
    assert any("presence" in c for c in calls), calls

    # the scope is granted (a new token for the same user): the next sync's presence call works and clears it
    full = "xoxp-8888-all-scopes"
    slack_emulator.add_token(full)
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", full)
    assert run(["apply", "--at", evening, *ARGS]) == 0
    capsys.readouterr()
    assert slack_emulator.calls_to("users.setPresence")
    assert run(["status", "--at", evening, "--json", *ARGS]) == 0
    assert not any("users:write" in n for n in slack_line(capsys)["notes"])  # type: ignore[union-attr]
