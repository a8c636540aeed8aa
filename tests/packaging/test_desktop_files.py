"""Linux desktop integration files pass the validators distributions run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
APP_ID = "io.github.traystatus.TrayStatus"


@pytest.mark.parametrize("name", [f"{APP_ID}.desktop", f"{APP_ID}-autostart.desktop"])
def test_desktop_entry_validates(name: str) -> None:
    proc = subprocess.run(["desktop-file-validate", str(LINUX / name)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error:" not in proc.stdout


def test_metainfo_validates() -> None:
    proc = subprocess.run(["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_menu_entry_and_metainfo_agree() -> None:
    desktop = (LINUX / f"{APP_ID}.desktop").read_text()
    metainfo = (LINUX / f"{APP_ID}.metainfo.xml").read_text()
    assert f"Icon={APP_ID}" in desktop
    assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in metainfo
    assert "<binary>traystatus</binary>" in metainfo
