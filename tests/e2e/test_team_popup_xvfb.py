"""The team clock on a virtual screen with a real tray host: a left click on the docked icon opens it next to
the icon, the slider follows mouse and keyboard, search filters, a click elsewhere closes it and stops the
minute tick, a second left click reopens it. At 100 % and 200 %, light and dark: nothing clipped, and the
overlap it paints (read from its pixels) is the core model's for teammates in Kolkata, Auckland and New York
across New York's DST change. Screenshots in test-artifacts/screenshots/team-popup-*.png.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.xvfb import ROOT, VirtualScreen, wait_until
from traystatus.adapters.config_toml import load_config_file
from traystatus.core.team import Person
from traystatus.core.team_timeline import timeline
from traystatus.core.world_clock import day_window

pytestmark = pytest.mark.xvfb

CONFIG = """\
timezone = "Europe/London"
working_hours = "mon-fri 09:00-17:30"
[team]
me_name = "You (London)"
[[team.people]]
name = "Nia Brooks"
timezone = "America/New_York"
team = "Backend"
[[team.people]]
name = "Priya Raman"
timezone = "Asia/Kolkata"
team = "Backend"
hours = "mon-fri 10:00-18:30"
[[team.people]]
name = "Bikash Thapa"
timezone = "Asia/Kathmandu"
team = "Apps"
[[team.people]]
name = "Aiko Tanaka"
timezone = "Asia/Tokyo"
team = "Apps"
[[team.people]]
name = "Hemi Tane"
timezone = "Pacific/Chatham"
[[team.people]]
name = "Lorde Howe"
timezone = "Australia/Lord_Howe"
"""


TEAM = """\
timezone = "Europe/London"
working_hours = "mon-sun 07:00-22:00"
[team]
me_name = "You (London)"
[[team.people]]
name = "Nia Brooks"
timezone = "America/New_York"
hours = "mon-sun 09:00-17:00"
[[team.people]]
name = "Priya Raman"
timezone = "Asia/Kolkata"
hours = "mon-fri 10:00-18:30"
[[team.people]]
name = "Hemi Tane"
timezone = "Pacific/Auckland"
hours = "mon-fri 07:00-16:00"
"""


class Harness:
    def __init__(self, screen: VirtualScreen, config: Path, env: dict[str, str] | None = None) -> None:
        self.screen = screen
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.team_popup_harness", str(config)],
            env=screen.env({"PYTHONPATH": str(ROOT), **(env or {})}),
            cwd=ROOT,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "ready"

    def state(self) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("state\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line.startswith("state "), line
        return dict(json.loads(line[6:]))

    def send(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        verb = command.split()[0]
        assert line.startswith(verb + " "), line
        return dict(json.loads(line[len(verb) + 1 :]))

    def click_icon(self) -> None:
        x, y, w, h = wait_until(lambda: self.screen.docked_icon(self.proc.pid), what="the icon to dock")
        self.screen.click(x + w // 2, y + h // 2)


@pytest.fixture
def harness(virtual_screen: VirtualScreen, tmp_path: Path) -> Iterator[Harness]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    h = Harness(virtual_screen, config)
    try:
        yield h
    finally:
        h.proc.kill()
        h.proc.wait(timeout=10)


def test_left_click_opens_the_team_clock_next_to_the_icon(harness: Harness) -> None:
    screen = harness.screen
    harness.click_icon()
    # the overlap and best slots are computed just after the first paint; they can re-flow the layout
    s = wait_until(lambda: (st := harness.state()).get("visible") and st["best"] and st, what="the popup to open")
    x, y, w, h = s["geometry"]
    ix, iy, iw, ih = s["icon"]
    assert iy < 40 and iy + ih <= y < iy + ih + 20, f"just below the icon in the top panel: {s}"
    assert x <= ix + iw // 2 <= x + w and x + w <= screen.width and y + h <= screen.height, s
    assert s["rows"][0] == ["You (London)", "15:07", "working"]
    local = {name: hhmm for name, hhmm, _ in s["rows"]}
    assert local["Nia Brooks"] == "11:07"  # EDT already, while London is still on GMT: 4 h, not 5
    assert local["Bikash Thapa"] == "20:52" and local["Hemi Tane"] == "04:52"
    assert local["Lorde Howe"] == "02:07"
    assert s["live"] and s["ticking"]
    screen.screenshot("team-popup")

    # the slider: a click on it, then the keyboard (15 min a step); every row follows
    sx, sy, sw, sh = s["slider_rect"]
    screen.click(sx + sw // 4, sy + sh // 2)
    moved = wait_until(lambda: not (st := harness.state())["live"] and st, what="the slider to move")
    screen.press("Right", "Right")
    after = wait_until(
        lambda: (st := harness.state())["slider"] == moved["slider"] + 2 and st, what="two keyboard steps"
    )
    assert after["visible"] and after["rows"] != s["rows"]
    me_time = after["rows"][0][1]
    hours, minutes = map(int, me_time.split(":"))
    assert hours * 60 + minutes == after["slider"] * 15 - 24 * 60  # the slider starts at yesterday 00:00
    nia = dict((n, t) for n, t, _ in after["rows"])["Nia Brooks"]
    assert (int(nia[:2]) - hours) % 24 == 20  # always four hours behind
    screen.screenshot("team-popup-slider")

    # search
    qx, qy, qw, qh = after["search_rect"]
    screen.click(qx + qw // 2, qy + qh // 2)
    screen.run("xdotool", "type", "--delay", "20", "kath")
    found = wait_until(lambda: len((st := harness.state())["rows"]) == 2 and st, what="the search to filter")
    assert [r[0] for r in found["rows"]] == ["You (London)", "Bikash Thapa"]
    screen.screenshot("team-popup-search")

    # a click elsewhere closes it, and the minute tick stops with it
    screen.click(60, screen.height - 60)
    closed = wait_until(lambda: not (st := harness.state())["visible"] and st, what="the popup to close")
    assert not closed["ticking"]
    harness.click_icon()
    wait_until(lambda: harness.state()["visible"], what="a second left click to reopen it")
    harness.click_icon()  # and a third closes it again
    wait_until(lambda: not harness.state()["visible"], what="the icon to toggle the popup")


def _spans(pairs: list[list[str]]) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in pairs]


@pytest.mark.parametrize(("scale", "theme"), [("1", "light"), ("2", "light"), ("1", "dark"), ("2", "dark")])
def test_overlap_on_screen_is_the_models_and_nothing_is_clipped(
    virtual_screen: VirtualScreen, tmp_path: Path, scale: str, theme: str
) -> None:
    """Sunday 8 March 2026: New York moved to EDT at 02:00, London has not; Auckland's Monday is our Sunday.
    The slider spans Saturday to Monday; each day's overlap lane, read back from its pixels, must be what the
    core computes here from the same config (and not empty where the clocks say it is not)."""
    config = tmp_path / "config.toml"
    config.write_text(TEAM, encoding="utf-8")
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    london = ZoneInfo("Europe/London")
    env = {
        "QT_SCALE_FACTOR": scale,
        "TEAM_NOW": "2026-03-08T12:00:00+00:00",
        "TEAM_DARK": "1" if theme == "dark" else "",
    }
    h = Harness(virtual_screen, config, env)
    try:
        opened = h.send("open")
        assert opened["visible"]
        state = wait_until(lambda: "Best" in (st := h.send("check"))["best"] and st, what="the best slots")
        assert state["ratio"] == float(scale) and state["problems"] == [], state["problems"]
        name = "team-popup-timeline" + ("-200pct" if scale == "2" else "") + ("-dark" if theme == "dark" else "")
        virtual_screen.screenshot(name)
        people = {p.name: p for p in settings.team.people}
        me = Person(name=settings.team.me_name, tz=settings.timezone, hours=settings.hours)
        seen_nonempty = 0
        for picked in (["Nia Brooks"], ["Priya Raman"], ["Hemi Tane"], ["Nia Brooks", "Hemi Tane"], list(people)):
            h.send("pick " + ",".join(picked))
            h.send("home")
            for offset in range(3):
                day = date(2026, 3, 7) + timedelta(days=offset)
                got = h.send("check")
                assert got["day"] == day.isoformat() and got["problems"] == [], got
                s, e = day_window(day, london)
                model = [
                    (max(a, s), min(b, e))
                    for a, b in timeline(me, [people[n] for n in picked], day, london).overlap
                    if a < e and b > s
                ]
                assert _spans(got["painted"]) == _spans(got["overlap"]) == model, (picked, day, got)
                seen_nonempty += bool(model)
                if picked == ["Nia Brooks"] and offset < 2:  # the DST change shows: 14:00 on Saturday, 13:00 on Sunday
                    assert ["14:00–22:00", "13:00–21:00"][offset] in got["overlap_text"], got["overlap_text"]
                if picked == ["Hemi Tane"] and offset == 1:  # Auckland's Monday 07:00 is our Sunday 18:00
                    assert "18:00–22:00" in got["overlap_text"], got["overlap_text"]
                h.send("hours 24")
        assert seen_nonempty >= 7
        h.send("pick Nia Brooks,Hemi Tane")
        h.send("home")
        h.send("hours 30")  # Sunday 06:00: the bars show the Sunday overlap
        h.send("shot " + name + "-picked")
        virtual_screen.screenshot(name + "-picked-screen")
    finally:
        h.proc.kill()
        h.proc.wait(timeout=10)
