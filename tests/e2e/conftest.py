"""The real demo app (``python -m traystatus --demo``) on the virtual screen, for the tray's end-to-end tests."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.xvfb import ROOT, VirtualScreen

NULL_KEYRING = "keyring.backends.null.Keyring"


class RunningApp:
    def __init__(self, screen: VirtualScreen, home: Path, extra_env: dict[str, str] | None = None) -> None:
        self.screen = screen
        self.home = home
        self.state_dir = home / "state" / "traystatus" / "demo"
        self.output = home / "app-output.txt"
        self.proc: subprocess.Popen[bytes] | None = None
        self.extra_env = dict(extra_env or {})  # e.g. DBUS_SYSTEM_BUS_ADDRESS: a private bus as the system bus

    def env(self) -> dict[str, str]:
        env = {"HOME": str(self.home)}
        for var, sub in (
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_STATE_HOME", "state"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            env[var] = str(self.home / sub)
        env_all = self.screen.env(env)
        env_all.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no notification daemon: the tray's balloon is used
        env_all.update(self.extra_env)
        return env_all

    def launch(self) -> subprocess.Popen[bytes]:
        with self.output.open("ab") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "traystatus", "--demo"], env=self.env(), stdout=out, stderr=subprocess.STDOUT
            )

    def calls(self) -> list[dict[str, object]]:
        path = self.state_dir / "calls.json"
        try:
            return list(json.loads(path.read_text()))
        except (FileNotFoundError, json.JSONDecodeError):
            return []

    def log(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""


@contextlib.contextmanager
def running_app(screen: VirtualScreen, home: Path, extra_env: dict[str, str] | None = None) -> Iterator[RunningApp]:
    """The demo app launched in ``home`` (with ``extra_env`` on top of the isolation), terminated afterwards."""
    running = RunningApp(screen, home, extra_env)
    running.proc = running.launch()
    try:
        yield running
    finally:
        if running.proc.poll() is None:
            running.proc.terminate()
            running.proc.wait(timeout=10)


@pytest.fixture
def app(virtual_screen: VirtualScreen, tmp_path: Path) -> Iterator[RunningApp]:
    with running_app(virtual_screen, tmp_path) as running:
        yield running


def real_app_env(screen: VirtualScreen, home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the real (not demo) app in ``home``: this tree first on the path, no keyring, no
    session bus (no notification daemon: the tray's own balloon), ``extra`` on top."""
    base = {"HOME": str(home), "PYTHONPATH": str(ROOT), "PYTHON_KEYRING_BACKEND": NULL_KEYRING}
    env = screen.env({**base, **(extra or {})})
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


@contextlib.contextmanager
def launched_app(env: dict[str, str], home: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m traystatus`` with ``env``, its output in ``home/app-output.txt``; quit (SIGTERM) afterwards."""
    with (home / "app-output.txt").open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "traystatus"], env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
