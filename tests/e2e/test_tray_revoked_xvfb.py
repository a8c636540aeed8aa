"""The real tray app on a user's own configuration on Xvfb + trayer, Slack through the headless variables at
the emulator: the token is revoked while it runs. The next pass (a menu choice) turns the menu's Slack line into
one short line with its fix; choosing it opens Settings on the Accounts page, which shows the revocation as the
sync found it — not a stale "✓ Slack" — without pressing Test; the chosen Do Not Disturb stays checked."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import launched_app, real_app_env
from tests.fixtures.xvfb import VirtualScreen, wait_until
from tests.slack_emulator import SlackEmulator
from traystatus.qt.icons import DEMO_BADGE

pytestmark = pytest.mark.xvfb

CONFIG = """schema_version = 1
timezone = "UTC"
working_hours = "mon-sun 00:00-24:00"

[[calendars]]
name = "Work"
path = "{calendar}"
"""
EMPTY = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus tests//EN\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def slack(slack_emulator_factory: Callable[..., SlackEmulator]) -> SlackEmulator:
    return slack_emulator_factory()  # on the real clock: the app runs on it too


@pytest.fixture
def app(virtual_screen: VirtualScreen, isolated_home: Path, slack: SlackEmulator) -> Iterator[subprocess.Popen[bytes]]:
    (isolated_home / "work.ics").write_text(EMPTY, encoding="utf-8")
    config = isolated_home / "config" / "traystatus" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG.format(calendar=isolated_home / "work.ics"), encoding="utf-8")
    env = real_app_env(
        virtual_screen,
        isolated_home,
        {"TRAYSTATUS_SLACK_TOKEN": slack.token, "TRAYSTATUS_SLACK_API_URL": slack.base_url},
    )
    try:
        with launched_app(env, isolated_home) as proc:
            yield proc
    finally:  # the app has quit: what it printed is complete
        output = (isolated_home / "app-output.txt").read_text(errors="replace")
        assert slack.token not in output, "the token never reaches the output"


def log_lines(home: Path, needle: str) -> list[str]:
    log = home / "state" / "traystatus" / "log" / "traystatus.log"
    return [line for line in log.read_text().splitlines() if needle in line] if log.exists() else []


def test_a_revoked_token_is_one_short_line_and_settings_shows_it_as_the_sync_found_it(
    app: subprocess.Popen[bytes], virtual_screen: VirtualScreen, slack: SlackEmulator, isolated_home: Path
) -> None:
    screen = virtual_screen
    x, y, w, h = wait_until(
        lambda: app.poll() is None and screen.docked_icon(app.pid), timeout=60, what="the icon to dock"
    )
    wait_until(
        lambda: slack.presence() == "auto" and slack.calls_to("users.setPresence"), timeout=60, what="a first pass"
    )
    shot = screen.screenshot("tray-real-docked")
    assert DEMO_BADGE not in screen.colours(shot, (x, y, w, h)), "only a demo's icon carries the badge"

    slack.revoke()
    screen.click(x + w // 2, y + h // 2, button=3)
    wait_until(lambda: screen.top_level_windows(app.pid), what="the menu to open")
    screen.press("Down", "Return")  # "Do not disturb for 30 min": a pass, refused with token_revoked
    told = wait_until(lambda: log_lines(isolated_home, "telling the user: traystatus needs you"), what="the alert")
    # the alert says it once, with the desktop's fix (no command line, no "Slack: Slack token revoked: …")
    assert told[0].endswith("needs you: Slack token revoked or invalid (token_revoked) — reconnect in Settings…")
    balloon = wait_until(lambda: screen.top_level_windows(app.pid), what="the tray's own message")
    screen.click(balloon[0][0] + 10, balloon[0][1] + 10)  # a click dismisses it
    wait_until(lambda: not screen.top_level_windows(app.pid), what="the message to close")

    screen.click(x + w // 2, y + h // 2, button=3)
    (menu,) = wait_until(lambda: screen.top_level_windows(app.pid), what="the menu to open again")
    screen.screenshot("tray-revoked-menu")
    # one short line per service: a raw error used to make this menu ~1,080 px wide
    assert menu[2] < 420, menu
    # from the bottom: Quit, Open log, Settings…, Handoff history…, Write handoff note…, Team clock…, then the
    # Slack line, the only enabled health line ("Slack: token revoked — Reconnect…")
    screen.press(*["Up"] * 7, "Return")
    wait_until(lambda: log_lines(isolated_home, "Accounts page: ⚠ Slack"), what="Settings on the Accounts page")
    window = wait_until(lambda: screen.top_level_windows(app.pid), what="the settings window")
    screen.screenshot("tray-revoked-settings")
    assert window[0][2] > 300
    listed = log_lines(isolated_home, "Accounts page:")
    assert not any("✓ Slack" in line for line in listed), listed  # never a stale "✓", not even before Test
    # once, in the window's words, with the fix for a token from the environment (no button can change it)
    assert listed[-1].count("Slack token revoked") == 1 and "a new token in TRAYSTATUS_SLACK_TOKEN" in listed[-1], (
        listed
    )


def test_a_settings_window_left_open_shows_the_revocation_the_sync_found(
    app: subprocess.Popen[bytes], virtual_screen: VirtualScreen, slack: SlackEmulator, isolated_home: Path
) -> None:
    screen = virtual_screen
    x, y, w, h = wait_until(
        lambda: app.poll() is None and screen.docked_icon(app.pid), timeout=60, what="the icon to dock"
    )
    wait_until(
        lambda: slack.presence() == "auto" and slack.calls_to("users.setPresence"), timeout=60, what="a first pass"
    )
    screen.click(x + w // 2, y + h // 2, button=3)
    wait_until(lambda: screen.top_level_windows(app.pid), what="the menu to open")
    screen.press("Up", "Up", "Up", "Return")  # from the bottom: Quit, Open log, Settings…
    wait_until(lambda: log_lines(isolated_home, "Accounts page: ✓ Slack"), what="Settings listing Slack as working")

    slack.revoke()
    seen = len(log_lines(isolated_home, "Accounts page:"))
    screen.click(x + w // 2, y + h // 2, button=3)
    wait_until(lambda: len(screen.top_level_windows(app.pid)) > 1, what="the menu beside the settings window")
    screen.press("Down", "Return")  # "Do not disturb for 30 min": a pass, refused with token_revoked
    # the window stays open, nobody presses Test: the running app's pass reaches it
    after = wait_until(
        lambda: [line for line in log_lines(isolated_home, "Accounts page:")[seen:] if "⚠ Slack" in line],
        what="the open Accounts page to list the revocation",
    )
    assert "Slack token revoked" in after[0], after
    screen.screenshot("tray-revoked-settings-left-open")
