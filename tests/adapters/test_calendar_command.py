"""`traystatus calendar events` end to end through the real CLI parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.app.cli import run

ICS = Path(__file__).resolve().parent.parent / "data" / "ics"

PRIVATE = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:secret-1\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261124T130000Z\r
DTEND:20261124T140000Z\r
SUMMARY:Job interview at Rival Corp\r
CLASS:PRIVATE\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:float-1\r
DTSTAMP:20261101T000000Z\r
DTSTART:20261125T090000\r
DTEND:20261125T093000\r
SUMMARY:Floating standup\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:tz-1\r
DTSTAMP:20261101T000000Z\r
DTSTART;TZID=Mars/Olympus_Mons:20261126T100000\r
DTEND;TZID=Mars/Olympus_Mons:20261126T110000\r
SUMMARY:Rover sync\r
END:VEVENT\r
END:VCALENDAR\r
"""


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_occurrences_with_local_times_and_classification(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys,
        "calendar",
        "events",
        "--calendar",
        str(ICS / "icalevents/cest.ics"),
        "--tz",
        "Europe/Zurich",
        "--from",
        "2021-04-01",
        "--to",
        "2021-04-03",
        "--json",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["start"], r["end"], r["all_day"]) for r in rows] == [
        ("2021-04-01T14:00:00+02:00", "2021-04-01T14:30:00+02:00", False),
        ("2021-04-01T15:30:00+02:00", "2021-04-01T17:00:00+02:00", False),
        ("2021-04-02T00:00:00+02:00", "2021-04-03T00:00:00+02:00", True),
    ]
    assert {r["source"] for r in rows} == {"cest.ics"}
    assert rows[2]["busy_status"] == "OOF"
    assert rows[2]["kind"] == "ooo" and rows[2]["rule"]


def test_private_titles_never_shown_and_odd_times_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "work.ics"
    f.write_text(PRIVATE, newline="")
    for extra in ((), ("--json",)):
        code, out, err = cli(
            capsys,
            "calendar",
            "events",
            "--calendar",
            str(f),
            "--tz",
            "Asia/Kolkata",
            "--from",
            "2026-11-24",
            "--to",
            "2026-11-27",
            *extra,
        )
        assert code == 0
        assert "Rival" not in out + err and "Private event" in out
        assert "Floating standup" in out
        assert "unknown time zone 'Mars/Olympus_Mons'" in err and "Rover sync" in err
    rows = json.loads(out)
    assert rows[1]["start"] == "2026-11-25T09:00:00+05:30"  # floating: the user's zone
    assert rows[2]["start"] == "2026-11-26T10:00:00+05:30" and rows[2]["warnings"]


def test_one_broken_source_reports_and_keeps_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(
        capsys,
        "calendar",
        "events",
        "--calendar",
        str(ICS / "icalevents/cest.ics"),
        "--calendar",
        str(tmp_path / "missing.ics"),
        "--tz",
        "Europe/Zurich",
        "--from",
        "2021-04-01",
        "--to",
        "2021-04-02",
    )
    assert code == 0
    assert "Calendar 'missing.ics' could not be read" in err and "Busy" in out


def test_every_source_failing_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        capsys,
        "calendar",
        "events",
        "--calendar",
        str(tmp_path / "missing.ics"),
        "--calendar",
        str(ICS / "ical4j/boeing.ics"),
    )
    assert code == 1
    assert "'missing.ics'" in err and "'boeing.ics'" in err and "Traceback" not in err


def test_stale_feed_is_marked_with_its_age(feed_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    path = "/cmd/private-abcdef123/basic.ics"
    feed_server.routes[path] = Route(body=PRIVATE.encode(), etag='"s"')
    args = ("calendar", "events", "--calendar", feed_server.url(path), "--from", "2026-11-24", "--to", "2026-11-27")
    assert cli(capsys, *args)[0] == 0
    feed_server.routes[path] = Route(status=503, body=b"maintenance")
    code, out, err = cli(capsys, *args)
    assert code == 0 and "Floating standup" in out
    assert "stale: showing the last good copy fetched 0 min ago" in err and "HTTP 503" in err
    assert "abcdef123" not in out + err


def test_bad_window_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        capsys, "calendar", "events", "--calendar", str(ICS / "icalevents/cest.ics"), "--from", "next tuesday"
    )
    assert code == 2 and "Bad --from" in err
