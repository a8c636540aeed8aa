"""Every command with ``--demo`` in a home that holds a real configuration, archive and state, with a real Slack
token (the emulator) and a real calendar feed (a real HTTP server): the demo reads none of it and writes none of
it — no file of the user's changes, no request reaches the feed or Slack — and `status` and `apply --dry-run`
list the same calls."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from tests.slack_emulator import SlackEmulator
from traystatus.app.cli import run
from traystatus.app.paths import AppPaths, demo_root

REAL_ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:r@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:20261124T093000Z\r\nDTEND:20261124T100000Z\r\nSUMMARY:Real secret meeting\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)
REAL = """timezone = "Pacific/Honolulu"
working_hours = "mon 03:00-04:00"

[[calendars]]
name = "Real work"
url = "{url}"

[[team.people]]
name = "Real Colleague"
timezone = "Europe/Oslo"
hours = "mon-fri 09:00-17:00"

[handoff]
destinations = ["slack:#handoffs"]
"""


@pytest.fixture
def real_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer, slack_emulator: SlackEmulator
) -> Iterator[AppPaths]:
    """A user's real setup, used once for real: a feed read, an `apply` to Slack, a note posted and archived."""
    feed_server.routes["/real.ics"] = Route(body=REAL_ICS.encode())
    real = AppPaths.resolve()
    real.config_file.parent.mkdir(parents=True)
    real.config_file.write_text(REAL.format(url=feed_server.url("/real.ics")), encoding="utf-8")
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    assert run(["apply"]) == 0
    note = tmp_path / "real-note.md"
    note.write_text("# Done\nReal archived work\n", encoding="utf-8")
    assert run(["handoff", "--text-file", str(note)]) == 0
    assert slack_emulator.calls_to("chat.postMessage") and feed_server.hits("/real.ics")
    yield real


def snapshot(real: AppPaths) -> dict[str, str]:
    """Every file of the user's (the demo's own root aside): path → content hash and mtime."""
    demo = demo_root(real)
    out: dict[str, str] = {}
    for top in {real.config_file.parent, real.state_dir, real.data_dir, real.cache_dir, real.log_dir}:
        for f in sorted(top.rglob("*")):
            if f.is_file() and demo not in f.parents:
                out[str(f)] = f"{hashlib.sha256(f.read_bytes()).hexdigest()} {f.stat().st_mtime_ns}"
    return out


def demo_out(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    capsys.readouterr()
    code = run(["--demo", *argv])
    out = capsys.readouterr().out
    assert code == 0, (argv, out)
    assert "Real" not in out, (argv, out)  # nothing of the user's shown
    return out


def test_every_demo_command_leaves_the_real_setup_unread_and_untouched(
    real_home: AppPaths,
    feed_server: FeedServer,
    slack_emulator: SlackEmulator,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # headless users name calendars in the environment too: the demo reads none of them either
    feed_server.routes["/env.ics"] = Route(body=REAL_ICS.encode())
    monkeypatch.setenv("TRAYSTATUS_CALENDARS", feed_server.url("/env.ics"))
    before, feed_hits = snapshot(real_home), len(feed_server.requests)
    # the user's archive (the note) and sync state (the apply) are there to be left alone
    assert any(Path(f).parent == real_home.data_dir for f in before), before
    assert any(Path(f).parent == real_home.state_dir for f in before), before
    slack_emulator.clear_calls()

    assert "Priya Raman" in demo_out(capsys, "team")
    assert "Priya" in demo_out(capsys, "team", "overlap") or "Lena" in demo_out(capsys, "team", "overlap")
    assert "Team standup" in demo_out(capsys, "calendar", "events")
    assert "Team standup" in demo_out(capsys, "plan")
    demo_out(capsys, "team", "import")  # the demo team stays the demo's: no roster read with the real token
    status = json.loads(demo_out(capsys, "status", "--json"))
    dry = json.loads(demo_out(capsys, "apply", "--dry-run", "--json"))
    # the demo's hours run from 3 h before now (the real ones are one hour on Mondays, in Honolulu)
    assert status["state"] != "off_hours" and not status["paused"]
    assert {a["account"] for a in status["accounts"]} == {"slack:demo", "matrix:@you:demo.invalid"}

    def would_send(report: dict[str, list[dict[str, object]]]) -> dict[object, list[object]]:
        return {a["account"]: [c["description"] for c in a["would_send"]] for a in report["accounts"]}  # type: ignore[index]

    # nothing applied yet in the demo: status plans what a dry run plans after reading the (simulated) service
    assert would_send(status) == would_send(dry) and all(would_send(dry).values()), (status, dry)
    assert "sent" in demo_out(capsys, "apply")
    again = json.loads(demo_out(capsys, "status", "--json"))
    assert all(not calls for calls in would_send(again).values())  # the demo's own state remembers its apply

    note = tmp_path / "demo-note.md"
    note.write_text("# Done\nDemo work\n", encoding="utf-8")
    assert "Demo: posted to simulated channels only" in demo_out(capsys, "handoff", "--text-file", str(note))
    listed = demo_out(capsys, "notes", "list")
    assert "Demo work" in listed and "Real archived work" not in listed
    note_id = json.loads(demo_out(capsys, "notes", "list", "--json"))[0]["id"]
    assert "Demo work" in demo_out(capsys, "notes", "show", note_id)
    assert "Demo work" in demo_out(capsys, "notes", "search", "demo")
    assert "Demo work" in demo_out(capsys, "notes", "export")
    demo_out(capsys, "notes", "deliver")
    demo_out(capsys, "notes", "retry", note_id)  # posts again, to the simulated channels only
    demo_out(capsys, "notes", "archive", note_id)

    assert snapshot(real_home) == before  # not one file of the user's written (nor touched)
    assert len(feed_server.requests) == feed_hits  # the real calendar was not read
    assert slack_emulator.calls == []  # the real token was not used
    capsys.readouterr()
    assert run(["notes", "list"]) == 0  # and the real archive still has exactly its own note
    real_list = capsys.readouterr().out
    assert "Real archived work" in real_list and "Demo work" not in real_list
