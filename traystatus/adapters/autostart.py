"""Start at login on/off: an XDG autostart ``.desktop`` on Linux, a LaunchAgent on macOS, the Run key on Windows."""

from __future__ import annotations

import contextlib
import logging
import os
import plistlib
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from traystatus.adapters.private_files import atomic_write
from traystatus.core.errors import TrayStatusError

log = logging.getLogger(__name__)

APP_ID = "traystatus"
LAUNCH_AGENT_LABEL = "org.traystatus.traystatus"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def default_command() -> list[str]:
    """How to start this installation: the bundled executable, or this interpreter with ``-m traystatus``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "traystatus"]


class Autostart:
    """Turns start-at-login on and off for the current user on this platform."""

    def __init__(
        self, *, platform: str = sys.platform, environ: Mapping[str, str] | None = None, home: Path | None = None
    ) -> None:
        self._platform = platform
        self._env = os.environ if environ is None else environ
        self._home = home or Path.home()

    def entry_path(self) -> Path:
        """The file that makes it start (Linux, macOS); on Windows a description of the registry value."""
        if self._platform == "darwin":
            return self._home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"
        if self._platform == "win32":
            return Path(f"HKCU\\{RUN_KEY}\\{APP_ID}")
        config = self._env.get("XDG_CONFIG_HOME") or str(self._home / ".config")
        return Path(config) / "autostart" / f"{APP_ID}.desktop"

    def is_enabled(self) -> bool:
        if self._platform == "win32":
            return self._win_read() is not None
        return self.entry_path().is_file()

    def set_enabled(self, enabled: bool, command: Sequence[str] | None = None) -> None:
        command = list(command or default_command())
        try:
            if self._platform == "win32":
                self._win_write(command if enabled else None)
            elif enabled:
                path = self.entry_path()
                text = self._plist(command) if self._platform == "darwin" else self._desktop(command).encode()
                atomic_write(path, text)
            else:
                self.entry_path().unlink(missing_ok=True)
        except OSError as e:
            raise TrayStatusError(
                "Could not change start at login",
                f"{self.entry_path()}: {e.strerror or e}. Check that the folder is writable.",
            ) from None
        log.info("start at login %s (%s)", "on" if enabled else "off", self.entry_path())

    @staticmethod
    def _desktop(command: Sequence[str]) -> str:
        exec_line = " ".join(_desktop_quote(a) for a in command)
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            "Name=traystatus\n"
            "Comment=Your availability from your calendars, on Slack and Matrix\n"
            f"Exec={exec_line}\n"
            "Icon=io.github.traystatus.TrayStatus\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n"
        )

    @staticmethod
    def _plist(command: Sequence[str]) -> bytes:
        return plistlib.dumps(
            {
                "Label": LAUNCH_AGENT_LABEL,
                "ProgramArguments": list(command),
                "RunAtLoad": True,
                "ProcessType": "Interactive",
            }
        )

    def _win_read(self) -> str | None:  # pragma: no cover - Windows only
        if sys.platform != "win32":  # winreg exists (and is type-checked) only there
            return None
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                return str(winreg.QueryValueEx(key, APP_ID)[0])
        except FileNotFoundError:
            return None

    def _win_write(self, command: Sequence[str] | None) -> None:  # pragma: no cover - Windows only
        import subprocess

        if sys.platform != "win32":
            raise OSError("the Windows registry exists only on Windows")
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            if command is None:
                with contextlib.suppress(FileNotFoundError):
                    winreg.DeleteValue(key, APP_ID)
            else:
                winreg.SetValueEx(key, APP_ID, 0, winreg.REG_SZ, subprocess.list2cmdline(list(command)))


def _desktop_quote(arg: str) -> str:
    """Quote one Exec argument per the Desktop Entry spec (reserved characters need double quotes)."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%"):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return f'"{escaped}"'.replace("%", "%%")
