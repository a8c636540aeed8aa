"""The quirk calendars (tests/data/quirks) served as feeds on 127.0.0.1 and read by the real commands:
`plan` shows what the producer meant, `apply` sends Slack (the emulator) the true return of a chained
leave, and a failing feed is told once, truly, by `plan` and `status`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from tests.fixtures.slack import ManualClock
from tests.slack_emulator import SlackEmulator
from traystatus.app.cli import run

QUIRKS = Path(__file__).resolve().parents[1] / "data" / "quirks"
UTC_DAY = ["--tz", "UTC", "--hours", "mon-fri 08:00-18:00", "--from", "2026-12-02", "--days", "1"]


def served(feed_server: FeedServer, name: str) -> str:
    path = f"/quirks-cli/{name}"
    feed_server.routes[path] = Route(body=(QUIRKS / name).read_bytes(), etag=f'"{name}"')
    return feed_server.url(path)


def plan_rows(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> list[dict[str, str]]:
    assert run(["plan", "--json", "--calendar", url, *argv]) == 0, capsys.readouterr().err
    out, err = capsys.readouterr()
    assert err == "", err  # nothing to warn about: each of these is a whole, valid calendar
    rows: list[dict[str, str]] = json.loads(out)
    return rows


def busy(rows: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return [
        (r["start"][11:16], r["end"][11:16], r["state"]) for r in rows if r["state"] not in ("available", "off_hours")
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bom.ics", [("14:00", "15:00", "meeting")]),
        ("bare_vevent.ics", [("09:00", "10:00", "meeting")]),  # 10:00 Berlin, no VCALENDAR around it
        ("two_vcalendars.ics", [("09:00", "09:30", "meeting"), ("12:00", "13:00", "meeting")]),
        # 10:00 at +05:30; 10:00 and 12:00 in Berlin, by IANA and Windows names with spaces around them
        (
            "tzid_whitespace.ics",
            [("04:30", "05:30", "meeting"), ("09:00", "10:00", "meeting"), ("11:00", "12:00", "meeting")],
        ),
        ("customized_tz_a.ics", [("13:00", "14:00", "meeting")]),  # 22:00 at +09:00
        ("customized_tz_b.ics", [("13:00", "14:00", "meeting")]),  # 09:30 at -03:30
        # BUSY, BUSY-TENTATIVE, BUSY-UNAVAILABLE; FREE (15:00) is not busy
        ("freebusy.ics", [("09:00", "10:00", "meeting"), ("11:00", "11:30", "meeting"), ("13:00", "14:00", "meeting")]),
    ],
)
def test_a_quirky_feed_reads_as_its_producer_meant(
    name: str, expected: list[tuple[str, str, str]], feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert busy(plan_rows(capsys, served(feed_server, name), *UTC_DAY)) == expected


def test_holiday_calendar_observances_are_working_days(
    feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = served(feed_server, "holiday_observances.ics")
    rows = plan_rows(
        capsys, url, "--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00", "--from", "2026-12-07", "--days", "5"
    )
    state = {r["start"][:10]: r["state"] for r in rows if r["start"][11:16] in ("00:00", "09:00")}
    assert state == {
        "2026-12-07": "available",  # Germany: Nikolaus [Not a public holiday]
        "2026-12-08": "available",  # … (not a bank holiday)
        "2026-12-09": "available",  # Google's observance, all-day and transparent
        "2026-12-10": "ooo",  # Special Non-working Holiday
        "2026-12-11": "ooo",  # Bank Holiday
    }, rows


BERLIN_LEAVE = ["--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00"]
#: chained_leave.ics: two halves of parental leave, an overlapping trip, a weekend, then a vacation to Fri 19 Feb
BACK = "2027-02-22T09:00:00+01:00"


@pytest.mark.parametrize("days", ["1", "7"])
def test_plan_says_back_at_the_end_of_a_chained_leave(
    days: str, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = served(feed_server, "chained_leave.ics")
    rows = plan_rows(capsys, url, *BERLIN_LEAVE, "--from", "2026-12-02", "--days", days)
    assert {(r["state"], r["until"]) for r in rows} == {("ooo", BACK)}
    assert rows[0]["reason"] == "Parental leave (1/2) (out of office (BUSYSTATUS:OOF))"
    later = plan_rows(capsys, url, *BERLIN_LEAVE, "--from", "2027-01-30", "--days", days)  # a Saturday in the trip
    assert {r["until"] for r in later} == {BACK}  # the weekend between trip and vacation too (off hours)
    assert {r["state"] for r in later} == ({"ooo"} if days == "1" else {"ooo", "off_hours"})


def test_slack_status_expires_at_the_true_return_of_a_chained_leave(
    feed_server: FeedServer,
    slack_emulator: SlackEmulator,
    slack_clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    at = datetime(2026, 12, 2, 10, tzinfo=UTC)
    slack_clock.set(at.timestamp())  # Slack's own clock at the moment the status is sent
    url = served(feed_server, "chained_leave.ics")
    assert run(["apply", "--calendar", url, *BERLIN_LEAVE, "--at", "2026-12-02T11:00"]) == 0, capsys.readouterr()
    capsys.readouterr()
    text, _emoji, expiration = slack_emulator.status()
    assert text and expiration == int(datetime.fromisoformat(BACK).timestamp()), (text, expiration)
    assert datetime.fromtimestamp(expiration, UTC) == datetime(2027, 2, 22, 8, tzinfo=UTC)
    assert run(["status", "--json", "--calendar", url, *BERLIN_LEAVE, "--at", "2027-01-30T11:00"]) == 0
    report = json.loads(capsys.readouterr().out)  # a Saturday in the overlapping trip
    assert report["state"] == "ooo" and datetime.fromisoformat(report["until"]) == datetime.fromisoformat(BACK)
    assert datetime.fromisoformat(report["desired"]["expires_at"]) == datetime.fromisoformat(BACK)


def config_with(tmp_path: Path, **urls: str) -> Path:
    config = tmp_path / "config.toml"
    body = 'timezone = "UTC"\nworking_hours = "mon-fri 08:00-18:00"\n'
    body += "".join(f'[[calendars]]\nname = "{name}"\nurl = "{url}"\n' for name, url in urls.items())
    config.write_text(body, encoding="utf-8")
    return config


def cli(config: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """In a process of its own: pytest's log capture would hide logging's last-resort stderr handler."""
    return subprocess.run(
        [sys.executable, "-m", "traystatus", "--config", str(config), *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_feed_with_a_huge_header_is_said_once_for_what_it_is(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.routes["/quirks-cli/huge-header"] = Route(header_bytes=200_000, body=b"BEGIN:VCALENDAR\r\n")
    config = config_with(tmp_path, Huge=feed_server.url("/quirks-cli/huge-header"), Work=served(feed_server, "bom.ics"))
    plan = cli(config, "plan", "--from", "2026-12-02", "--days", "1")
    assert plan.returncode == 1  # one calendar failed; the other's timeline is shown
    assert "After a byte-order mark" in plan.stdout
    said = [line for line in plan.stderr.splitlines() if "Calendar 'Huge'" in line]
    assert len(said) == 1, plan.stderr
    assert "oversized headers" in said[0] and "could not be reached" not in said[0]
    # nothing was ever read from it: no "last good copy" is promised
    assert "last good copy" not in said[0] and "no earlier copy" in said[0]

    status = cli(config, "status", "--at", "2026-12-02T14:30")
    assert status.returncode == 0 and "Calendar 'Huge'" not in status.stderr, status.stderr
    problems = [line for line in status.stdout.splitlines() if "Calendar 'Huge'" in line]
    assert len(problems) == 1 and problems[0].startswith("problem: ") and "oversized headers" in problems[0]
    assert "meeting until" in status.stdout  # the good calendar still counts
    assert "No calendar could be read" not in status.stdout


def test_a_failing_feed_with_a_copy_is_said_once_with_that_copy(feed_server: FeedServer, tmp_path: Path) -> None:
    path = "/quirks-cli/flaky.ics"
    feed_server.routes[path] = Route(body=(QUIRKS / "bom.ics").read_bytes())
    config = config_with(tmp_path, Flaky=feed_server.url(path))
    assert cli(config, "plan", "--from", "2026-12-02", "--days", "1").returncode == 0
    feed_server.routes[path] = Route(status=503, body=b"down")
    plan = cli(config, "plan", "--from", "2026-12-02", "--days", "1")
    assert plan.returncode == 0 and "After a byte-order mark" in plan.stdout  # the copy serves
    assert plan.stderr.count("HTTP 503") == 1 and "the last good copy is used meanwhile" in plan.stderr
    assert "stale, using the last good copy" in plan.stderr
    status = cli(config, "status", "--at", "2026-12-02T14:30")
    assert "HTTP 503" not in status.stderr and status.stdout.count("HTTP 503") == 1, (status.stdout, status.stderr)


def test_plan_prints_no_timeline_when_its_only_calendar_fails(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.routes["/quirks-cli/html"] = Route(body=b"<html>Sign in</html>", content_type="text/html")
    config = config_with(tmp_path, Gone=feed_server.url("/quirks-cli/html"))
    for argv in (["plan"], ["plan", "--json"]):
        done = cli(config, *argv)
        assert done.returncode == 1 and done.stdout == "", done.stdout
        assert done.stderr.count("web page (HTML)") == 1
        assert "no calendar could be read, so there is no plan to show" in done.stderr
    status = cli(config, "status", "--at", "2026-12-02T14:30")  # says what its answer rests on
    assert status.stdout.startswith("No calendar could be read (see the problems below)"), status.stdout
    assert status.stdout.count("web page (HTML)") == 1 and "web page" not in status.stderr


def test_a_redirect_to_another_port_is_refused_by_plan(
    feed_server: FeedServer, other_feed_server: FeedServer, tmp_path: Path
) -> None:
    target = served(other_feed_server, "bom.ics")
    feed_server.routes["/quirks-cli/moved"] = Route(status=302, location=target)
    done = cli(config_with(tmp_path, Moved=feed_server.url("/quirks-cli/moved")), "plan", "--days", "1")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("neither https nor the same server and port") == 1, done.stderr
    assert not other_feed_server.hits("/quirks-cli/bom.ics")  # never followed
