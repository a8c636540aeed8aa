"""The team clock popup under pytest-qt: rows, slider (keyboard and mouse), search, overlap, Escape/focus loss, tick.
The timeline, the people picker, days ahead and the colours are in test_team_timeline_popup.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from traystatus.core.team import Person
from traystatus.core.world_clock import Badge, Row
from traystatus.qt.team_popup import TeamPopup
from traystatus.qt.team_view import HEADER_ROLE, ROW_ROLE


class FakeClock:
    def __init__(self, t: datetime) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t


ME = Person(name="You", tz=ZoneInfo("Europe/London"))
PEOPLE = [
    Person(name="Nia Brooks", tz=ZoneInfo("America/New_York"), teams=("Backend",)),
    Person(name="Aiko Tanaka", tz=ZoneInfo("Asia/Tokyo"), teams=("Apps",), avatar_url="https://x/aiko.png"),
    Person(name="Priya Raman", tz=ZoneInfo("Asia/Kolkata"), teams=("Backend",)),
    Person(name="Bikash Thapa", tz=ZoneInfo("Asia/Kathmandu"), teams=("Apps",)),
    Person(name="Hemi Tane", tz=ZoneInfo("Pacific/Chatham")),
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 10, 15, 7, 30, tzinfo=UTC))  # New York on EDT, London still on GMT


@pytest.fixture
def popup(qtbot: QtBot, clock: FakeClock) -> TeamPopup:
    p = TeamPopup(me=ME, people=PEOPLE, now=clock)
    qtbot.addWidget(p)
    p.popup_at()
    qtbot.waitExposed(p)
    return p


def rows_by_name(p: TeamPopup) -> dict[str, Row]:
    out = {}
    for i in range(p.model.rowCount()):
        row = p.model.index(i).data(ROW_ROLE)
        if isinstance(row, Row):
            out[row.name] = row
    return out


def test_rows_me_first_grouped_by_team(popup: TeamPopup) -> None:
    m = popup.model
    entries = [m.index(i).data(HEADER_ROLE) or m.index(i).data(ROW_ROLE).name for i in range(m.rowCount())]
    assert entries == [
        "You",
        "Apps",
        "Bikash Thapa",
        "Aiko Tanaka",
        "Backend",
        "Nia Brooks",
        "Priya Raman",
        "Others",
        "Hemi Tane",
    ]
    rows = rows_by_name(popup)
    assert rows["You"].is_me and rows["Nia Brooks"].offset_label == "-4 h"
    assert (rows["Nia Brooks"].local.hour, rows["Nia Brooks"].local.minute) == (11, 7)
    assert rows["Aiko Tanaka"].date_hint == "tomorrow" and rows["Aiko Tanaka"].badge is Badge.NIGHT
    assert rows["Hemi Tane"].offset_label == "+13 h 45 min"
    assert "now" in popup.title.text() and popup.live


def test_keyboard_slider_moves_every_row(popup: TeamPopup, qtbot: QtBot) -> None:
    popup.slider.setFocus()
    qtbot.keyClick(popup.slider, Qt.Key.Key_Home)  # yesterday 00:00 your time
    assert popup.chosen_instant() == datetime(2026, 3, 9, 0, 0, tzinfo=UTC)
    for _ in range(24 + 15):
        qtbot.keyClick(popup.slider, Qt.Key.Key_PageUp)  # +1 h each
    assert not popup.live and popup.slider.value() == 4 * (24 + 15)
    assert popup.chosen_instant() == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    rows = rows_by_name(popup)
    assert (rows["You"].local.hour, rows["You"].local.minute) == (15, 0)
    assert (rows["Nia Brooks"].local.hour, rows["Nia Brooks"].local.minute) == (11, 0)
    assert (rows["Priya Raman"].local.hour, rows["Priya Raman"].local.minute) == (20, 30)
    assert (rows["Bikash Thapa"].local.hour, rows["Bikash Thapa"].local.minute) == (20, 45)
    qtbot.keyClick(popup.slider, Qt.Key.Key_Right)  # +15 min
    assert (rows_by_name(popup)["Nia Brooks"].local.minute) == 15
    assert "15:15" in popup.slider_label.text() and "your time" in popup.title.text()
    assert popup.axis.marker == popup.model.marker == datetime(2026, 3, 10, 15, 15, tzinfo=UTC)
    qtbot.mouseClick(popup.now_button, Qt.MouseButton.LeftButton)
    assert popup.live and rows_by_name(popup)["Nia Brooks"].local.minute == 7


def test_mouse_drag_on_the_slider(popup: TeamPopup, qtbot: QtBot) -> None:
    slider = popup.slider
    start = slider.value()
    assert start == 4 * (24 + 15)  # 15:07 today rounds down to the 15:00 step; the window starts yesterday
    handle_x = int(slider.width() * start / slider.maximum())
    y = slider.height() // 2
    qtbot.mousePress(slider, Qt.MouseButton.LeftButton, pos=QPoint(handle_x, y))
    qtbot.mouseMove(slider, QPoint(slider.width() - 2, y))
    qtbot.mouseRelease(slider, Qt.MouseButton.LeftButton, pos=QPoint(slider.width() - 2, y))
    assert slider.value() > start + 20
    assert not popup.live
    chosen = popup.chosen_instant()
    assert rows_by_name(popup)["Nia Brooks"].local == chosen.astimezone(ZoneInfo("America/New_York"))


def test_search_filters_and_escape_clears_then_closes(popup: TeamPopup, qtbot: QtBot) -> None:
    qtbot.keyClicks(popup.search, "tokyo")
    assert list(rows_by_name(popup)) == ["You", "Aiko Tanaka"]
    popup.search.setText("backend")
    assert list(rows_by_name(popup)) == ["You", "Nia Brooks", "Priya Raman"]
    qtbot.keyClick(popup.search, Qt.Key.Key_Escape)
    assert popup.search.text() == "" and popup.isVisible() and len(rows_by_name(popup)) == 6
    qtbot.keyClick(popup.search, Qt.Key.Key_Escape)
    assert not popup.isVisible()


def test_escape_in_the_list_closes(popup: TeamPopup, qtbot: QtBot) -> None:
    qtbot.keyClick(popup.list, Qt.Key.Key_Escape)
    assert not popup.isVisible()


def test_click_elsewhere_closes(popup: TeamPopup, qtbot: QtBot) -> None:
    qtbot.mouseClick(popup, Qt.MouseButton.LeftButton, pos=QPoint(-20, -20))
    assert not popup.isVisible()


def test_focus_loss_closes(popup: TeamPopup) -> None:
    QApplication.sendEvent(popup, QEvent(QEvent.Type.WindowDeactivate))
    assert not popup.isVisible()


def test_ticks_only_while_visible_aligned_to_the_minute(popup: TeamPopup, clock: FakeClock, qtbot: QtBot) -> None:
    assert popup.tick.isActive() and popup.tick.parent() is popup
    assert 30_000 <= popup.tick.interval() <= 30_100  # 15:07:30 -> the next minute in 30 s
    clock.t += timedelta(seconds=31)
    popup.tick.timeout.emit()
    assert "15:08" in popup.title.text() and rows_by_name(popup)["Nia Brooks"].local.minute == 8
    assert 59_000 <= popup.tick.interval() <= 60_100
    popup.hide()
    assert not popup.tick.isActive()
    popup.popup_at()
    assert popup.tick.isActive()


def test_tick_keeps_a_chosen_time(popup: TeamPopup, clock: FakeClock, qtbot: QtBot) -> None:
    qtbot.keyClick(popup.slider, Qt.Key.Key_Right)
    chosen = popup.chosen_instant()
    clock.t += timedelta(minutes=1)
    popup.tick.timeout.emit()
    assert popup.chosen_instant() == chosen and not popup.live


def test_overlap_for_everyone_and_for_the_people_picked(popup: TeamPopup, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: bool(popup.best))
    assert popup.overlap == [] and "(everyone, Tue 10 Mar): no hour when all 6 work" in popup.overlap_label.text()
    assert all("You" in s.available and len(s.available) >= 2 for s in popup.best)  # never a slot only you attend
    assert all(f"{len(s.available)} of 6" in popup.best_label.text() for s in popup.best if s.missing)
    nia = next(
        i
        for i in range(popup.model.rowCount())
        if isinstance(popup.model.index(i).data(ROW_ROLE), Row)
        and popup.model.index(i).data(ROW_ROLE).name == "Nia Brooks"
    )
    qtbot.mouseClick(popup.none_button, Qt.MouseButton.LeftButton)
    assert popup.best == [] and "Tick the people" in popup.overlap_label.text()
    popup.list.setCurrentIndex(popup.model.index(nia))
    qtbot.keyClick(popup.list, Qt.Key.Key_Space)
    assert "(you + 1, Tue 10 Mar): 13:00–17:00" in popup.overlap_label.text()  # New York moved, London not yet
    assert popup.axis.spans == [(datetime(2026, 3, 10, 13, tzinfo=UTC), datetime(2026, 3, 10, 17, tzinfo=UTC))]
    assert popup.best[0].everyone and "everyone (2): you, Nia Brooks" in popup.best_label.text()


def test_new_roster_and_avatars(popup: TeamPopup, qtbot: QtBot) -> None:
    popup.set_roster(ME, [Person(name="Kiri", tz=ZoneInfo("Pacific/Kiritimati"))])
    assert list(rows_by_name(popup)) == ["You", "Kiri"]
    assert rows_by_name(popup)["Kiri"].offset_label == "+14 h"
    image = QImage(30, 30, QImage.Format.Format_ARGB32)
    image.fill(QColor("red"))
    popup.set_roster(ME, PEOPLE)
    popup.set_avatars({"https://x/aiko.png": image})
    shot = popup.grab().toImage()
    assert not shot.isNull() and shot.width() == popup.width()


def test_popup_at_stays_on_screen(qtbot: QtBot, clock: FakeClock) -> None:
    p = TeamPopup(me=ME, people=PEOPLE, now=clock)
    qtbot.addWidget(p)
    area = p.screen().availableGeometry()
    p.popup_at(QRect(area.right() - 10, area.top(), 22, 22))  # a tray icon in the top-right corner
    assert area.contains(p.geometry())
    assert p.geometry().top() >= area.top() + 22


def test_the_slider_stays_put_when_the_best_slots_arrive(qtbot: QtBot, clock: FakeClock) -> None:
    p = TeamPopup(
        me=ME,
        people=[*PEOPLE, *(Person(name=f"Extra {i}", tz=ZoneInfo("Pacific/Auckland")) for i in range(3))],
        now=clock,
    )
    qtbot.addWidget(p)
    p.popup_at()
    p.layout().activate()
    before = p.slider.geometry()
    assert not p.best  # computed after the first paint
    qtbot.waitUntil(lambda: bool(p.best))
    assert p.best_label.text().count("·") >= 4  # long lines: they wrap
    p.layout().activate()
    assert p.slider.geometry() == before


def test_each_rows_tooltip_says_where_the_hours_come_from(qtbot: QtBot, clock: FakeClock) -> None:
    from PySide6.QtCore import Qt

    from traystatus.core.team import CALENDAR_HOURS

    people = [Person(name="Aiko", tz=ZoneInfo("Asia/Tokyo"), hours_source=CALENDAR_HOURS), PEOPLE[0]]
    p = TeamPopup(me=ME, people=people, now=clock)
    qtbot.addWidget(p)
    tips = {}
    for i in range(p.model.rowCount()):
        row = p.model.index(i).data(ROW_ROLE)
        if isinstance(row, Row):
            tips[row.name] = p.model.index(i).data(Qt.ItemDataRole.ToolTipRole)
    assert tips["Aiko"] == (
        "Aiko · Asia/Tokyo\nTue 10: 09:00–17:00 JST (00:00–08:00 your time)"
        "\nworking hours from their calendar's availability"
    )
    assert tips["Nia Brooks"] == (
        "Nia Brooks · America/New_York\nTue 10: 09:00–17:00 EDT (13:00–21:00 your time)"
        "\nworking hours assumed: mon-fri 09:00-17:00"
    )


def test_the_overlap_axis_reads_as_clock_times(popup: TeamPopup) -> None:
    popup.refresh_overlap()
    popup.axis.repaint()
    texts = [text for _t, text in popup.axis.ticks]
    assert texts[0] == "Tue 10" and set(texts[1:]) <= {f"{h:02d}:00" for h in range(1, 24)} and len(texts) >= 4
