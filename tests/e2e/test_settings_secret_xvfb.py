"""The settings window on a real X screen with a calendar kept in the (real) Secret Service and one whose
secret address an older config still holds: the Calendars page is photographed (the address shown redacted,
the reference by name) and only looking writes nothing: no migration happens without a save."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.e2e.test_settings_xvfb import _open, _settings_window
from tests.fixtures.xvfb import VirtualScreen

TOKEN = "private-5e5e5e5e7a7a7a7a9c9c"
CONFIG = f"""timezone = "Europe/Berlin"

[[calendars]]
name = "Google"
url = "https://calendar.google.com/calendar/ical/me%40gmail.com/{TOKEN}/basic.ics"

[[calendars]]
name = "Outlook"
url = "keyring:outlook"
"""


@pytest.mark.xvfb
def test_the_calendars_page_shows_no_secret_address(
    virtual_screen: VirtualScreen, isolated_home: Path, tmp_path: Path, os_keyring: KeyringBackend
) -> None:
    os_keyring.set_password("traystatus", "calendar:outlook", "https://outlook.office365.com/owa/calendar/x/y.ics")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    proc = _open(virtual_screen, isolated_home, config, "1")
    try:
        window = _settings_window(virtual_screen, proc.pid)
        virtual_screen.run("xdotool", "windowfocus", "--sync", window)
        virtual_screen.press("Down")  # Accounts → Calendars
        subprocess.run(["sleep", "0.5"], check=True)  # let the page paint before the photo
        shot = virtual_screen.screenshot("settings-calendars-secret-addresses")
        assert shot.stat().st_size > 0
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    assert TOKEN not in output
    assert config.read_text() == CONFIG  # looking is not a write: nothing moved
    assert os_keyring.get_password("traystatus", "calendar:google") is None
