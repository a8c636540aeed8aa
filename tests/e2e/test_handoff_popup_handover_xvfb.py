"""The standalone `traystatus handoff` popup (Xvfb) closed right after submitting, while Slack still asks it to
wait (429): the running `run --headless` service, told when the note was stored, posts it once when the wait
is over, not at its 15-minute idle look. Real processes, the Slack emulator (only login's scopes) on the real
clock. Screenshot: handoff-popup-handed-over.png."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fixtures.slack import login_scopes_only
from tests.fixtures.xvfb import ROOT, VirtualScreen, wait_until
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.core.outbox import DeliveryStatus, is_rate_limited

pytestmark = pytest.mark.xvfb

CONFIG = """\
timezone = "Europe/Berlin"
working_hours = "mon-fri 09:00-17:30"
[handoff]
destinations = ["slack:#handoffs"]
sign_off = false
prompt = false
"""
WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"


@pytest.fixture
def slack_emulator(slack_emulator_factory: Callable[..., SlackEmulator]) -> SlackEmulator:
    # on the real clock (the apps run on it: a call's time says which process made it), only login's scopes
    return login_scopes_only(slack_emulator_factory())


@pytest.fixture
def env(virtual_screen: VirtualScreen, isolated_home: Path, slack_emulator: SlackEmulator) -> dict[str, str]:
    e = virtual_screen.env(
        {
            "PYTHONPATH": str(ROOT),
            "TRAYSTATUS_SLACK_TOKEN": slack_emulator.token,
            "TRAYSTATUS_SLACK_API_URL": slack_emulator.base_url,
        }
    )
    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        e.pop(var, None)
    e.pop("DBUS_SESSION_BUS_ADDRESS", None)
    (isolated_home / "config.toml").write_text(CONFIG, encoding="utf-8")
    return e


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def headless(env: dict[str, str], isolated_home: Path, slack_emulator: SlackEmulator) -> Iterator[None]:
    config = str(isolated_home / "config.toml")
    with (isolated_home / "headless-output.txt").open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "traystatus", "--config", config, "run", "--headless", "--calendar", str(WORKDAY)],
            env={k: v for k, v in env.items() if k != "DISPLAY"},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(lambda: slack_emulator.calls_to("users.profile.get"), timeout=60, what="the service's first pass")
        yield
        assert proc.poll() is None, "the service must still run"
    finally:
        stop(proc)


def popup_window(screen: VirtualScreen, proc: subprocess.Popen[bytes]) -> str:
    if proc.poll() is not None:
        pytest.fail(f"the popup exited with {proc.returncode}")
    best = ("", 0)
    for wid in screen.windows_of(proc.pid):
        top, viewable, (_x, _y, w, h) = screen._geometry(wid)
        if top and viewable and w * h > best[1]:
            best = (wid, w * h)
    return best[0]


def test_a_popup_closed_while_slack_asks_to_wait_is_posted_by_the_service(
    virtual_screen: VirtualScreen,
    isolated_home: Path,
    env: dict[str, str],
    headless: None,
    slack_emulator: SlackEmulator,
) -> None:
    data_dir = isolated_home / "data" / "traystatus"
    # Slack's wait must outlast the popup's closing (the photo, Escape, a Qt process's exit: seconds on a loaded
    # machine), or the popup itself, still open, would post when it is over (or the service before it is gone)
    slack_emulator.inject("chat.postMessage", status=429, retry_after=20)
    popup = subprocess.Popen(
        [sys.executable, "-m", "traystatus", "--config", str(isolated_home / "config.toml"), "handoff"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wid = wait_until(lambda: popup_window(virtual_screen, popup), timeout=60, what="the popup to map")
        virtual_screen.run("xdotool", "windowfocus", wid)
        virtual_screen.run("xdotool", "type", "--delay", "15", "Handed over on close")
        virtual_screen.press("ctrl+Return")

        def waiting() -> bool:
            archive = SqliteNoteArchive.in_dir(data_dir, read_only=True)
            try:
                return any(is_rate_limited(d) for d in archive.deliveries())
            finally:
                archive.close()

        wait_until(waiting, timeout=30, what="Slack to ask the popup to wait")
        virtual_screen.screenshot("handoff-popup-handed-over")
        virtual_screen.press("Escape")  # the user closes it at once
        assert popup.wait(timeout=30) == 0
        closed_at = time.time()
    finally:
        stop(popup)
    # the service was told when the note was stored: it posts when Slack's wait is over
    wait_until(lambda: slack_emulator.messages, timeout=60, what="the service to post the note")
    (posted,) = slack_emulator.messages
    assert "Handed over on close" in posted.text

    def statuses() -> list[DeliveryStatus]:
        archive = SqliteNoteArchive.in_dir(data_dir, read_only=True)
        try:
            return [d.status for d in archive.deliveries()]
        finally:
            archive.close()

    # Slack has the message before the service has its reply and has stored "sent": wait for that too
    wait_until(lambda: statuses() == [DeliveryStatus.SENT], timeout=30, what="the archive to say the note was sent")
    assert statuses() == [DeliveryStatus.SENT]
    refused, accepted = slack_emulator.calls_to("chat.postMessage")  # the popup's refused one, the service's
    assert refused.http_status == 429 and accepted.at > closed_at  # posted after the popup was gone
