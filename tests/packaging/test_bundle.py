"""The Linux bundle (`python packaging/build.py linux`), run with no Python beyond it: `--version`, a calendar
read with no system zone database, a login through the real Secret Service, and `--demo` docking in a real
tray. Its size and start times are reported next to the pipx (wheel) install's, measured in the same run."""

from __future__ import annotations

import json
import os
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.fixtures.secret_service import SecretServiceBus
from tests.fixtures.xvfb import VirtualScreen, wait_until
from tests.slack_emulator import SlackEmulator
from traystatus.app.cli import run

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "test-artifacts" / "reports" / "bundle.txt"
APP_ID = "io.github.traystatus.TrayStatus"

# A weekly series in a Windows zone name (icalendar maps it to IANA), one occurrence moved, one deleted,
# and a one-off in New York time: icalendar, recurring_ical_events and zoneinfo all have work to do.
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//traystatus bundle test//EN
BEGIN:VEVENT
UID:sync@bundle
DTSTAMP:20261101T000000Z
DTSTART;TZID=W. Europe Standard Time:20261123T100000
DTEND;TZID=W. Europe Standard Time:20261123T110000
RRULE:FREQ=DAILY;COUNT=5
EXDATE;TZID=W. Europe Standard Time:20261125T100000
SUMMARY:Sync
END:VEVENT
BEGIN:VEVENT
UID:sync@bundle
DTSTAMP:20261101T000000Z
RECURRENCE-ID;TZID=W. Europe Standard Time:20261124T100000
DTSTART;TZID=W. Europe Standard Time:20261124T140000
DTEND;TZID=W. Europe Standard Time:20261124T150000
SUMMARY:Sync (moved)
END:VEVENT
BEGIN:VEVENT
UID:call@bundle
DTSTAMP:20261101T000000Z
DTSTART;TZID=America/New_York:20261126T090000
DTEND;TZID=America/New_York:20261126T100000
SUMMARY:Call
END:VEVENT
END:VCALENDAR
"""


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """No venv, no PYTHONPATH, no project on PATH: only what a user's session would have."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        env[var] = str(home / sub)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def bundle(pipx_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundle once per run with the documented command (into a temporary dist/ and build/, so a
    developer's own dist/ is left alone); it writes the size/--version report."""
    REPORT.unlink(missing_ok=True)
    out = tmp_path_factory.mktemp("bundle")
    proc = subprocess.run(
        [
            sys.executable,
            "packaging/build.py",
            "linux",
            "--report",
            str(REPORT),
            "--wheel-venv",
            str(pipx_venv),
            "--dist",
            str(out / "dist"),
            "--build",
            str(out / "build"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"built {out / 'dist' / 'traystatus'}" in proc.stdout
    return out / "dist" / "traystatus"


def test_bundle_runs_version_without_the_project_python(bundle: Path, isolated_home: Path) -> None:
    from traystatus import __version__

    out = subprocess.run(
        [str(bundle / "traystatus"), "--version"],
        capture_output=True,
        text=True,
        env=bare_env(isolated_home),
        cwd="/",
        check=True,
    ).stdout
    assert out.strip() == f"traystatus {__version__}"
    # CLI commands never load Qt (PyInstaller's PySide6 runtime hook did, at every start): ask the loader
    loaded = subprocess.run(
        [str(bundle / "traystatus"), "--version"],
        capture_output=True,
        text=True,
        cwd="/",
        env=bare_env(isolated_home, LD_DEBUG="files"),
        check=True,
    ).stderr
    assert "libpython3" in loaded and "libQt6Core" not in loaded
    assert not (bundle / "_internal" / "traystatus" / "__init__.py").exists()  # code frozen, not copied
    share = bundle / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        png = (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
        assert struct.unpack(">II", png[16:24]) == (size, size)
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert os.access(bundle / "install-user.sh", os.X_OK)
    text = REPORT.read_text()
    assert "size:" in text and "start:" in text and "ratio" in text


def test_install_user_script(bundle: Path, tmp_path: Path) -> None:
    """install-user.sh: a working ~/.local/bin/traystatus, and a menu entry that starts it by absolute path."""
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(
        ["sh", str(bundle / "install-user.sh")],
        env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
        cwd="/",
        check=True,
        capture_output=True,
    )
    exe = home / ".local" / "opt" / "traystatus" / "traystatus"
    out = subprocess.run(
        [str(home / ".local" / "bin" / "traystatus"), "--version"],
        capture_output=True,
        text=True,
        env=bare_env(home),
        cwd="/",
        check=True,
    ).stdout
    assert out.startswith("traystatus ")
    share = home / ".local" / "share"
    entry = share / "applications" / f"{APP_ID}.desktop"
    lines = entry.read_text().splitlines()
    assert f"Exec={exe}" in lines and f"Exec={exe} settings" in lines
    proc = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (share / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()


def test_bundle_reads_calendars_without_a_system_zone_database(
    bundle: Path, tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PYTHONTZPATH="" hides /usr/share/zoneinfo: zones must come from the bundled tzdata (as on Windows)."""
    ics = tmp_path / "work.ics"
    ics.write_text(ICS.replace("\n", "\r\n"), encoding="utf-8")
    argv = [
        "plan",
        "--json",
        "--calendar",
        str(ics),
        "--tz",
        "Asia/Kolkata",
        "--from",
        "2026-11-23",
        "--days",
        "5",
        "--hours",
        "mon-sun 00:00-24:00",
    ]
    proc = subprocess.run(
        [str(bundle / "traystatus"), *argv],
        capture_output=True,
        text=True,
        cwd="/",
        env=bare_env(isolated_home, PYTHONTZPATH=""),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    frozen = json.loads(proc.stdout)
    assert run(argv) == 0  # the same command from the source tree
    assert frozen == json.loads(capsys.readouterr().out)
    meetings = {r["start"] for r in frozen if r["state"] == "meeting"}
    assert "2026-11-23T14:30:00+05:30" in meetings  # 10:00 in Berlin ("W. Europe Standard Time")
    assert "2026-11-24T18:30:00+05:30" in meetings and "2026-11-24T14:30:00+05:30" not in meetings  # moved
    assert "2026-11-25T14:30:00+05:30" not in meetings  # EXDATE
    assert "2026-11-26T19:30:00+05:30" in meetings  # 09:00 in New York


def test_bundle_logs_in_through_the_secret_service(
    bundle: Path,
    slack_emulator: SlackEmulator,
    secret_service: SecretServiceBus,
    os_keyring: KeyringBackend,
    tmp_path: Path,
    isolated_home: Path,
) -> None:
    """requests, keyring's entry-point backends, secretstorage/jeepney/cryptography, tomlkit: all frozen in."""
    config = tmp_path / "config.toml"
    env = bare_env(
        isolated_home, TRAYSTATUS_SLACK_API_URL=slack_emulator.base_url, DBUS_SESSION_BUS_ADDRESS=secret_service.address
    )
    proc = subprocess.run(
        [str(bundle / "traystatus"), "--config", str(config), "login", "slack", "--token-stdin"],
        input=slack_emulator.token + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SecretService" in proc.stdout and slack_emulator.token not in proc.stdout + proc.stderr
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") == slack_emulator.token
    assert 'team_id = "T0TRAYST"' in config.read_text()


def test_bundle_runs_headless_on_the_scheduler(bundle: Path, tmp_path: Path, isolated_home: Path) -> None:
    """`--demo run --headless`: APScheduler's date/interval triggers and thread pool (found through entry points
    in the bundled metadata) run a pass; SIGTERM stops it cleanly."""
    log = tmp_path / "headless.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(bundle / "traystatus"), "-v", "--demo", "run", "--headless"],
            cwd="/",
            env=bare_env(isolated_home),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(
                lambda: "Pass (start)" in log.read_text(errors="replace") or proc.poll() is not None,
                what="the first headless pass",
                timeout=30,
            )
            assert proc.poll() is None, log.read_text(errors="replace")
            proc.terminate()
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = log.read_text(errors="replace")
    assert "executed successfully" in text and "Traceback" not in text and "LookupError" not in text
    assert "Signal 15: stopping" in text and "Stopped" in text, text[-500:]


def icon_colours(screen: VirtualScreen, where: tuple[int, int, int, int], name: str) -> int:
    """How many distinct colours the docked icon shows (a blank or unpainted icon has one)."""
    shot = screen.screenshot(name)
    x, y, w, h = where
    out = subprocess.run(
        ["convert", str(shot), "-crop", f"{w}x{h}+{x}+{y}", "+repage", "-format", "%k", "info:"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip())


def start_demo_until_docked(
    exe: Path,
    screen: VirtualScreen,
    home: Path,
    while_docked: Callable[[tuple[int, int, int, int]], None] | None = None,
) -> float:
    """Seconds from launching ``exe --demo`` to its icon docked in the tray; calls ``while_docked(where)``
    while it runs, then stops the app."""
    env = screen.env(bare_env(home))
    for var in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"):
        env.pop(var, None)
    env["PATH"] = "/usr/bin:/bin"
    started = time.perf_counter()
    proc = subprocess.Popen([str(exe), "--demo"], env=env, cwd="/", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        where = wait_until(
            lambda: proc.poll() is not None or screen.docked_icon(proc.pid),
            what=f"the tray icon of {exe}",
            timeout=30,
            interval=0.02,
        )
        elapsed = time.perf_counter() - started
        assert proc.poll() is None, "the app exited before its icon docked"
        assert isinstance(where, tuple) and where[2] > 0 and where[3] > 0
        if while_docked is not None:
            while_docked(where)
    finally:
        proc.terminate()
        out = proc.communicate(timeout=10)[0].decode(errors="replace")
    assert "Traceback" not in out, out
    return elapsed


@pytest.mark.xvfb
def test_bundle_demo_docks_in_the_tray(
    bundle: Path, pipx_venv: Path, virtual_screen: VirtualScreen, tmp_path: Path
) -> None:
    """The demo starts from the bundle; launch → docked icon is measured against the wheel install, alternating."""
    runs: dict[str, list[float]] = {"bundle": [], "wheel": []}
    exes = {"bundle": bundle / "traystatus", "wheel": pipx_venv / "bin" / "traystatus"}
    colours: list[int] = []

    def painted(where: tuple[int, int, int, int]) -> None:  # the bundled SVG icon engine drew the state icon
        def count() -> int:
            n = icon_colours(virtual_screen, where, "bundle-demo-tray")
            return n if n > 2 else 0

        colours.append(wait_until(count, what="the bundle's tray icon to be painted"))

    for i in range(3):
        for name, exe in exes.items():
            check = painted if name == "bundle" and i == 0 else None
            runs[name].append(start_demo_until_docked(exe, virtual_screen, tmp_path / f"{name}-{i}", check))
    assert len(colours) == 1 and colours[0] > 2  # checked once, while the first bundle run was docked
    b, w = statistics.median(runs["bundle"]), statistics.median(runs["wheel"])
    with REPORT.open("a", encoding="utf-8") as f:
        f.write(
            f"  demo:  bundle {b * 1000:7.0f} ms    wheel venv {w * 1000:7.0f} ms    ratio {b / w:.2f}"
            "   (launch → icon docked on Xvfb+trayer, median of 3, alternating)\n"
        )
