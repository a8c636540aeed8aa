"""Benchmark: the team clock popup with 1,000 people — time to first paint and one slider step redrawn.

Each figure is printed next to a baseline measured in the same run: a plain QListWidget of 1,000 text
items (shown; and every item's text recomputed for a new time). Targets: shown ≤ 100 ms, step ≤ 33 ms.
Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_team_popup.py``
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the offscreen plugin warns on every show ("does not support raise()"): keep the figures readable
os.environ.setdefault("QT_LOGGING_RULES", "default.warning=false")

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QListWidget, QWidget

from traystatus.core.hours import parse_hours
from traystatus.core.team import Person
from traystatus.core.world_clock import row_for
from traystatus.qt.team_popup import TeamPopup

ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "America/Santiago",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Africa/Lagos",
    "America/Sao_Paulo",
]
HOURS = [parse_hours(s) for s in ("mon-fri 09:00-17:00", "mon-fri 08:00-12:00,13:00-17:30", "mon-sat 10:00-19:00")]
N = 1000
RUNS = 15
STEPS = 60
NOW = datetime(2026, 3, 10, 15, 7, tzinfo=UTC)


def roster(n: int) -> list[Person]:
    rnd = random.Random(42)
    first = ["Aiko", "Nia", "Priya", "Bikash", "Hemi", "Sam", "Olivia", "Lorde", "Kim", "Ravi", "Ana", "Jon"]
    last = ["Tanaka", "Brooks", "Raman", "Thapa", "Tane", "Rivera", "Hart", "Howe", "Park", "Cruz", "Berg"]
    return [
        Person(
            name=f"{rnd.choice(first)} {rnd.choice(last)} {i}",
            tz=ZoneInfo(rnd.choice(ZONES)),
            hours=rnd.choice(HOURS),
            teams=(f"Team {rnd.randrange(12):02d}",),
        )
        for i in range(n)
    ]


class FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False


def until_painted(app: QApplication, viewport: QWidget, show: Callable[[], None]) -> float:
    """Seconds from ``show()`` to the first paint of ``viewport`` (the event loop spun meanwhile)."""
    probe = FirstPaint()
    viewport.installEventFilter(probe)
    t0 = time.perf_counter()
    show()
    deadline = t0 + 5
    while probe.at is None and time.perf_counter() < deadline:
        app.processEvents()
    viewport.removeEventFilter(probe)
    assert probe.at is not None, "never painted"
    return probe.at - t0


def text_of(p: Person, me: Person, instant: datetime) -> str:
    r = row_for(p, me, instant)
    return f"{r.name}  {r.local:%H:%M} {r.date_hint}  {r.offset_label}  {r.badge}"


def main() -> None:
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    me = Person(name="You", tz=ZoneInfo("Europe/London"))
    people = roster(N)

    def now() -> datetime:
        return NOW

    shown, built, shown_base, overlap = [], [], [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        popup = TeamPopup(me=me, people=people, now=now)
        built.append(time.perf_counter() - t0)
        paint = until_painted(app, popup.list.viewport(), popup.popup_at)
        shown.append(built[-1] + paint)
        t1 = time.perf_counter()
        popup.refresh_overlap()  # what the deferred timer runs just after the first paint
        overlap.append(time.perf_counter() - t1)
        popup.hide()
        popup.deleteLater()

        t0 = time.perf_counter()
        lw = QListWidget()
        lw.resize(440, 600)
        lw.addItems([text_of(p, me, NOW) for p in people])
        setup = time.perf_counter() - t0
        shown_base.append(setup + until_painted(app, lw.viewport(), lw.show))
        lw.hide()
        lw.deleteLater()
        app.processEvents()

    popup = TeamPopup(me=me, people=people, now=now)
    until_painted(app, popup.list.viewport(), popup.popup_at)
    app.processEvents()
    steps = []
    for i in range(STEPS):
        t0 = time.perf_counter()
        popup.slider.setValue((popup.slider.value() + 1) % popup.slider.maximum() if i else 20)
        popup.list.viewport().repaint()
        popup.axis.repaint()
        steps.append(time.perf_counter() - t0)
    assert not popup.live

    lw = QListWidget()
    lw.resize(440, 600)
    lw.addItems([text_of(p, me, NOW) for p in people])
    lw.show()
    app.processEvents()
    steps_base = []
    for i in range(STEPS):
        instant = NOW + timedelta(minutes=15 * i)
        t0 = time.perf_counter()
        for row, p in enumerate(people):
            lw.item(row).setText(text_of(p, me, instant))
        lw.viewport().repaint()
        steps_base.append(time.perf_counter() - t0)

    def ms(xs: list[float]) -> float:
        return statistics.median(xs) * 1000

    print(f"team popup, {N} people, medians of {RUNS} shows / {STEPS} slider steps (offscreen)")
    print(f"  popup shown (build + first paint): {ms(shown):7.1f} ms   target <= 100 ms [build {ms(built):.1f} ms]")
    print(f"  baseline QListWidget of {N} labels:  {ms(shown_base):7.1f} ms   ratio {ms(shown) / ms(shown_base):.2f}")
    print(f"  slider step redrawn:                {ms(steps):7.2f} ms   target <= 33 ms")
    print(f"  baseline: {N} labels re-texted:     {ms(steps_base):7.2f} ms   ratio {ms(steps) / ms(steps_base):.3f}")
    print(f"  overlap + best slots (after paint): {ms(overlap):7.1f} ms")


if __name__ == "__main__":
    main()
