"""The handoff history window inside the real tray app (own configuration, Xvfb + trayer, the Slack emulator):
a note `traystatus handoff` could not post (the token lacked chat:write) shows as failed with "retry when
fixed"; the window is closed (Escape) and opened again from the menu; after the scope is granted, Alt+R
(Retry delivery) in the reopened window posts it exactly once and the window's delivery line says so.
Screenshots: tray-history-failed.png, tray-history-retried.png.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import real_app_env
from tests.fixtures.xvfb import ROOT, VirtualScreen, wait_until
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.app.account_login import SLACK_SCOPES
from traystatus.core.outbox import DeliveryStatus

pytestmark = pytest.mark.xvfb

TOKEN = "xoxp-history-window-0001"
EMPTY_CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus tests//EN\r\nEND:VCALENDAR\r\n"


class Tray:
    def __init__(self, screen: VirtualScreen, home: Path, slack: SlackEmulator) -> None:
        self.screen = screen
        self.home = home
        self.data_dir = home / "data" / "traystatus"
        self.output = home / "app-output.txt"
        (home / "work.ics").write_text(EMPTY_CALENDAR, encoding="utf-8")
        config = home / "config" / "traystatus" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(
            f"""schema_version = 1
timezone = "UTC"
working_hours = "mon-sun 00:00-24:00"

[[calendars]]
name = "Work"
path = "{home / "work.ics"}"

[handoff]
destinations = ["slack:#handoffs"]
sign_off = false
prompt = false
""",
            encoding="utf-8",
        )
        extra = {"TRAYSTATUS_SLACK_TOKEN": TOKEN, "TRAYSTATUS_SLACK_API_URL": slack.base_url}
        self.env = real_app_env(screen, home, extra)
        self.proc: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        with self.output.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "traystatus"], env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    def pid(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is not None:
            pytest.fail(f"the app exited with {self.proc.returncode}: {self.log()}")
        return self.proc.pid

    def open_history_from_the_menu(self) -> str:
        x, y, w, h = wait_until(lambda: self.screen.docked_icon(self.pid()), timeout=60, what="the icon to dock")
        self.screen.click(x + w // 2, y + h // 2, button=3)
        wait_until(lambda: self.screen.top_level_windows(self.pid()), what="the menu to open")
        # from no selection Up wraps to Quit; then Open log, Settings…, Handoff history…
        self.screen.press("Up", "Up", "Up", "Up", "Return")
        wid = wait_until(self.history_window, what="the history window to open")
        self.screen.run("xdotool", "windowfocus", wid)
        return wid

    def history_window(self) -> str:
        for wid in self.screen.windows_of(self.pid()):
            top, viewable, _geometry = self.screen._geometry(wid)
            if not (top and viewable):
                continue
            title = self.screen.run("xdotool", "getwindowname", wid, check=False).strip()  # may vanish (a menu)
            if title.startswith("Handoff notes"):  # "Handoff notes — traystatus"
                return wid
        return ""


@pytest.fixture
def slack(slack_emulator_factory: Callable[..., SlackEmulator]) -> SlackEmulator:
    emu = slack_emulator_factory()  # on the real clock: the app runs on it too
    emu.add_token(TOKEN, scopes=tuple(s for s in SLACK_SCOPES if s != "chat:write"))
    return emu


@pytest.fixture
def tray(virtual_screen: VirtualScreen, isolated_home: Path, slack: SlackEmulator) -> Iterator[Tray]:
    t = Tray(virtual_screen, isolated_home, slack)
    t.launch()
    try:
        yield t
    finally:
        if t.proc is not None and t.proc.poll() is None:
            t.proc.terminate()
            t.proc.wait(timeout=10)


def slack_delivery(tray: Tray) -> DeliveryStatus | None:
    archive = SqliteNoteArchive.in_dir(tray.data_dir, read_only=True)
    try:
        found = archive.deliveries()
        return found[0].status if found else None
    finally:
        archive.close()


def test_history_window_closed_reopened_and_retry_posts_once(tray: Tray, slack: SlackEmulator, tmp_path: Path) -> None:
    wait_until(lambda: tray.screen.docked_icon(tray.pid()), timeout=60, what="the icon to dock")
    wait_until(
        lambda: slack.calls_to("users.profile.get") or slack.calls_to("users.setPresence"), timeout=60, what="a sync"
    )
    note = tmp_path / "note.md"
    note.write_text("# Done\nThe history window works & retries\n", encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "traystatus", "handoff", "--text-file", str(note)],
        env=tray.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 1 and "chat:write" in cli.stdout and "retry when fixed" in cli.stdout, cli.stdout
    assert slack.messages == []

    tray.open_history_from_the_menu()
    time.sleep(0.3)  # let the window draw the state it read (for the picture only)
    tray.screen.screenshot("tray-history-failed")
    tray.screen.press("Escape")
    wait_until(lambda: not tray.history_window(), what="the history window to close")

    slack.add_token(TOKEN, scopes=tuple(SLACK_SCOPES))  # the user added the scope and reinstalled the app
    tray.open_history_from_the_menu()
    tray.screen.press("alt+r")
    wait_until(lambda: slack.messages, what="the retried note to reach Slack")
    wait_until(lambda: slack_delivery(tray) is DeliveryStatus.SENT, what="the delivery to be recorded as sent")
    time.sleep(0.5)  # the window redraws from the worker's signal (for the picture only)
    tray.screen.screenshot("tray-history-retried")
    (posted,) = slack.messages
    assert "The history window works &amp; retries" in posted.text
    assert len(slack.calls_to("chat.postMessage")) == 2  # the refused one and the retry: nothing else
    log = tray.log()
    assert "Signal source has been deleted" not in log and "Traceback" not in log
