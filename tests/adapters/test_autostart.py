"""Start at login: the XDG autostart entry (validated by desktop-file-validate) and the macOS LaunchAgent."""

from __future__ import annotations

import plistlib
import shlex
import subprocess
from pathlib import Path

import pytest

from traystatus.adapters.autostart import Autostart, default_command


def test_linux_entry_goes_to_xdg_config_home_and_validates(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    a = Autostart(platform="linux", environ={"XDG_CONFIG_HOME": str(config)}, home=tmp_path)
    assert not a.is_enabled()
    command = ["/opt/my apps/python3", "-m", "traystatus"]
    a.set_enabled(True, command)
    path = config / "autostart" / "traystatus.desktop"
    assert a.entry_path() == path and a.is_enabled()
    text = path.read_text()
    exec_line = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert shlex.split(exec_line.removeprefix("Exec=")) == command
    proc = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    a.set_enabled(False)
    assert not path.exists() and not a.is_enabled()
    a.set_enabled(False)  # turning it off twice is fine


def test_linux_default_is_dot_config(tmp_path: Path) -> None:
    a = Autostart(platform="linux", environ={}, home=tmp_path)
    assert a.entry_path() == tmp_path / ".config" / "autostart" / "traystatus.desktop"


def test_real_environment_uses_the_isolated_xdg_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    a = Autostart(platform="linux")
    a.set_enabled(True)
    assert (tmp_path / "autostart" / "traystatus.desktop").is_file()
    assert default_command()[-2:] == ["-m", "traystatus"]


def test_macos_launch_agent(tmp_path: Path) -> None:
    a = Autostart(platform="darwin", home=tmp_path)
    a.set_enabled(True, ["/Applications/traystatus.app/Contents/MacOS/traystatus"])
    plist = plistlib.loads(a.entry_path().read_bytes())
    assert a.entry_path().parent == tmp_path / "Library" / "LaunchAgents"
    assert plist["RunAtLoad"] is True
    assert plist["ProgramArguments"] == ["/Applications/traystatus.app/Contents/MacOS/traystatus"]
    a.set_enabled(False)
    assert not a.is_enabled()


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    a = Autostart(platform="linux", environ={"XDG_CONFIG_HOME": str(blocker)}, home=tmp_path)
    with pytest.raises(Exception, match="Could not change start at login"):
        a.set_enabled(True, ["traystatus"])
