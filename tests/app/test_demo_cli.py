"""`--demo` is a whole, isolated demo for every command: the demo's calendar, hours and team, simulated
services, and its own state and archive — never the user's real configuration or files."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path

import pytest

from traystatus.adapters.system_zone import system_zone
from traystatus.app.cli import run
from traystatus.app.paths import DEMO_HOME_ENV, AppPaths

REAL = """timezone = "Pacific/Honolulu"
working_hours = "mon 03:00-04:00"

[[calendars]]
name = "Real work"
path = "{calendar}"

[[team.people]]
name = "Real Colleague"
timezone = "Europe/Oslo"
hours = "mon-fri 09:00-17:00"
"""
REAL_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:r@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:20261124T093000Z\r\nDTEND:20261124T100000Z\r\nSUMMARY:Real secret meeting\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


@pytest.fixture
def real_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "real.ics").write_text(REAL_ICS, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(REAL.format(calendar=(tmp_path / "real.ics").as_posix()), encoding="utf-8")
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(config))
    return config


def out_of(capsys: pytest.CaptureFixture[str], argv: list[str], code: int = 0) -> str:
    assert run(argv) == code, capsys.readouterr()
    return capsys.readouterr().out


def test_team_overlap_and_calendar_use_the_demo(real_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    team = out_of(capsys, ["--demo", "team"])
    assert "Priya Raman" in team and "Real Colleague" not in team
    overlap = out_of(capsys, ["--demo", "team", "overlap"])
    assert "Real Colleague" not in overlap and ("Priya" in overlap or "Lena" in overlap)
    events = out_of(capsys, ["--demo", "calendar", "events"])
    assert "Team standup" in events and "Real secret meeting" not in events
    assert "Real Colleague" in out_of(capsys, ["team"])  # without --demo: the real team again


def test_status_and_apply_use_the_demo_hours_and_simulated_accounts(
    real_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = json.loads(out_of(capsys, ["--demo", "status", "--json"]))
    dry = json.loads(out_of(capsys, ["--demo", "apply", "--dry-run", "--json"]))
    # the demo's hours run from 3 h before now: never off hours (the real config is off all week but 1 h)
    assert status["state"] != "off_hours" and "outside working hours" not in status["reason"]
    assert status["desired"] == dry["desired"] and status["state"] == dry["state"]
    assert {a["account"] for a in dry["accounts"]} == {"slack:demo", "matrix:@you:demo.invalid"}
    assert DEMO_HOME_ENV not in os.environ  # put back after the command


def test_a_demo_handoff_goes_to_the_demo_archive_and_signs_off_with_demo_hours(
    real_config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    real = AppPaths.resolve()
    note = tmp_path / "note.md"
    note.write_text("# Done\nDemo work\n", encoding="utf-8")
    out = out_of(capsys, ["--demo", "handoff", "--text-file", str(note)])
    assert "Stored note" in out and "Demo: posted to simulated channels only" in out, out
    signed = re.search(r"Signed off until \w{3} (\d\d):00", out)
    # the demo's day starts on the hour 3 h before now (adapters.demo.demo_hours); the real one Mon 03:00 HST
    start = (datetime.now(system_zone()).hour - 3) % 24
    assert signed is not None and int(signed[1]) in (start, (start + 1) % 24), out
    # nothing of the user's was read or written: no archive, no state (the demo lives under state_dir/demo)
    assert not real.data_dir.exists() or not any(real.data_dir.iterdir())
    assert [p.name for p in real.state_dir.iterdir()] == ["demo"]
    assert "No handoff note yet" in out_of(capsys, ["notes", "list"])  # the real archive is empty
    assert "Demo work" in out_of(capsys, ["--demo", "notes", "list"])
    posts = json.loads((real.state_dir / "demo" / "state" / "handoffs.json").read_text(encoding="utf-8"))
    assert {p["destination"] for p in posts} == {"slack:#team-handoffs", "matrix:#handoffs:example.org"}
