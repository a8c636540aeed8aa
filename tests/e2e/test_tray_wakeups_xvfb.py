"""The tray runs the same background duties as `run --headless`: a handoff note stored by the CLI that Slack
would not take yet (429 with a Retry-After longer than the CLI waits) is delivered by the running tray app
within seconds of it being due, because the CLI pokes it. The real app on Xvfb + trayer, the Slack emulator
on the real clock, the other side checked (the emulator's messages)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import launched_app, real_app_env
from tests.fixtures.xvfb import ROOT, VirtualScreen, wait_until
from tests.slack_emulator import SlackEmulator

pytestmark = pytest.mark.xvfb

NOTE = "# Done\nShipped the runtime\n# Next / handed over to\nPriya: release 2.1\n"


@pytest.fixture
def slack(slack_emulator_factory: Callable[..., SlackEmulator]) -> SlackEmulator:
    return slack_emulator_factory()  # on the real clock: the app runs on it too


@pytest.fixture
def env(virtual_screen: VirtualScreen, isolated_home: Path, slack: SlackEmulator) -> dict[str, str]:
    config = isolated_home / "config" / "traystatus" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('schema_version = 1\ntimezone = "UTC"\nworking_hours = "mon-sun 00:00-24:00"\n')
    e = real_app_env(
        virtual_screen,
        isolated_home,
        {"TRAYSTATUS_SLACK_TOKEN": slack.token, "TRAYSTATUS_SLACK_API_URL": slack.base_url},
    )
    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        e.pop(var, None)
    return e


@pytest.fixture
def app(env: dict[str, str], isolated_home: Path) -> Iterator[subprocess.Popen[bytes]]:
    with launched_app(env, isolated_home) as proc:
        yield proc


def test_a_note_the_cli_left_is_delivered_by_the_running_tray(
    app: subprocess.Popen[bytes],
    env: dict[str, str],
    virtual_screen: VirtualScreen,
    slack: SlackEmulator,
    isolated_home: Path,
    tmp_path: Path,
) -> None:
    wait_until(lambda: app.poll() is None and virtual_screen.docked_icon(app.pid), timeout=60, what="the icon to dock")
    log = isolated_home / "state" / "traystatus" / "log" / "traystatus.log"

    def logged(text: str) -> bool:
        return log.exists() and text in log.read_text(errors="replace")

    wait_until(lambda: logged("handoff feature ready"), timeout=60, what="the tray's outbox worker to run")
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    # the CLI cannot reach Slack (nothing can have been posted): it leaves the note for the running service
    cli_env = {**env, "TRAYSTATUS_SLACK_API_URL": "http://127.0.0.1:9/api/"}
    command = ["handoff", "--text-file", str(note), "--to", "slack:#handoffs", "--no-sign-off"]
    cli = subprocess.run(
        [sys.executable, "-m", "traystatus", *command],
        env=cli_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 1 and "retrying at" in cli.stdout, cli.stdout + cli.stderr
    assert slack.messages == [], "nothing posted by the CLI"
    # due at the retry after the CLI's failed attempt; without the wake-up the tray would look in 15 minutes
    wait_until(lambda: slack.messages, timeout=60, what="the running tray to deliver the note")
    assert len(slack.messages) == 1 and "Shipped the runtime" in slack.messages[0].text
    assert logged("another traystatus process changed the handoff outbox")
    assert app.poll() is None
