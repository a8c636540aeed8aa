"""Secret calendar addresses live in the OS keyring (a real Secret Service), fetched over real HTTP: `calendar add`,
`--calendar keyring:NAME` and `--calendar -`, the migration of a plain address on the config's next write, and
the address never printed, logged or written anywhere else."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from keyring.backend import KeyringBackend

from tests.app.test_plan_cli import ICS
from tests.fixtures.http_feeds import FeedServer, Route
from tests.fixtures.radicale import RadicaleServer
from tests.fixtures.secret_service import SecretServiceBus
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.app.cli import run
from traystatus.app.paths import AppPaths

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "private-7f3e9a0c1d5b2e8f"
PATH = f"/calendar/ical/me%40example.org/{TOKEN}/basic.ics"
WINDOW = ["--tz", "Europe/Berlin", "--from", "2026-11-24", "--days", "2"]


@pytest.fixture
def secret_url(feed_server: FeedServer) -> str:
    """The secret feed, its hits counted from this test on (the server is the session's; the path is ours)."""
    feed_server.requests[:] = [r for r in feed_server.requests if r[0] != PATH]
    feed_server.routes[PATH] = Route(body=ICS.replace("\n", "\r\n").encode(), etag='"v1"')
    return feed_server.url(PATH)


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def everything_written(home: Path) -> str:
    """Every file traystatus wrote under the test's XDG dirs (config, state, cache, logs, fetch log)."""
    return "".join(p.read_text(errors="replace") for p in home.rglob("*") if p.is_file())


def test_calendar_add_keeps_the_address_in_the_keyring(
    monkeypatch: pytest.MonkeyPatch,
    os_keyring: KeyringBackend,
    feed_server: FeedServer,
    secret_url: str,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    config = AppPaths.resolve().config_file
    stdin(monkeypatch, secret_url + "\n")
    assert run(["-v", "calendar", "add", "-", "--name", "Work calendar"]) == 0
    out, err = capsys.readouterr()
    assert "keyring:work-calendar" in out and "Checked: 0 events in the next 14 days" in out and err == ""
    assert os_keyring.get_password("traystatus", "calendar:work-calendar") == secret_url
    text = config.read_text()
    assert 'name = "Work calendar"\nurl = "keyring:work-calendar"' in text
    assert len(feed_server.hits(PATH)) == 1  # the check fetched it through the keyring entry
    # the calendar is read back through its reference: from the config, and named on the command line
    assert run(["calendar", "events", "--tz", "Europe/Berlin", "--from", "2026-11-24", "--to", "2026-11-26"]) == 0
    assert "Standup" in capsys.readouterr().out
    assert run(["plan", "--json", "--calendar", "keyring:work-calendar", *WINDOW]) == 0
    assert "meeting" in {row["state"] for row in json.loads(capsys.readouterr().out)}
    assert len(feed_server.hits(PATH)) == 3
    # the same name again updates the same keyring entry, and the file still names it only
    other = secret_url.replace(TOKEN, "private-0000aaaa1111bbbb")
    stdin(monkeypatch, other + "\n")
    assert run(["calendar", "add", "-", "--name", "Work calendar", "--no-check"]) == 0
    assert os_keyring.get_password("traystatus", "calendar:work-calendar") == other
    assert config.read_text().count("[[calendars]]") == 1
    for place in (out, err, capsys.readouterr().out, caplog.text, everything_written(isolated_home)):
        assert TOKEN not in place and "me%40example.org" not in place and "0000aaaa" not in place


def test_a_plain_secret_address_moves_to_the_keyring_on_the_next_write(
    os_keyring: KeyringBackend,
    feed_server: FeedServer,
    secret_url: str,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = AppPaths.resolve().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    public = feed_server.url("/holidays.ics")
    feed_server.routes["/holidays.ics"] = Route(body=ICS.replace("\n", "\r\n").encode())
    config.write_text(
        "# my calendars\n"
        'timezone = "Europe/Berlin"\n'
        f'[[calendars]]\nname = "Work"  # the one from Google\nurl = "{secret_url}"\n'
        f'[[calendars]]\nname = "Holidays"\nurl = "{public}"\n'
    )
    assert run(["doctor", "--json"]) in (0, 1)
    assert "traystatus calendar migrate" in capsys.readouterr().out  # doctor says how to fix it
    assert run(["calendar", "migrate"]) == 0
    out = capsys.readouterr().out
    assert "calendar 'Work'" in out and "now lives in the OS keyring" in out and TOKEN not in out
    text = config.read_text()
    assert "# my calendars" in text and "# the one from Google" in text  # the user's comments stay
    assert 'url = "keyring:work"' in text and f'url = "{public}"' in text and TOKEN not in text
    assert os_keyring.get_password("traystatus", "calendar:work") == secret_url
    before = len(feed_server.hits(PATH))
    assert run(["calendar", "events", "--from", "2026-11-24", "--to", "2026-11-26"]) == 0
    assert capsys.readouterr().out.count("Standup") == 4  # two days of it from each calendar
    assert len(feed_server.hits(PATH)) == before + 1  # read through the keyring entry
    assert run(["calendar", "migrate"]) == 0
    assert "nothing to move" in capsys.readouterr().out
    assert TOKEN not in everything_written(isolated_home)


def test_the_settings_window_document_saves_a_new_address_to_the_keyring(
    os_keyring: KeyringBackend, secret_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    doc = TomlConfigDocument(path, default_tz=ZoneInfo("UTC"))
    doc.set_items("calendars", [{"name": "Work", "url": secret_url}, {"name": "Work", "url": secret_url + "?x=1"}])
    settings = doc.save()
    assert [c.location for c in settings.calendars] == ["keyring:work", "keyring:work-2"]
    assert len(doc.notes) == 2 and all("now lives in the OS keyring" in n and TOKEN not in n for n in doc.notes)
    assert TOKEN not in path.read_text()
    assert os_keyring.get_password("traystatus", "calendar:work-2") == secret_url + "?x=1"


def test_a_missing_keyring_entry_is_a_clear_calendar_error(
    os_keyring: KeyringBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["calendar", "events", "--calendar", "keyring:gone", "--tz", "UTC"]) == 1
    err = capsys.readouterr().err
    assert "Calendar 'gone' could not be read" in err and "no entry calendar:gone" in err
    assert "traystatus calendar add - --name gone" in err


def test_calendar_from_stdin_never_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
    feed_server: FeedServer,
    secret_url: str,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    stdin(monkeypatch, f"# work\n{secret_url}\n\n")
    window = ["--tz", "UTC", "--from", "2026-11-24", "--to", "2026-11-25"]
    assert run(["calendar", "events", "--calendar", "-", *window]) == 0
    out, err = capsys.readouterr()
    assert "Standup" in out and TOKEN not in out + err
    assert "visible to other users" not in caplog.text
    # typed on the command line instead: it works, with a warning that says how to avoid it
    assert run(["calendar", "events", "--calendar", secret_url, "--tz", "UTC", "--from", "2026-11-24"]) == 0
    assert "visible to other users of this machine" in caplog.text and TOKEN not in caplog.text
    with_password = secret_url.replace("http://", "http://me:hunter2pw@")  # named for its host, not its userinfo
    assert run(["calendar", "events", "--calendar", with_password, *window]) == 0
    out, err = capsys.readouterr()
    assert "Standup" in out and "hunter2pw" not in out + err and "me:" not in out
    stdin(monkeypatch, "\n")
    assert run(["calendar", "events", "--calendar", "-", "--tz", "UTC"]) == 2
    assert "--calendar - read no address" in capsys.readouterr().err


def test_calendars_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, os_keyring: KeyringBackend, secret_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    os_keyring.set_password("traystatus", "calendar:team", secret_url)
    monkeypatch.setenv("TRAYSTATUS_CALENDARS", "keyring:team")
    assert run(["calendar", "events", "--tz", "UTC", "--from", "2026-11-24", "--to", "2026-11-25"]) == 0
    assert "Standup" in capsys.readouterr().out
    monkeypatch.setenv("TRAYSTATUS_CALENDARS", secret_url)  # headless: the environment is the user's own
    run(["doctor"])
    out = capsys.readouterr().out
    assert "calendar 127.0.0.1" in out and "calendar migrate" not in out  # nothing in a file to migrate


def test_a_failing_secret_address_is_never_shown_anywhere(
    os_keyring: KeyringBackend,
    feed_server: FeedServer,
    isolated_home: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """user:password@ and a token path, refused by the server (401): status, doctor, events, the fetch log and
    the log file say which calendar and why, never the address."""
    caplog.set_level(logging.DEBUG)
    feed_server.routes[PATH] = Route(status=401, body=b"no")
    url = feed_server.url(PATH).replace("http://", "http://me:hunter2pw@")
    os_keyring.set_password("traystatus", "calendar:work", url)
    config = AppPaths.resolve().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('timezone = "UTC"\n[[calendars]]\nname = "Work"\nurl = "keyring:work"\n')
    outputs = []
    for argv in (["-v", "calendar", "events"], ["-v", "status"], ["-v", "doctor"], ["doctor", "--json"]):
        run(argv)
        outputs.append(capsys.readouterr())
    assert "refused access (HTTP 401)" in outputs[0].err and "http://127.0.0.1:" in outputs[0].err
    assert any("Work" in o.out for o in outputs[2:])
    assert len(feed_server.hits(PATH)) >= 3  # fetched each time, through the keyring entry
    written = everything_written(isolated_home)
    assert "calendar-fetches" in " ".join(p.name for p in isolated_home.rglob("*"))
    for place in [caplog.text, written, *(o.out + o.err for o in outputs)]:
        assert "hunter2pw" not in place and TOKEN not in place and "me%40example.org" not in place


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("GET https://me:pw@cal.example.org/x.ics failed", "GET https://cal.example.org/…[redacted] failed"),
        ("at https://me:pw@cal.example.org", "at https://cal.example.org/…[redacted]"),
        ("feed webcal://h.example/cal?token=abc ok", "feed webcal://h.example/…[redacted] ok"),
        ("Max retries exceeded with url: /private-abc/basic.ics (Caused by", "with url: /…[redacted] (Caused by"),
        ("http://127.0.0.1:8080/ answered", "http://127.0.0.1:8080/ answered"),
    ],
)
def test_log_lines_lose_userinfo_paths_and_queries(line: str, shown: str) -> None:
    from traystatus.app.logging_setup import redact

    assert shown in redact(line) and "pw@" not in redact(line) and "abc" not in redact(line)


def test_login_migrates_a_plain_address_and_says_so(
    os_keyring: KeyringBackend, slack_emulator: SlackEmulator, secret_url: str
) -> None:
    """`login slack` writes the config: the plain address an older file holds moves on that write, and the
    user's terminal (a real process's stderr) is told."""
    config = AppPaths.resolve().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'timezone = "UTC"\n\n[[calendars]]\nname = "Work"\nurl = "{secret_url}"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "traystatus", "login", "slack", "--token-stdin"],
        input=slack_emulator.token + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "TRAYSTATUS_SLACK_API_URL": slack_emulator.base_url},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Moved the secret address of calendar 'Work'" in proc.stderr and "keyring:work" in proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    text = config.read_text()
    assert 'url = "keyring:work"' in text and "[[accounts.slack]]" in text and TOKEN not in text
    assert os_keyring.get_password("traystatus", "calendar:work") == secret_url


def test_a_caldav_collection_behind_a_keyring_reference(
    monkeypatch: pytest.MonkeyPatch,
    os_keyring: KeyringBackend,
    radicale_server: RadicaleServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = radicale_server.make_calendar("secret-ref", "Team")
    radicale_server.put(
        url,
        "standup",
        ICS.split("BEGIN:VEVENT", 1)[0] + "BEGIN:VEVENT" + ICS.split("BEGIN:VEVENT")[1] + "END:VCALENDAR\n",
    )
    os_keyring.set_password("traystatus", "caldav:Team", radicale_server.password)
    stdin(monkeypatch, url + "\n")
    argv = ["calendar", "add", "-", "--name", "Team", "--kind", "caldav", "--username", radicale_server.user]
    assert run([*argv, "--keyring", "--no-check"]) == 0
    assert 'kind = "caldav"' in AppPaths.resolve().config_file.read_text()
    assert os_keyring.get_password("traystatus", "calendar:team") == url
    capsys.readouterr()
    assert run(["calendar", "events", "--tz", "Europe/Berlin", "--from", "2026-11-24", "--to", "2026-11-27"]) == 0
    out = capsys.readouterr().out
    assert out.count("Standup") == 3 and "[Team]" in out


def test_a_config_that_cannot_be_written_leaves_no_keyring_entry(
    monkeypatch: pytest.MonkeyPatch,
    os_keyring: KeyringBackend,
    secret_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    stdin(monkeypatch, secret_url + "\n")
    assert run(["--config", str(blocker / "config.toml"), "calendar", "add", "-", "--name", "Work"]) == 2
    err = capsys.readouterr().err
    assert "Calendar not added" in err and "nothing was kept in the keyring" in err and TOKEN not in err
    assert os_keyring.get_password("traystatus", "calendar:work") is None
    stdin(monkeypatch, "ftp://example.org/cal.ics\n")
    assert run(["calendar", "add", "-"]) == 2
    assert "Not a calendar address" in capsys.readouterr().err


def test_a_calendar_that_becomes_a_file_drops_its_keyring_entry(
    monkeypatch: pytest.MonkeyPatch, os_keyring: KeyringBackend, secret_url: str, tmp_path: Path
) -> None:
    stdin(monkeypatch, secret_url + "\n")
    assert run(["calendar", "add", "-", "--name", "Work", "--no-check"]) == 0
    assert os_keyring.get_password("traystatus", "calendar:work") == secret_url
    ics = tmp_path / "work.ics"
    ics.write_text(ICS)
    assert run(["calendar", "add", str(ics), "--name", "Work", "--no-check"]) == 0
    text = AppPaths.resolve().config_file.read_text()
    assert f'path = "{ics}"' in text and "url" not in text
    assert os_keyring.get_password("traystatus", "calendar:work") is None


def test_the_addresses_on_stdin_are_read_once_per_run(
    monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer, secret_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run loads its settings more than once (the tray: the command, then the sync pipeline): stdin is read
    once and every load gets its addresses."""
    from traystatus.app.cli import build_parser
    from traystatus.app.options import load_settings

    stdin(monkeypatch, secret_url + "\n")
    args = build_parser().parse_args(["apply", "--calendar", "-", "--tz", "UTC"])
    first, second = load_settings(args), load_settings(args)
    assert [c.location for c in first.calendars] == [c.location for c in second.calendars] == [secret_url]
    stdin(monkeypatch, secret_url + "\n")
    before = len(feed_server.hits(PATH))
    assert run(["apply", "--dry-run", "--calendar", "-", "--tz", "UTC"]) == 0
    out, err = capsys.readouterr()
    assert "read no address" not in err and TOKEN not in out + err
    assert len(feed_server.hits(PATH)) == before + 1


def in_a_terminal(argv: list[str], env: dict[str, str], answer: str) -> tuple[int, str]:
    """Run traystatus on a real terminal (a pty): wait for the address prompt, type ``answer``."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a new session whose controlling terminal is the pty
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "traystatus", *argv], env)
    output = b""
    try:
        while b"not shown" not in output:
            output += os.read(fd, 1024)
        os.write(fd, answer.encode() + b"\n")
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_at_a_terminal_the_address_is_typed_without_echo(
    os_keyring: KeyringBackend, secret_service: SecretServiceBus, secret_url: str, tmp_path: Path
) -> None:
    """`calendar add -` and `--calendar -` prompt; the pasted address is neither echoed nor printed."""
    config = tmp_path / "config.toml"
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": secret_service.address}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    code, text = in_a_terminal(["--config", str(config), "calendar", "add", "-", "--name", "Work"], env, secret_url)
    assert code == 0, text
    assert "Calendar address (not shown):" in text and "keyring:work" in text and "Checked: 0 events" in text
    assert TOKEN not in text and "me%40example.org" not in text
    assert os_keyring.get_password("traystatus", "calendar:work") == secret_url
    assert TOKEN not in config.read_text()
    window = ["--tz", "UTC", "--from", "2026-11-24", "--to", "2026-11-25"]
    code, text = in_a_terminal(["calendar", "events", "--calendar", "-", *window], env, secret_url)
    assert code == 0, text
    assert "Standup" in text and TOKEN not in text
