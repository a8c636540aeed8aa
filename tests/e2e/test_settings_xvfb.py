"""The settings window on a real X screen: opened with `traystatus settings`, walked with the keyboard,
each page photographed (also at 200 % scaling) into test-artifacts/screenshots/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.xvfb import VirtualScreen, wait_until

PAGES = ["accounts", "calendars", "working-hours", "status", "team", "handoff", "general"]


def _open(screen: VirtualScreen, home: Path, config: Path, scale: str) -> subprocess.Popen[bytes]:
    env = screen.env({
        "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
        "QT_SCALE_FACTOR": scale,
    })
    return subprocess.Popen([sys.executable, "-m", "traystatus", "--config", str(config), "settings"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.xvfb
@pytest.mark.parametrize("scale", ["1", "2"])
def test_settings_pages_on_a_virtual_screen(virtual_screen: VirtualScreen, isolated_home: Path,
                                            tmp_path: Path, scale: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\ntimezone = "America/New_York"\nworking_hours = "mon-fri 08:30-16:30"\n')
    proc = _open(virtual_screen, isolated_home, config, scale)
    try:
        window = wait_until(lambda: [w for w in virtual_screen.windows_of(proc.pid)
                                     if "traystatus settings" in virtual_screen.run(
                                         "xdotool", "getwindowname", w, check=False)],
                            what="the settings window", timeout=30)[0]
        virtual_screen.run("xdotool", "windowfocus", "--sync", window)
        geometry = virtual_screen.run("xdotool", "getwindowgeometry", window)
        size = geometry.split("Geometry:")[1].split()[0]
        width, height = (int(v) for v in size.split("x"))
        assert width <= virtual_screen.width and height <= virtual_screen.height  # fits, also at 200 %
        suffix = "" if scale == "1" else "-200pct"
        shots = []
        for i, page in enumerate(PAGES):
            if i:
                virtual_screen.press("Down")  # the page list has the focus: arrows walk the pages
            subprocess.run(["sleep", "0.3"], check=True)  # let the page paint before the photo
            shots.append(virtual_screen.screenshot(f"settings-{page}{suffix}"))
        sizes = {p.stat().st_size for p in shots}
        assert len(sizes) == len(PAGES), "every page looks different"
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert config.read_text().startswith("# mine")  # only looking changes nothing
