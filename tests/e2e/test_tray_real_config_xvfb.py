"""The real tray app on a user's own configuration (not the demo) on Xvfb + trayer: a local calendar with a
meeting now, a Slack account through the headless variables pointing at the Slack emulator, and a Matrix
account in the config whose token is missing. The icon docks, Slack shows the meeting, the missing token is
told in the menu with its fix (the rest keeps working), and "Do not disturb for 1 h" snoozes Slack.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import launched_app, real_app_env
from tests.fixtures.xvfb import ROOT, VirtualScreen, wait_until
from tests.slack_emulator import SlackEmulator

pytestmark = pytest.mark.xvfb


def calendar(now: datetime) -> str:
    start, end = now - timedelta(minutes=30), now + timedelta(hours=2)
    stamp = "%Y%m%dT%H%M%SZ"
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus tests//EN\r\nBEGIN:VEVENT\r\nUID:m1@test\r\n"
        f"DTSTAMP:{start:{stamp}}\r\nDTSTART:{start:{stamp}}\r\nDTEND:{end:{stamp}}\r\n"
        f"SUMMARY:Quarterly planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


@pytest.fixture
def slack(slack_emulator_factory: Callable[..., SlackEmulator]) -> SlackEmulator:
    return slack_emulator_factory()  # on the real clock: the app runs on it too


@pytest.fixture
def app(virtual_screen: VirtualScreen, isolated_home: Path, slack: SlackEmulator) -> Iterator[subprocess.Popen[bytes]]:
    now = datetime.now(UTC)
    (isolated_home / "work.ics").write_text(calendar(now), encoding="utf-8")
    config = isolated_home / "config" / "traystatus" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'''schema_version = 1
timezone = "UTC"
working_hours = "mon-sun 00:00-24:00"

[[calendars]]
name = "Work"
path = "{isolated_home / "work.ics"}"

[[accounts.matrix]]
user_id = "@me:matrix.invalid"
homeserver = "http://127.0.0.1:9"
''',
        encoding="utf-8",
    )
    env = real_app_env(
        virtual_screen,
        isolated_home,
        {"TRAYSTATUS_SLACK_TOKEN": slack.token, "TRAYSTATUS_SLACK_API_URL": slack.base_url},
    )
    try:
        with launched_app(env, isolated_home) as proc:
            yield proc
    finally:  # the app has quit: what it printed is complete
        log = (isolated_home / "app-output.txt").read_text(errors="replace")
        assert slack.token not in log, "the token never reaches the output"


def test_real_config_syncs_slack_and_names_the_missing_matrix_token(
    app: subprocess.Popen[bytes], virtual_screen: VirtualScreen, slack: SlackEmulator, isolated_home: Path
) -> None:
    screen = virtual_screen
    x, y, w, h = wait_until(
        lambda: app.poll() is None and screen.docked_icon(app.pid), timeout=60, what="the icon to dock"
    )
    text, emoji, _expiration = wait_until(
        lambda: slack.status()[0] and slack.status(), timeout=60, what="Slack to show the meeting"
    )
    assert (text, emoji) == ("In a meeting", ":spiral_calendar_pad:")
    assert "Quarterly planning" not in text, "titles stay private unless the user opts in"

    log = isolated_home / "state" / "traystatus" / "log" / "traystatus.log"
    told = wait_until(
        lambda: (
            log.exists()
            and [line for line in log.read_text().splitlines() if "telling the user: traystatus needs you" in line]
        ),
        what="the missing Matrix token to be told",
    )
    assert "Matrix" in told[0] and "reconnect in Settings" in told[0], told
    balloon = wait_until(lambda: screen.top_level_windows(app.pid), what="the tray's own message (no daemon)")
    screen.screenshot("tray-real-config-needs-you")
    screen.click(balloon[0][0] + 10, balloon[0][1] + 10)  # a click dismisses it
    wait_until(lambda: not screen.top_level_windows(app.pid), what="the message to close")

    screen.click(x + w // 2, y + h // 2, button=3)
    menu = wait_until(lambda: screen.top_level_windows(app.pid), what="the menu to open")[0]
    screen.screenshot("tray-real-config-menu")
    assert menu[3] > 100
    # Down from no selection: the first enabled entry is "Do not disturb for 30 min", then "… for 1 h"
    before = time.time()
    screen.press("Down", "Down", "Return")
    end = wait_until(lambda: slack.snooze_end(), what="Slack's Do Not Disturb snooze")
    assert before + 55 * 60 <= end <= before + 65 * 60
    assert app.poll() is None


def test_first_start_without_a_config_offers_the_setup(virtual_screen: VirtualScreen, isolated_home: Path) -> None:
    """No config.toml yet: the icon docks (saying so in its menu) and the first-run setup opens by itself."""
    screen = virtual_screen
    env = virtual_screen.env({"HOME": str(isolated_home), "PYTHONPATH": str(ROOT)})
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    for var in ("TRAYSTATUS_SLACK_TOKEN", "TRAYSTATUS_MATRIX_TOKEN", "TRAYSTATUS_CONFIG"):
        env.pop(var, None)
    output = isolated_home / "app-output.txt"
    with output.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "traystatus"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until(lambda: proc.poll() is None and screen.docked_icon(proc.pid), timeout=60, what="the icon to dock")
        wizard = wait_until(
            lambda: [g for g in screen.top_level_windows(proc.pid) if g[2] >= 400 and g[3] >= 300],
            timeout=60,
            what=f"the first-run setup to open ({output.read_text(errors='replace')})",
        )
        assert len(wizard) == 1
        screen.screenshot("tray-first-run-setup")
        assert not (isolated_home / "config" / "traystatus" / "config.toml").exists(), "nothing written unasked"
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0 or proc.returncode == -15
