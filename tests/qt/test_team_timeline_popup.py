"""The team clock's shared timeline in the popup: days ahead with the keyboard, the people picker, columns that
line up, the overlap lane as painted (read back from the pixels) against the core model for Kolkata (+5:30),
Auckland (across the date line) and New York across its DST change, and colours that work in a dark theme."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.fixtures.xvfb import SCREENSHOTS
from tests.qt.team_pixels import contrast
from tests.qt.team_pixels import painted_overlap as read_overlap
from tests.qt.test_settings_theme import DARK
from traystatus.core.hours import parse_hours
from traystatus.core.team import Person
from traystatus.core.team_timeline import timeline
from traystatus.core.world_clock import Row, day_window, row_for
from traystatus.qt.team_colors import TimelineColors
from traystatus.qt.team_delegate import timeline_x, zone_line
from traystatus.qt.team_popup import MAX_DAYS, TeamPopup
from traystatus.qt.team_view import ROW_ROLE

LONDON = ZoneInfo("Europe/London")
QUARTER = timedelta(minutes=15)
ME = Person(name="You", tz=LONDON, hours=parse_hours("mon-sun 07:00-22:00"))
NIA = Person(name="Nia", tz=ZoneInfo("America/New_York"), hours=parse_hours("mon-sun 09:00-17:00"))
PRIYA = Person(name="Priya", tz=ZoneInfo("Asia/Kolkata"), hours=parse_hours("mon-fri 10:00-18:30"))
HEMI = Person(name="Hemi", tz=ZoneInfo("Pacific/Auckland"), hours=parse_hours("mon-fri 07:00-16:00"))
TEAM = [NIA, PRIYA, HEMI]


class Clock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def open_popup(qtbot: QtBot, now: datetime, people: list[Person] = TEAM) -> TeamPopup:
    p = TeamPopup(me=ME, people=people, now=Clock(now))
    qtbot.addWidget(p)
    p.popup_at()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: bool(p.best_label.text()))
    return p


def entry_of(p: TeamPopup, name: str) -> int:
    for i in range(p.model.rowCount()):
        row = p.model.index(i).data(ROW_ROLE)
        if isinstance(row, Row) and row.name == name:
            return i
    raise AssertionError(name)


def pick_only(p: TeamPopup, qtbot: QtBot, names: list[str]) -> None:
    qtbot.mouseClick(p.none_button, Qt.MouseButton.LeftButton)
    for name in names:
        p.list.setCurrentIndex(p.model.index(entry_of(p, name)))
        qtbot.keyClick(p.list, Qt.Key.Key_Space)


def painted_overlap(p: TeamPopup) -> list[tuple[datetime, datetime]]:
    return read_overlap(p.axis)


def model_overlap(people: list[Person], day: date) -> list[tuple[datetime, datetime]]:
    """What the core says for your local ``day``: where you and ``people`` all work."""
    s, e = day_window(day, LONDON)
    return [(max(a, s), min(b, e)) for a, b in timeline(ME, people, day, LONDON).overlap if a < e and b > s]


def hhmm(spans: list[tuple[datetime, datetime]]) -> list[str]:
    return [f"{a.astimezone(LONDON):%a %H:%M}–{b.astimezone(LONDON):%H:%M}" for a, b in spans]


def test_ctrl_arrows_go_whole_days_and_keep_a_day_either_side(qtbot: QtBot) -> None:
    p = open_popup(qtbot, datetime(2026, 3, 10, 15, 7, tzinfo=UTC))
    start, end = p.window_span
    assert p.chosen_instant() - start >= timedelta(hours=24) and end - p.chosen_instant() >= timedelta(hours=24)
    p.slider.setFocus()
    for _ in range(19):  # to Sunday 29 March, the day London moves to BST
        qtbot.keyClick(p.slider, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert not p.live and p.chosen_instant() == datetime(2026, 3, 29, 14, 0, tzinfo=UTC)  # 15:00 BST: the wall clock
    start, end = p.window_span
    assert end - start == timedelta(hours=71)  # the window re-centres: a day either side again
    assert start.astimezone(LONDON).date() == date(2026, 3, 28)
    assert "Sun 29 15:00" in p.slider_label.text() and "+19 days" in p.slider_label.text()
    qtbot.mouseClick(p.prev_day, Qt.MouseButton.LeftButton)
    assert p.chosen_instant() == datetime(2026, 3, 28, 15, 0, tzinfo=UTC)
    for _ in range(MAX_DAYS + 5):
        qtbot.keyClick(p.slider, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert p.chosen_instant().astimezone(LONDON).date() == date(2026, 3, 10) + timedelta(days=MAX_DAYS)  # bounded
    qtbot.keyClick(p.slider, Qt.Key.Key_End)
    assert p.chosen_instant() == p.window_span[1] - QUARTER


def test_the_picker_by_mouse_and_the_overlap_it_gives(qtbot: QtBot) -> None:
    p = open_popup(qtbot, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))  # a Tuesday
    qtbot.mouseClick(p.none_button, Qt.MouseButton.LeftButton)
    assert p.model.chosen_people() == [] and "pick someone first" in p.best_label.text()
    rect = p.list.visualRect(p.model.index(entry_of(p, "Priya")))
    x, w = p.delegate.columns(rect.width()).check
    qtbot.mouseClick(
        p.list.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + x + w // 2, rect.center().y())
    )
    assert p.model.chosen_people() == [PRIYA]
    assert "(you + 1, Tue 10 Mar): 07:00–13:00" in p.overlap_label.text()  # 10:00-18:30 IST is 04:30-13:00 UTC
    assert p.best and all(s.available == ("You", "Priya") for s in p.best)
    qtbot.mouseClick(p.all_button, Qt.MouseButton.LeftButton)
    assert (
        p.model.chosen_people() == TEAM and "(everyone, Tue 10 Mar): no hour when all 4 work" in p.overlap_label.text()
    )
    assert all("Hemi" in s.missing or "Priya" in s.missing for s in p.best) and "missing" in p.best_label.text()


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        # New York moves to EDT at 02:00 on Sunday 8 March: Saturday 14:00-22:00 in London, then 13:00-21:00
        (["Nia"], {7: ["Sat 14:00–22:00"], 8: ["Sun 13:00–21:00"], 9: ["Mon 13:00–21:00"]}),
        # Kolkata, +5:30: 10:00-18:30 there is 04:30-13:00 here, cut by your 07:00; no weekend
        (["Priya"], {7: [], 8: [], 9: ["Mon 07:00–13:00"]}),
        # Auckland, +13 and across the date line: their Monday 07:00 is your Sunday 18:00
        (["Hemi"], {7: [], 8: ["Sun 18:00–22:00"], 9: ["Mon 18:00–22:00"]}),
        (["Nia", "Hemi"], {7: [], 8: ["Sun 18:00–21:00"], 9: ["Mon 18:00–21:00"]}),
        (["Nia", "Priya", "Hemi"], {7: [], 8: [], 9: []}),
    ],
)
def test_the_overlap_painted_is_the_models(qtbot: QtBot, picked: list[str], expected: dict[int, list[str]]) -> None:
    p = open_popup(qtbot, datetime(2026, 3, 8, 12, 0, tzinfo=UTC))  # Sunday; the slider spans Sat 7 to Mon 9
    pick_only(p, qtbot, picked)
    people = [x for x in TEAM if x.name in picked]
    p.slider.setFocus()
    qtbot.keyClick(p.slider, Qt.Key.Key_Home)
    for day in (7, 8, 9):
        assert p.chosen_instant().astimezone(LONDON).day == day
        painted = painted_overlap(p)
        assert painted == p.overlap == model_overlap(people, date(2026, 3, day)), day
        assert hhmm(painted) == expected[day]
        for _ in range(24):
            qtbot.keyClick(p.slider, Qt.Key.Key_PageUp)  # a day on, an hour at a time


def test_columns_line_up_and_hold_their_text(qtbot: QtBot) -> None:
    people = [*TEAM, Person(name="A very long name indeed, much too long for the column", tz=ZoneInfo("Asia/Tokyo"))]
    p = open_popup(qtbot, datetime(2026, 3, 10, 23, 30, tzinfo=UTC), people)
    viewport = p.list.viewport()
    cols = p.delegate.columns(viewport.width())
    big, small = QFont(), QFont()
    big.setPointSizeF(big.pointSizeF() * 1.25)
    big.setBold(True)
    small.setPointSizeF(max(small.pointSizeF() * 0.85, 7.0))
    for i in range(p.model.rowCount()):
        rect = p.list.visualRect(p.model.index(i))
        assert rect.left() == 0 and rect.width() == viewport.width()  # same width, so the same columns
        row = p.model.index(i).data(ROW_ROLE)
        if isinstance(row, Row):
            assert QFontMetrics(big).horizontalAdvance(f"{row.local:%H:%M}") <= cols.time[1]
            assert QFontMetrics(small).horizontalAdvance(row.date_hint) <= cols.time[1]
    parts = [cols.check, cols.avatar, cols.name, cols.time, cols.badge, cols.bar]
    assert all(a[0] + a[1] <= b[0] for a, b in pairwise(parts))  # in order, none overlapping
    assert cols.bar[0] + cols.bar[1] <= viewport.width() and cols.name[1] >= 60
    assert p.axis.lane_rect.left() == p.axis.mapFrom(p, viewport.mapTo(p, QPoint(cols.bar[0], 0))).x()
    for a, b in pairwise(p.axis.label_rects):
        assert a.right() < b.left()  # labels never overlap …
    assert all(r.left() >= 0 and r.right() <= p.axis.width() for r in p.axis.label_rects)  # … nor leave the axis


@pytest.fixture
def dark(qapp: QApplication) -> Iterator[None]:
    previous = qapp.palette()
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    qapp.setPalette(palette)
    try:
        yield
    finally:
        qapp.setPalette(previous)


@pytest.mark.usefixtures("dark")
def test_dark_theme_colours(qtbot: QtBot) -> None:
    p = open_popup(qtbot, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    pick_only(p, qtbot, ["Priya"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    p.grab().save(str(SCREENSHOTS / "team-popup-dark-offscreen.png"))
    colors = TimelineColors.for_palette(p.palette())
    image = p.axis.grab().toImage()
    lane = p.axis.lane_rect
    track = QColor.fromRgb(image.pixel(int(lane.left()) + 2, int(lane.center().y())))  # 00:00, nobody works
    assert track.lightness() < 90, "the overlap lane stays light in a dark theme"
    assert painted_overlap(p) == model_overlap([PRIYA], date(2026, 3, 10))
    assert contrast(colors.overlap, track) >= 3 and contrast(colors.working, colors.track) >= 3
    assert contrast(colors.marker, colors.track) >= 3
    for badge in colors.badges.values():
        assert contrast(colors.badge_text, badge) >= 4.5


def test_a_click_on_the_timeline_picks_that_time(qtbot: QtBot) -> None:
    p = open_popup(qtbot, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    day = p.axis.day
    assert day is not None
    lane = p.axis.lane_rect
    x = timeline_x(datetime(2026, 3, 10, 18, 5, tzinfo=UTC), day, lane.left(), lane.width())
    qtbot.mouseClick(p.axis, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(lane.center().y())))
    assert not p.live and p.chosen_instant() == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # its quarter hour
    rect = p.list.visualRect(p.model.index(entry_of(p, "Nia")))
    bx, bw = p.delegate.columns(rect.width()).bar
    x = timeline_x(datetime(2026, 3, 10, 9, 40, tzinfo=UTC), day, bx, bw)
    qtbot.mouseClick(p.list.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(round(x), rect.center().y()))
    assert p.chosen_instant() == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert p.model.chosen_people() == TEAM  # a click on the bar picks a time, not a person


def test_at_midnight_a_live_clock_moves_its_window_and_a_chosen_time_stays(qtbot: QtBot) -> None:
    clock = Clock(datetime(2026, 3, 10, 23, 59, 30, tzinfo=UTC))
    p = TeamPopup(me=ME, people=TEAM, now=clock)
    qtbot.addWidget(p)
    p.popup_at()
    first = p.window_span
    clock.t += timedelta(minutes=1)  # 00:00:30 on Wednesday 11 in London
    p.tick.timeout.emit()
    assert p.live and p.window_span == (first[0] + timedelta(days=1), first[1] + timedelta(days=1))
    assert p.chosen_instant() == clock.t and p.axis.day == day_window(date(2026, 3, 11), LONDON)
    qtbot.keyClick(p.slider, Qt.Key.Key_Left)
    chosen = p.chosen_instant()
    clock.t += timedelta(days=1)
    p.tick.timeout.emit()
    assert not p.live and p.chosen_instant() == chosen


def test_with_no_teammates_it_says_where_to_add_them(qtbot: QtBot) -> None:
    p = open_popup(qtbot, datetime(2026, 3, 10, 12, 0, tzinfo=UTC), [])
    assert "Settings › Team" in p.overlap_label.text() and p.best == []
    assert not p.all_button.isEnabled() and not p.none_button.isEnabled()
    assert p.model.rowCount() == 1 and p.axis.day == day_window(date(2026, 3, 10), LONDON)  # your own bar still
    p.set_roster(ME, TEAM)
    assert p.all_button.isEnabled() and p.model.chosen_people() == TEAM


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_bars_shade_each_persons_night(qtbot: QtBot, qapp: QApplication, theme: str) -> None:
    previous = qapp.palette()
    if theme == "dark":
        palette = QPalette()
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        qapp.setPalette(palette)
    try:
        p = open_popup(qtbot, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))  # New York on EDT (-4)
        colors = TimelineColors.for_palette(p.list.palette())
        rect = p.list.visualRect(p.model.index(entry_of(p, "Nia")))
        bx, bw = p.delegate.columns(rect.width()).bar
        day = p.axis.day
        assert day is not None
        image = p.list.viewport().grab().toImage()

        def at_utc(hour: int) -> QColor:
            x = timeline_x(datetime(2026, 3, 10, hour, 0, tzinfo=UTC), day, bx, bw)
            return QColor.fromRgb(image.pixel(int(x), rect.center().y()))

        assert at_utc(4) == colors.night  # 00:00 in New York
        assert at_utc(23) == colors.track  # 19:00 there: evening, neither work nor night
        assert at_utc(15) == colors.working  # 11:00 there
        assert (colors.night.lightness() < colors.track.lightness()) and contrast(colors.night, colors.track) > 1.15
    finally:
        qapp.setPalette(previous)


def test_a_teams_header_picks_the_whole_team(qtbot: QtBot) -> None:
    backend = [
        Person(name=n, tz=ZoneInfo(z), teams=("Backend",)) for n, z in (("Ana", "Europe/Lisbon"), ("Ben", "Asia/Tokyo"))
    ]
    people = [*backend, Person(name="Cy", tz=ZoneInfo("America/Chicago"), teams=("Apps",))]
    p = open_popup(qtbot, datetime(2026, 3, 10, 12, 0, tzinfo=UTC), people)
    header = next(i for i in range(p.model.rowCount()) if p.model.header_at(i) == "Backend")
    rect = p.list.visualRect(p.model.index(header))
    x, w = p.delegate.columns(rect.width()).check
    click = QPoint(rect.left() + x + w // 2, rect.center().y())
    qtbot.mouseClick(p.list.viewport(), Qt.MouseButton.LeftButton, pos=click)
    assert p.model.chosen_people() == [people[2]] and p.model.header_state(header) == Qt.CheckState.Unchecked
    p.list.setCurrentIndex(p.model.index(entry_of(p, "Ben")))
    qtbot.keyClick(p.list, Qt.Key.Key_Space)
    assert p.model.header_state(header) == Qt.CheckState.PartiallyChecked
    qtbot.mouseClick(p.list.viewport(), Qt.MouseButton.LeftButton, pos=click)  # some in: all in
    assert p.model.chosen_people() == people and "(everyone," in p.overlap_label.text()


def test_arrows_past_either_end_move_the_window_on(qtbot: QtBot) -> None:
    p = open_popup(qtbot, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    p.slider.setFocus()
    qtbot.keyClick(p.slider, Qt.Key.Key_End)  # Wed 11 23:45
    first_end = p.window_span[1]
    qtbot.keyClick(p.slider, Qt.Key.Key_Right)
    assert p.chosen_instant() == first_end  # Thu 12 00:00 …
    assert p.window_span[0].astimezone(LONDON).date() == date(2026, 3, 11)  # … with a day either side again
    qtbot.keyClick(p.slider, Qt.Key.Key_Left)
    assert p.chosen_instant() == first_end - QUARTER  # an ordinary step back inside the new window
    qtbot.keyClick(p.slider, Qt.Key.Key_Home)  # Wed 11 00:00
    qtbot.keyClick(p.slider, Qt.Key.Key_PageDown)
    assert p.chosen_instant() == datetime(2026, 3, 10, 23, 0, tzinfo=UTC)  # an hour earlier: Tue 10 23:00
    assert p.window_span[0].astimezone(LONDON).date() == date(2026, 3, 9)


def test_names_are_shown_as_written_not_as_markup(qtbot: QtBot) -> None:
    eve = Person(name="<b>Eve</b> & <i>co", tz=LONDON)
    p = open_popup(qtbot, datetime(2026, 3, 10, 10, 0, tzinfo=UTC), [eve])
    qtbot.waitUntil(lambda: bool(p.best))
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; &lt;i&gt;co" in p.best_label.text()
    assert "<i>" not in p.best_label.text()


def test_the_zone_line_names_abbreviations_only_when_they_are_names() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    kathmandu = Person(name="B", tz=ZoneInfo("Asia/Kathmandu"))
    assert zone_line(row_for(kathmandu, ME, now)) == "Asia/Kathmandu · +5 h 45 min"  # not "+0545 · +5 h 45 min"
    assert zone_line(row_for(PRIYA, ME, now)) == "Asia/Kolkata · IST · +5 h 30 min"
    assert zone_line(row_for(ME, ME, now, is_me=True)) == "Europe/London · GMT"
