"""Quitting the tray app while a calendar server trickles its answer a byte at a time: the menu's Quit and a
logout's SIGTERM both end the real app within seconds (the fetch in progress is cut off, not waited for up to
its 30-second deadline), cleanly: the exit code is 0, the log says why it stopped, the server sees the
connection closed, and the secret in the feed's address is in no log. Real app on Xvfb + trayer."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import launched_app, real_app_env
from tests.fixtures.http_feeds import FeedServer, Route
from tests.fixtures.xvfb import VirtualScreen, wait_until

pytestmark = pytest.mark.xvfb

SECRET = "5ecr3tqu1t"


@pytest.fixture
def trickling_app(
    virtual_screen: VirtualScreen, isolated_home: Path, feed_server: FeedServer, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    path = f"/quit/{request.node.callspec.id}/private-{SECRET}/basic.ics"
    feed_server.routes[path] = Route(trickle="body", body=b"BEGIN:VCALENDAR\r\n", trickle_every=0.2)
    config = isolated_home / "config" / "traystatus" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        'schema_version = 1\ntimezone = "UTC"\nworking_hours = "mon-sun 00:00-24:00"\n'
        f'[[calendars]]\nname = "Slow"\nurl = "{feed_server.url(path)}"\n'
    )
    config.chmod(0o600)  # it holds a secret address
    env = real_app_env(virtual_screen, isolated_home)
    for var in ("TRAYSTATUS_SLACK_TOKEN", "TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER"):
        env.pop(var, None)
    output = isolated_home / "app-output.txt"
    with launched_app(env, isolated_home) as proc:
        wait_until(
            lambda: proc.poll() is None and virtual_screen.docked_icon(proc.pid), timeout=60, what="the icon to dock"
        )
        wait_until(lambda: feed_server.trickling or proc.poll() is not None, timeout=60, what="the slow fetch")
        assert proc.poll() is None, output.read_text(errors="replace")
        time.sleep(1.0)  # well into the trickle: many reads, each within any per-read timeout
        yield proc, path


def _quit_and_time(proc: subprocess.Popen[bytes], how: str, screen: VirtualScreen) -> float:
    sent = time.monotonic()
    if how == "menu":
        x, y, w, h = wait_until(lambda: screen.docked_icon(proc.pid), what="the icon")
        screen.click(x + w // 2, y + h // 2, button=3)
        wait_until(lambda: screen.top_level_windows(proc.pid), what="the menu to open")
        sent = time.monotonic()
        screen.press("Up", "Return")  # from no selection, Up wraps to the last entry: Quit
    else:
        proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=40)  # the fetch's own deadline is 30 s: past it, the abort did not work
    return time.monotonic() - sent


@pytest.mark.parametrize("how", ["menu", "sigterm"])
def test_quit_cuts_off_a_trickling_fetch(
    trickling_app: tuple[subprocess.Popen[bytes], str],
    how: str,
    virtual_screen: VirtualScreen,
    feed_server: FeedServer,
    isolated_home: Path,
) -> None:
    proc, _path = trickling_app
    took = _quit_and_time(proc, how, virtual_screen)
    output = (isolated_home / "app-output.txt").read_text(errors="replace")
    assert proc.returncode == 0, output
    assert took < 10.0, f"quitting took {took:.1f} s while a fetch trickled"
    log = (isolated_home / "state" / "traystatus" / "log" / "traystatus.log").read_text(encoding="utf-8")
    if how == "sigterm":
        assert "SIGTERM received: traystatus is quitting" in log
    assert "Traceback" not in output + log
    assert SECRET not in output + log
    wait_until(lambda: feed_server.trickling == 0, timeout=30, what="the server to see the connection closed")
