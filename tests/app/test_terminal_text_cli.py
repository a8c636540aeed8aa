"""A hostile invite or note cannot act on the terminal: escape sequences, bidi overrides and control characters
from a calendar feed served over real HTTP, and from a handoff note, are printed escaped by `calendar events`,
`plan`, `status`, `notes list|search|show`, in a real process too; the JSON output keeps the exact text."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.app.cli import run

ROOT = Path(__file__).resolve().parents[2]
#: set the window title, clear the screen, a one-character CSI, reverse the rest of the line, forge a line
HOSTILE = "\x1b]0;pwned\x07\x1b[2JPlanning \u202egnitleem\u202c\x9b31m\rSlack ✓ applied\nyou are away"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c", "\r")


def ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping (a newline is ``\\n``); the control characters go in as they are."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def feed(start: datetime) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//hostile//EN\r\nBEGIN:VEVENT\r\nUID:evil@t\r\n"
        f"DTSTAMP:20261101T000000Z\r\nDTSTART:{start:{stamp}}\r\nDTEND:{start + timedelta(hours=2):{stamp}}\r\n"
        f"SUMMARY:{ics_text(HOSTILE)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


@pytest.fixture
def hostile_url(feed_server: FeedServer) -> str:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    feed_server.routes["/hostile.ics"] = Route(body=feed(start))
    return feed_server.url("/hostile.ics")


def clean(text: str) -> None:
    for c in RAW:
        assert c not in text, f"{c!r} reached the terminal: {text!r}"


def test_calendar_text_is_escaped_in_every_command(
    hostile_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('timezone = "UTC"\nworking_hours = "mon-sun 00:00-24:00"\n[general]\nshare_titles = true\n')
    common = ["--calendar", hostile_url, "--tz", "UTC"]
    window = ["--from", "2020-01-01", "--to", "2100-01-01"]
    assert run(["--config", str(config), "calendar", "events", *common, *window]) == 0
    out, err = capsys.readouterr()
    clean(out + err)
    assert "\\u001b]0;pwned\\u0007\\u001b[2JPlanning \\u202egnitleem\\u202c\\u009b31m\\u000dSlack" in out
    assert not any(line.startswith(("Slack", "you are away")) for line in out.splitlines())  # no forged line
    assert run(["--config", str(config), "calendar", "events", "--json", *common, *window]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["title"] == HOSTILE  # escaped for the terminal, the same text for a program
    for argv in (["plan", *common, "--days", "1"], ["status", *common]):
        run(["--config", str(config), *argv])
        out, err = capsys.readouterr()
        clean(out + err)
        assert "\\u001b[2JPlanning" in out, (argv, out)  # the meeting's reason names it, escaped


def test_a_real_process_writes_no_escape_byte(hostile_url: str) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "traystatus",
            "calendar",
            "events",
            "--calendar",
            hostile_url,
            "--tz",
            "UTC",
            "--from",
            "2020-01-01",
            "--to",
            "2100-01-01",
        ],
        capture_output=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"\\u001b]0;pwned" in proc.stdout
    for c in RAW:
        assert c.encode() not in proc.stdout + proc.stderr


def test_note_text_is_escaped_in_list_search_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    note = tmp_path / "note.md"
    note.write_text(f"# Done\nrelease {HOSTILE}\n# Next / handed over to\nPriya\n", encoding="utf-8")
    assert run(["handoff", "--text-file", str(note), "--no-sign-off"]) == 0
    note_id = capsys.readouterr().out.split("Stored note ", 1)[1].split()[0]
    for argv in (["notes", "list"], ["notes", "search", "release"], ["notes", "export"], ["notes", "show", note_id]):
        run(argv)
        out, err = capsys.readouterr()
        clean(out + err)
        assert "\\u001b]0;pwned" in out, argv
    assert run(["notes", "list"]) == 0
    assert not any(line.startswith("Slack") for line in capsys.readouterr().out.splitlines())


def test_the_log_file_holds_no_escape_sequence(tmp_path: Path) -> None:
    """`tail -f traystatus.log` shows a hostile title escaped, like the command line does."""
    import logging

    from traystatus.app.logging_setup import log_file, setup_logging

    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    setup_logging(tmp_path)
    try:
        logging.getLogger("traystatus.test").warning("event %r has an odd zone", HOSTILE)
        logging.getLogger("traystatus.test").warning("title: %s", HOSTILE)
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
            h.close()
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])
    text = log_file(tmp_path).read_text(encoding="utf-8")
    clean(text)
    assert "title: \\u001b]0;pwned" in text and len(text.splitlines()) == 2


def test_a_teammates_name_is_escaped_in_the_team_clock(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Names come from Slack's users.list and Matrix profiles too: other people's text."""
    config = tmp_path / "config.toml"
    name = json.dumps(HOSTILE)  # a TOML basic string takes JSON's escapes
    config.write_text(f'timezone = "UTC"\n[[team.people]]\nname = {name}\ntimezone = "Asia/Tokyo"\n')
    assert run(["--config", str(config), "team"]) == 0
    out, err = capsys.readouterr()
    clean(out + err)
    assert "\\u001b]0;pwned" in out and not any(line.startswith("you are away") for line in out.splitlines())
