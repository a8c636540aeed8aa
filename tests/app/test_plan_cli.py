"""`traystatus plan` end to end through the CLI: real ICS files, a real HTTP feed, config files, errors."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.app.cli import run

DATA = Path(__file__).resolve().parents[1] / "data" / "ics"

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//traystatus tests//EN
BEGIN:VEVENT
UID:standup@t
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261124T100000
DTEND;TZID=Europe/Berlin:20261124T103000
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:Standup
END:VEVENT
BEGIN:VEVENT
UID:review@t
DTSTAMP:20261101T000000Z
DTSTART:20261124T093000Z
DTEND:20261124T100000Z
SUMMARY:Design review
END:VEVENT
BEGIN:VEVENT
UID:secret@t
DTSTAMP:20261101T000000Z
DTSTART;TZID=America/New_York:20261124T090000
DTEND;TZID=America/New_York:20261124T100000
SUMMARY:Interview with ACME
CLASS:PRIVATE
END:VEVENT
BEGIN:VEVENT
UID:declined@t
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261125T140000
DTEND;TZID=Europe/Berlin:20261125T150000
SUMMARY:All hands
ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.org
END:VEVENT
BEGIN:VEVENT
UID:deep@t
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Berlin:20261125T090000
DTEND;TZID=Europe/Berlin:20261125T110000
SUMMARY:Focus: roadmap
END:VEVENT
BEGIN:VEVENT
UID:pto@t
DTSTAMP:20261101T000000Z
DTSTART;VALUE=DATE:20261126
DTEND;VALUE=DATE:20261128
SUMMARY:PTO
TRANSP:TRANSPARENT
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def ics(tmp_path: Path) -> Path:
    f = tmp_path / "work.ics"
    f.write_text(ICS.replace("\n", "\r\n"), encoding="utf-8")
    return f


def plan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, str]]:
    assert run(["plan", "--json", *argv]) == 0
    out: list[dict[str, str]] = json.loads(capsys.readouterr().out)
    return out


def test_plan_json_on_an_ics_file(ics: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = plan_json(capsys, "--calendar", str(ics), "--tz", "Europe/Berlin", "--from", "2026-11-24", "--days", "2")
    assert set(rows[0]) == {"start", "end", "state", "until", "reason"}
    assert rows[0]["start"] == "2026-11-24T00:00:00+01:00" and rows[-1]["end"] == "2026-11-26T00:00:00+01:00"
    by_start = {r["start"]: r for r in rows}
    # Design review (09:30Z = 10:30 Berlin) right after the standup: one span until 11:00
    assert by_start["2026-11-24T10:00:00+01:00"]["until"] == "2026-11-24T11:00:00+01:00"
    assert by_start["2026-11-24T10:30:00+01:00"]["reason"] == "Design review (timed busy event)"
    # the private interview in New York time: 15:00-16:00 Berlin, never named
    assert by_start["2026-11-24T15:00:00+01:00"] == {
        "start": "2026-11-24T15:00:00+01:00",
        "end": "2026-11-24T16:00:00+01:00",
        "state": "meeting",
        "until": "2026-11-24T16:00:00+01:00",
        "reason": "Private event (timed busy event)",
    }
    assert by_start["2026-11-25T09:00:00+01:00"]["state"] == "focus"
    assert by_start["2026-11-25T09:00:00+01:00"]["until"] == "2026-11-25T11:00:00+01:00"
    # the evening before the PTO days: back on Monday (events past the window are read for it)
    assert rows[-1]["state"] == "off_hours" and rows[-1]["until"] == "2026-11-30T09:00:00+01:00"
    assert "ACME" not in json.dumps(rows) and "Interview" not in json.dumps(rows)


def test_plan_table_with_a_config_file_declined_events_and_a_broken_source(
    ics: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'''timezone = "Europe/Berlin"
working_hours = "mon-fri 09:00-12:30,13:30-17:30"
[[calendars]]
name = "Work"
path = "{ics}"
[[calendars]]
name = "Gone"
path = "{tmp_path / "missing.ics"}"
[classification]
user_emails = ["ME@example.org"]
''',
        encoding="utf-8",
    )
    assert run(["--config", str(config), "plan", "--from", "2026-11-25T12:00", "--days", "3"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == "Availability in Europe/Berlin, Wed 25 Nov 2026 12:00 – Sat 28 Nov 2026 12:00 (2 calendars)"
    assert "Wednesday 25 November 2026" in lines
    assert any(
        line.split()
        == [
            "13:30",
            "–",
            "17:30",
            "available",
            "until",
            "17:30",
            "working",
            "hours",
            "(mon-fri",
            "09:00-12:30,13:30-17:30)",
        ]
        for line in lines
    )  # declined: ignored
    assert any(
        "ooo" in line and "until Mon 30 Nov 09:00" in line and "PTO (title matches 'PTO')" in line for line in lines
    )
    assert "All hands" not in out
    assert "traystatus: Calendar 'Gone' could not be read" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--from", "next tuesday"], "Bad --from: 'next tuesday' is not a date or time"),
        (["--days", "0"], "Bad --days"),
        (["--hours", "mon-fri 09:00-25:00"], "Bad --hours"),
    ],
)
def test_plan_bad_options_are_explained(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["plan", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_plan_days_are_calendar_days_across_dst(capsys: pytest.CaptureFixture[str]) -> None:
    rows = plan_json(
        capsys, "--tz", "America/New_York", "--from", "2026-11-01", "--days", "1", "--hours", "sun 01:30-02:30"
    )
    assert [r["state"] for r in rows] == ["off_hours", "available", "off_hours"]
    assert rows[1]["start"] == "2026-11-01T01:30:00-04:00" and rows[1]["end"] == "2026-11-01T02:30:00-05:00"
    assert rows[-1]["end"] == "2026-11-02T00:00:00-05:00"  # a 25-hour day


def test_plan_with_an_offset_in_from(capsys: pytest.CaptureFixture[str]) -> None:
    rows = plan_json(capsys, "--tz", "Asia/Kathmandu", "--from", "2026-11-24T03:00:00+00:00", "--days", "1")
    assert rows[0]["start"] == "2026-11-24T08:45:00+05:45"
    assert rows[0]["state"] == "off_hours" and rows[0]["until"] == "2026-11-24T09:00:00+05:45"


def test_plan_on_corpus_calendars(capsys: pytest.CaptureFixture[str]) -> None:
    # apple_ical.ics: upstream expects "New Event" 2022-09-12 and "Daily" 09-13.. at 09:00-10:00 Los Angeles
    rows = plan_json(
        capsys,
        "--calendar",
        str(DATA / "ical" / "apple_ical.ics"),
        "--tz",
        "America/Los_Angeles",
        "--from",
        "2022-09-12",
        "--days",
        "5",
        "--hours",
        "mon-fri 08:00-17:00",
    )
    meetings = [(r["start"], r["end"], r["reason"]) for r in rows if r["state"] == "meeting"]
    assert meetings == [("2022-09-12T09:00:00-07:00", "2022-09-12T10:00:00-07:00", "New Event (timed busy event)")] + [
        (f"2022-09-{d}T09:00:00-07:00", f"2022-09-{d}T10:00:00-07:00", "Daily (timed busy event)")
        for d in (13, 14, 15, 16)
    ]
    # cest.ics (Europe/Zurich): 04-29 09:00→11:00 and 11:00→11:30 merge into one span; 04-30 is an OOF day
    rows = plan_json(
        capsys,
        "--calendar",
        str(DATA / "icalevents" / "cest.ics"),
        "--tz",
        "Europe/Zurich",
        "--from",
        "2021-04-29",
        "--days",
        "2",
    )
    at = {r["start"]: r for r in rows}
    assert at["2021-04-29T09:00:00+02:00"]["state"] == "meeting"
    assert at["2021-04-29T09:00:00+02:00"]["until"] == "2021-04-29T11:30:00+02:00"
    assert at["2021-04-30T00:00:00+02:00"]["state"] == "ooo"
    assert at["2021-04-30T00:00:00+02:00"]["until"] == "2021-05-03T09:00:00+02:00"


class _Feed(BaseHTTPRequestHandler):
    body = ICS.encode()
    broken = False

    def do_GET(self) -> None:
        if _Feed.broken:
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Feed.broken = False
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cal.ics"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_plan_marks_a_failing_feed_stale_and_keeps_its_last_good_copy(
    feed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["plan", "--json", "--calendar", feed, "--tz", "Europe/Berlin", "--from", "2026-11-24", "--days", "1"]
    assert run(argv) == 0
    good = capsys.readouterr().out
    _Feed.broken = True
    assert run(argv) == 0  # the last good copy serves: not a failure
    out, err = capsys.readouterr()
    assert out == good
    assert "stale, using the last good copy from 0 min ago" in err


def test_plan_shows_manual_overrides_from_the_state_dir(capsys: pytest.CaptureFixture[str]) -> None:
    from traystatus.adapters.clock import SystemClock
    from traystatus.adapters.state_store import StateStore
    from traystatus.app.paths import AppPaths
    from traystatus.core.model import Override, State

    now = SystemClock().now()
    StateStore(AppPaths.resolve().state_dir).add_override(
        Override(
            state=State.FOCUS, start=now - timedelta(minutes=5), end=now + timedelta(hours=2), reason="Do not disturb"
        )
    )
    rows = plan_json(capsys, "--tz", "Asia/Kolkata", "--days", "1")
    assert (rows[0]["state"], rows[0]["reason"]) == ("focus", "Do not disturb")
    assert datetime.fromisoformat(rows[0]["until"]) == now + timedelta(hours=2)
    assert run(["plan", "--tz", "Asia/Kolkata", "--days", "1"]) == 0
    rows_text = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    assert "[override]" in rows_text[0]  # the first interval


def test_plan_on_the_demo_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--demo", "plan", "--json", "--days", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    states = {r["state"] for r in rows}
    assert {"meeting", "focus", "available", "off_hours"} <= states


def test_secret_feed_address_never_printed_or_logged(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A Google-style secret address: not in the table, the JSON, warnings, errors or debug logs."""
    caplog.set_level(logging.DEBUG)
    secret = "private-7f3e9a0c1d"
    path = f"/calendar/ical/me%40example.org/{secret}/basic.ics"
    feed_server.routes[path] = Route(body=ICS.replace("\n", "\r\n").encode(), etag='"a"')
    url = feed_server.url(path)
    common = ["--calendar", url, "--tz", "Europe/Berlin"]
    outputs = []
    assert run(["-v", "plan", *common, "--from", "2026-11-24", "--days", "2"]) == 0
    outputs.append(capsys.readouterr())
    assert run(["-v", "calendar", "events", *common, "--from", "2026-11-24", "--to", "2026-11-26"]) == 0
    outputs.append(capsys.readouterr())
    assert "Standup" in outputs[-1].out
    feed_server.routes[path] = Route(status=401, body=b"reset")
    assert run(["-v", "plan", *common, "--from", "2026-11-24", "--days", "2"]) == 0  # stale copy serves
    outputs.append(capsys.readouterr())
    assert "refused access (HTTP 401)" in outputs[-1].err and "stale" in outputs[-1].err
    for out in outputs:
        assert secret not in out.out + out.err and "me%40example.org" not in out.out + out.err
    assert secret not in caplog.text


def test_a_reader_that_leaves_early_is_not_an_error(tmp_path: Path) -> None:
    """`traystatus plan | head`: the pipe closes before the plan is written; no traceback, the shell's 141."""
    import subprocess
    import sys

    ics = Path(__file__).resolve().parents[1] / "data" / "ics" / "python-recurring-ical-events" / "Germany.ics"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "traystatus",
            "plan",
            "--calendar",
            str(ics),
            "--tz",
            "Europe/Berlin",
            "--hours",
            "mon-fri 09:00-17:00",
            "--days",
            "365",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before anything was written
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""
