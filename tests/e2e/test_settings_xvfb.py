"""The settings window on a real X screen: opened with `traystatus settings` (or by the running app when
`traystatus settings` finds one), walked with the keyboard, each page photographed (also at 200 % scaling)
into test-artifacts/screenshots/, and measured: no page needs sideways scrolling, no widget is clipped."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.fixtures.xvfb import VirtualScreen, wait_until

PAGES = ["accounts", "calendars", "working-hours", "status", "team", "handoff", "general"]
CONFIG = """# mine
timezone = "America/New_York"
working_hours = "mon-fri 08:30-16:30"

[[accounts.slack]]
name = "Acme"
team_id = "T0ACME001"
user_id = "U0ME00001"

[[accounts.matrix]]
user_id = "@me:example.org"
homeserver = "https://matrix.example.org"
device_id = "DEVICEONE"
"""


@pytest.fixture
def connected(tmp_path: Path, os_keyring: KeyringBackend) -> Path:
    """A config with a Slack workspace and a Matrix account whose tokens are in the (real) Secret Service."""
    os_keyring.set_password("traystatus", "slack:T0ACME001:U0ME00001", "xoxp-screenshot-only")
    os_keyring.set_password(
        "traystatus",
        "matrix:@me:example.org",
        json.dumps({"access_token": "syt_screenshot_only", "refresh_token": None, "device_id": "DEVICEONE"}),
    )
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    return config


def _env(screen: VirtualScreen, home: Path, scale: str = "1") -> dict[str, str]:
    return screen.env(
        {
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_STATE_HOME": str(home / "state"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "QT_SCALE_FACTOR": scale,
        }
    )


def _open(screen: VirtualScreen, home: Path, config: Path, scale: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "traystatus", "--config", str(config), "settings"],
        env=_env(screen, home, scale),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _settings_window(screen: VirtualScreen, pid: int) -> str:
    return wait_until(
        lambda: [
            w
            for w in screen.windows_of(pid)
            if "traystatus settings" in screen.run("xdotool", "getwindowname", w, check=False)
        ],
        what="the settings window",
        timeout=30,
    )[0]


@pytest.mark.xvfb
@pytest.mark.parametrize("scale", ["1", "2"])
def test_settings_pages_on_a_virtual_screen(
    virtual_screen: VirtualScreen, isolated_home: Path, connected: Path, scale: str
) -> None:
    config = connected
    proc = _open(virtual_screen, isolated_home, config, scale)
    try:
        window = _settings_window(virtual_screen, proc.pid)
        virtual_screen.run("xdotool", "windowfocus", "--sync", window)
        geometry = virtual_screen.run("xdotool", "getwindowgeometry", window)
        size = geometry.split("Geometry:")[1].split()[0]
        width, height = (int(v) for v in size.split("x"))
        assert width <= virtual_screen.width and height <= virtual_screen.height  # fits, also at 200 %
        suffix = "" if scale == "1" else "-200pct"
        subprocess.run(["sleep", "1"], check=True)  # the Accounts list is read from the keyring on a worker
        seen: set[str] = set()
        for i, page in enumerate(PAGES):
            if i:
                virtual_screen.press("Down")  # the page list has the focus: arrows walk the pages
            subprocess.run(["sleep", "0.3"], check=True)  # let the page paint before the photo
            # on a loaded machine a page may paint later: photograph again until it is not a page already seen
            deadline = time.monotonic() + 10
            while True:
                digest = hashlib.sha256(virtual_screen.screenshot(f"settings-{page}{suffix}").read_bytes()).hexdigest()
                if digest not in seen or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            seen.add(digest)
        assert len(seen) == len(PAGES), "every page looks different"
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert config.read_text() == CONFIG  # only looking changes nothing


@pytest.mark.xvfb
@pytest.mark.parametrize("scale", ["1", "2"])
def test_every_page_fits_without_sideways_scrolling(
    virtual_screen: VirtualScreen, isolated_home: Path, connected: Path, scale: str
) -> None:
    """1024×768 at 200 % leaves a 512×384 logical screen: the pages wrap and stack instead of scrolling sideways."""
    prefix = "settings-layout" + ("" if scale == "1" else "-200pct")
    run = subprocess.run(
        [sys.executable, "-m", "tests.e2e.settings_layout_harness", str(connected), prefix],
        env=_env(virtual_screen, isolated_home, scale),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["ratio"] == float(scale)
    assert report["window"][0] <= report["screen"][0] and report["window"][1] <= report["screen"][1]
    assert len(report["pages"]) == len(PAGES)
    for title, page in report["pages"].items():
        assert page["sideways"] == 0, f"{title} needs sideways scrolling"
        assert page["problems"] == [], f"{title}: {page['problems']}"
        assert Path(page["shot"]).stat().st_size > 0
    # the Accounts page (and its photo) shows the connected accounts, read from the real Secret Service
    assert report["accounts"] == [
        "✓ Slack: Acme (T0ACME001) — token in the OS keyring",
        "✓ Matrix: @me:example.org on https://matrix.example.org — token in the OS keyring",
    ]


def _ics(path: Path) -> Path:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:fwd@t\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return path


@pytest.mark.xvfb
def test_settings_command_is_handed_to_the_running_app(
    virtual_screen: VirtualScreen, isolated_home: Path, tmp_path: Path
) -> None:
    """The real app runs on a real config (a local .ics calendar); `traystatus settings` asks it to show the
    window and exits; the window belongs to the running app."""
    config = tmp_path / "config.toml"
    ics = _ics(tmp_path / "me.ics")
    config.write_text(f'timezone = "Europe/Berlin"\n\n[[calendars]]\nname = "Me"\npath = "{ics}"\n')
    env = _env(virtual_screen, isolated_home)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no notification daemon: the tray's balloon is used
    output = tmp_path / "app-output.txt"
    with output.open("wb") as out:
        app = subprocess.Popen(
            [sys.executable, "-m", "traystatus", "--config", str(config)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_until(lambda: virtual_screen.docked_icon(app.pid), what="the icon to dock", timeout=30)
        assert not [
            w
            for w in virtual_screen.windows_of(app.pid)
            if "traystatus settings" in virtual_screen.run("xdotool", "getwindowname", w, check=False)
        ]
        second = subprocess.run(
            [sys.executable, "-m", "traystatus", "--config", str(config), "settings"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stdout + second.stderr
        assert "traystatus is running: it shows the settings window now." in second.stdout
        _settings_window(virtual_screen, app.pid)  # shown by the running app, not by the second launch
        subprocess.run(["sleep", "0.5"], check=True)
        virtual_screen.screenshot("settings-shown-by-the-running-app")
        assert app.poll() is None, output.read_text(errors="replace")
    finally:
        app.terminate()
        app.wait(timeout=10)


@pytest.mark.xvfb
@pytest.mark.parametrize(("scale", "theme"), [("1", "light"), ("2", "light"), ("1", "dark"), ("2", "dark")])
def test_first_run_on_a_virtual_screen_nothing_clipped(
    virtual_screen: VirtualScreen,
    isolated_home: Path,
    tmp_path: Path,
    os_keyring: KeyringBackend,
    scale: str,
    theme: str,
) -> None:
    """A new user's first run on a real X screen at 100 % and 200 %, light and dark: the system zone spelled
    Etc/UTC is accepted, Connect Slack guides to a token (and says why one is refused), a calendar file is
    tested, "new york" finds America/New_York, a lunch break is set and an overlap explained, the plan is in
    words; every screen is photographed and nothing is clipped or scrolls sideways."""
    config = tmp_path / "config.toml"
    prefix = "first-run" + ("-200pct" if scale == "2" else "") + ("-dark" if theme == "dark" else "")
    env = _env(virtual_screen, isolated_home, scale)
    env["FIRST_RUN_DARK"] = "1" if theme == "dark" else ""
    run = subprocess.run(
        [sys.executable, "-m", "tests.e2e.first_run_harness", str(config), str(_ics(tmp_path / "me.ics")), prefix],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert "error" not in report and "timed_out" not in report, report
    assert report["ratio"] == float(scale)
    screens = report["screens"]
    shots = [s for s in screens.values() if isinstance(s, dict)]
    assert len(shots) == 9
    for name, screen in screens.items():
        if isinstance(screen, dict):
            assert screen["problems"] == [], f"{name}: {screen['problems']}"
            assert screen["sideways"] == [], f"{name} scrolls sideways: {screen['sideways']}"
            assert screen["fits"], f"{name} is larger than the screen"
            assert Path(screen["shot"]).stat().st_size > 0
    assert screens["zone_prefilled_ok"] is True  # Etc/UTC, as the system spells it
    assert "xoxp-" in screens["slack_error"]
    assert screens["calendar_result"] == "1 event in the next 14 days"
    assert screens["zone_offered"][0] == "New York — America/New_York", screens["zone_offered"]
    assert Path(screens["zone_popup_shot"]).stat().st_size > 0
    assert screens["hours_error"].startswith("Tuesday: '09:00-12:30' and '12:00-17:30' overlap"), screens["hours_error"]
    assert screens["next_enabled_with_error"] is False
    plan = screens["plan_lines"]
    assert plan[0].startswith("Now  ") and all("Slack will show" in line for line in plan), plan
    saved = report["saved"]
    assert 'timezone = "America/New_York"' in saved
    assert 'working_hours = "mon-fri 09:00-12:30,13:30-17:30"' in saved
