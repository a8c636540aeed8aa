"""Everything traystatus writes is private to the user: after a login (Slack emulator, real Secret Service),
a sync of an HTTP calendar, a handoff note and a rotated log, every dir it made is 0700 and every file 0600,
with the common umask 022 (nothing was chmod-ed after: the modes come from creation)."""

from __future__ import annotations

import io
import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.app.test_plan_cli import ICS
from tests.fixtures.http_feeds import FeedServer, Route
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.app.cli import run
from traystatus.app.logging_setup import setup_logging
from traystatus.app.paths import AppPaths

NOTE = "# Done\nMoved the backups\n# Next / handed over to\nPriya: the release\n"


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes(home: Path) -> dict[str, int]:
    """Every path traystatus made under the XDG dirs of ``home`` (the dirs themselves are the test's)."""
    out: dict[str, int] = {}
    for base in ("config", "state", "data", "cache"):
        for dirpath, dirnames, filenames in os.walk(home / base):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                out[str(p.relative_to(home))] = stat.S_IMODE(p.lstat().st_mode)
    return out


def test_every_file_and_dir_written_is_private(
    isolated_home: Path,
    os_keyring: KeyringBackend,
    slack_emulator: SlackEmulator,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    umask_022: None,
) -> None:
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(slack_emulator.token + "\n"))
    assert run(["login", "slack", "--token-stdin"]) == 0
    paths = AppPaths.resolve()
    feed_server.routes["/private/work.ics"] = Route(body=ICS.replace("\n", "\r\n").encode(), etag='"v1"')
    url = feed_server.url("/private/work.ics")
    with paths.config_file.open("r+", encoding="utf-8") as f:  # rewritten in place: the file keeps its mode
        text = f.read()
        f.seek(0)
        f.write(f'timezone = "Europe/Berlin"\n[[calendars]]\nname = "Work"\nurl = "{url}"\n' + text)
    assert run(["apply"]) == 0
    note = isolated_home / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    assert run(["handoff", "--text-file", str(note), "--to", "slack:#handoffs", "--no-sign-off"]) == 0
    assert slack_emulator.messages, capsys.readouterr()
    assert run(["notes", "list"]) == 0
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)  # pytest's own handlers come back afterwards
    setup_logging(paths.log_dir)
    try:
        logging.getLogger("traystatus.test").warning("a line with a calendar name in it")
        handler = next(h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler))
        handler.doRollover()
        logging.getLogger("traystatus.test").warning("after the rotation")
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
            h.close()
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])
    capsys.readouterr()

    archive = SqliteNoteArchive.in_dir(paths.data_dir)  # open: its -wal and -shm files exist meanwhile
    try:
        found = modes(isolated_home)
    finally:
        archive.close()
    names = {Path(p).name for p in found}
    # what the steps above wrote, so the walk below cannot pass on an empty tree
    for expected in (
        "config.toml",
        "handoff.sqlite3",
        "handoff.sqlite3-wal",
        "handoff.sqlite3-shm",
        "traystatus.log",
        "traystatus.log.1",
        "log",
    ):
        assert expected in names, sorted(found)
    assert any("calendar-fetches" in n for n in names), sorted(found)
    assert any(p.startswith("cache/") and (isolated_home / p).is_file() for p in found), sorted(found)
    wrong = {p: oct(m) for p, m in found.items() if m != (0o700 if (isolated_home / p).is_dir() else 0o600)}
    assert wrong == {}, wrong


def test_a_config_readable_by_others_with_a_secret_is_warned(isolated_home: Path, feed_server: FeedServer) -> None:
    """Run as a user would (a real process, its real stderr): the warning names the file and the fix."""
    config = isolated_home / "hand-written.toml"
    feed_server.routes["/cal/secret-token-77/basic.ics"] = Route(body=ICS.replace("\n", "\r\n").encode())
    url = feed_server.url("/cal/secret-token-77/basic.ics").replace("http://", "http://me:pw@")
    config.write_text(f'timezone = "Europe/Berlin"\n[[calendars]]\nname = "Work"\nurl = "{url}"\n')
    config.chmod(0o644)

    def status() -> str:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        done = subprocess.run(
            [sys.executable, "-m", "traystatus", "--config", str(config), "status"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stderr

    err = status()
    assert str(config) in err and "readable by other users" in err and "chmod 600" in err
    assert "secret-token-77" not in err and "pw@" not in err
    config.chmod(0o600)
    assert "readable by other users" not in status()
