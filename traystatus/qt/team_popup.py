"""The team clock popup: everyone's local time and working hours on one timeline, a time slider across three days
(yesterday, the day shown, tomorrow; Ctrl+←/→ a day more), who is picked for the overlap (a check box per person),
the hours everyone picked works, and the best meeting slots with who is in and who is missing.

Use (the tray opens it on a left click)::

    popup = TeamPopup(me=me, people=people, now=clock.now, meeting_minutes=30)
    popup.popup_at(tray.icon.geometry())   # show next to the icon (or popup_at() to centre it)
    popup.set_roster(me, people)           # after a roster import
    popup.set_avatars({url: QImage})       # optional pictures, keyed by Person.avatar_url

``now`` returns an aware UTC datetime. A frameless ``Qt.Popup``: it closes on Escape or a click elsewhere
(focus loss). It ticks only while shown, on the minute (a parented single-shot QTimer stopped on hide).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QHideEvent, QImage, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.team import Person
from traystatus.core.team_timeline import (
    clip,
    days_later,
    instant_at,
    overlap_words,
    slot_text,
    step_at,
    timeline,
    window,
)
from traystatus.core.world_clock import Interval, Span, best_slots, date_hint, day_window
from traystatus.qt.team_axis import TimelineAxis
from traystatus.qt.team_delegate import TeamDelegate
from traystatus.qt.team_view import TeamModel

MAX_DAYS = 28  # how far from today Ctrl+←/→ go
BEST_LINES = 3  # best slots listed
SIZE = (680, 680)  # the popup's size when the screen has room


class TeamPopup(QWidget):
    """Frameless popup of the team clock; dependencies arrive through the constructor."""

    def __init__(
        self,
        *,
        me: Person,
        people: Sequence[Person],
        now: Callable[[], datetime],
        meeting_minutes: int = 30,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("TeamPopup")
        self.setWindowTitle("Team clock")
        self._now = now
        self._me, self._people = me, tuple(people)
        self._meeting_minutes = meeting_minutes
        self._live = True  # showing "now" (the slider follows the clock) rather than a chosen time
        self._today: date | None = None  # your local date when the roster was last loaded
        self._anchor: date | None = None  # the middle day of the slider's window
        self._window: Interval | None = None
        self._shown_day: date | None = None  # your local day the bars show (the chosen instant's)
        self._window_overlap: list[Interval] = []  # where everyone picked works, over the whole window
        self.overlap: list[Interval] = []  # … on the day shown
        self.best: list[Span] = []
        self.tick = QTimer(self)  # the minute tick, running only while shown
        self.tick.setSingleShot(True)
        self.tick.timeout.connect(self._on_tick)
        self._overlap_pending = False
        self._deferred = QTimer(self)  # overlap and best slots, computed just after the list's first paint
        self._deferred.setSingleShot(True)
        self._deferred.setInterval(0)
        self._deferred.timeout.connect(self.refresh_overlap)

        self.title = QLabel()
        self.now_button = QPushButton("Now")
        self.now_button.setToolTip("Back to the current time")
        self.now_button.clicked.connect(self.reset_to_now)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search people, zones, teams…")
        self.search.setClearButtonEnabled(True)
        self.all_button = QPushButton("All")
        self.all_button.setToolTip("Pick everyone for the overlap and the best slots")
        self.none_button = QPushButton("None")
        self.none_button.setToolTip("Unpick everyone, then tick the people you want (click a box or press Space)")
        self.model = TeamModel(self)
        self.delegate = TeamDelegate(self.model, self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(200)
        self.axis = TimelineAxis(self._bar_span)
        self.prev_day = QToolButton()
        self.prev_day.setText("‹")
        self.prev_day.setToolTip("A day earlier (Ctrl+Left)")
        self.prev_day.setAccessibleName("A day earlier")
        self.next_day = QToolButton()
        self.next_day.setText("›")
        self.next_day.setToolTip("A day later (Ctrl+Right)")
        self.next_day.setAccessibleName("A day later")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(4)
        self.slider.setToolTip(
            "Pick a time from yesterday to tomorrow: every row shows what time it is for them then "
            "(arrow keys: 15 min, Page Up/Down: 1 h, Ctrl+arrows: a day; past either end the window moves on)"
        )
        self.slider.setAccessibleName("Time shown")
        self.slider_label = QLabel()
        bold = QFont(self.slider_label.font())
        bold.setBold(True)
        self.slider_label.setMinimumWidth(QFontMetrics(bold).horizontalAdvance("Wed 30 00:00 (yesterday)") + 6)
        self.overlap_label = QLabel()
        self.overlap_label.setWordWrap(True)
        self.best_label = QLabel()
        self.best_label.setWordWrap(True)
        # room for the title and two lines a slot from the start: the slots arrive after the first paint and must
        # not shift the slider under the mouse
        self.best_label.setMinimumHeight((2 * BEST_LINES + 1) * self.best_label.fontMetrics().lineSpacing() + 4)
        self.best_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.best_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.overlap_label.setMinimumHeight(2 * self.overlap_label.fontMetrics().lineSpacing())

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.now_button)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(QLabel("Pick:"))
        search_row.addWidget(self.all_button)
        search_row.addWidget(self.none_button)
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.prev_day)
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.next_day)
        slider_row.addWidget(self.slider_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(top)
        layout.addLayout(search_row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.axis)
        layout.addLayout(slider_row)
        layout.addWidget(self.overlap_label)
        layout.addWidget(self.best_label)
        self.resize(*SIZE)

        self.search.textChanged.connect(self.model.set_filter)
        self.slider.valueChanged.connect(self._on_slider)
        self.model.chosen_changed.connect(self.refresh_overlap)
        self.all_button.clicked.connect(lambda: self.model.choose_all(True))
        self.none_button.clicked.connect(lambda: self.model.choose_all(False))
        self.axis.time_picked.connect(self.show_instant)
        self.delegate.time_picked.connect(self.show_instant)
        self.prev_day.clicked.connect(lambda: self.shift_days(-1))
        self.next_day.clicked.connect(lambda: self.shift_days(1))
        for w in (self.search, self.list, self.slider, self.now_button, self.all_button, self.none_button):
            w.installEventFilter(self)
        self.list.viewport().installEventFilter(self)
        self._reload()

    # -- public API ---------------------------------------------------------------------------------
    def set_roster(self, me: Person, people: Sequence[Person]) -> None:
        self._me, self._people = me, tuple(people)
        self._reload()

    def set_avatars(self, images: Mapping[str, QImage]) -> None:
        self.delegate.set_avatars(images)
        self.list.viewport().update()

    def popup_at(self, anchor: QRect | None = None) -> None:
        """Show next to ``anchor`` (the tray icon's geometry), kept inside its screen (smaller on a small one)."""
        screen = QGuiApplication.screenAt(anchor.center()) if anchor is not None else None
        screen = screen or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        self.resize(min(SIZE[0], area.width()), min(SIZE[1], area.height()))
        if anchor is None or not anchor.isValid():
            pos = area.center() - QPoint(self.width() // 2, self.height() // 2)
        else:
            below = anchor.bottom() + self.height() <= area.bottom()
            y = anchor.bottom() + 4 if below else anchor.top() - self.height() - 4
            pos = QPoint(anchor.center().x() - self.width() // 2, y)
        pos.setX(max(area.left(), min(pos.x(), area.right() - self.width())))
        pos.setY(max(area.top(), min(pos.y(), area.bottom() - self.height())))
        self.move(pos)
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus()

    @property
    def live(self) -> bool:
        return self._live

    @property
    def window_span(self) -> Interval:
        """The slider's window (UTC): your local yesterday to tomorrow around the day it is on."""
        assert self._window is not None
        return self._window

    def chosen_instant(self) -> datetime:
        """The instant every row shows: now, or the slider's quarter hour."""
        if self._live or self._window is None:
            return self._now()
        return instant_at(self._window[0], self.slider.value())

    def reset_to_now(self) -> None:
        self._live = True
        self._sync_slider_to_now()
        self._apply_instant()

    def show_instant(self, instant: datetime) -> None:
        """Show the quarter hour ``instant`` falls in (a click on the timeline); the window stays put."""
        if self._window is None:
            return
        self.slider.setValue(max(0, min(step_at(self._window[0], instant), self.slider.maximum())))

    def shift_days(self, days: int) -> None:
        """The same time of day ``days`` later (earlier if negative), up to ``MAX_DAYS`` from today."""
        self._go(days_later(self.chosen_instant(), self._tz(), days))

    def _go(self, target: datetime) -> None:
        """Show ``target`` with the window re-centred on its day (a day either side again)."""
        tz = self._tz()
        today = self._now().astimezone(tz).date()
        if abs((target.astimezone(tz).date() - today).days) > MAX_DAYS:
            return
        self._live = False
        self._set_window(target.astimezone(tz).date(), at=target)
        self._apply_instant()
        self.refresh_overlap()

    # -- behaviour ----------------------------------------------------------------------------------
    def _tz(self) -> ZoneInfo:
        return self._me.zone_at(self._now())

    def _set_window(self, anchor: date, *, at: datetime) -> None:
        """Centre the slider's window on ``anchor`` and put the handle on ``at`` (no valueChanged)."""
        self._anchor = anchor
        self._window = window(anchor, self._tz())
        self.model.set_window(self._window)
        steps = int((self._window[1] - self._window[0]) / timedelta(minutes=15))
        self.slider.blockSignals(True)
        self.slider.setRange(0, steps - 1)
        self.slider.setValue(max(0, min(step_at(self._window[0], at), steps - 1)))
        self.slider.blockSignals(False)

    def _reload(self) -> None:
        now = self._now()
        self._today = now.astimezone(self._tz()).date()
        self.all_button.setEnabled(bool(self._people))  # nobody to pick
        self.none_button.setEnabled(bool(self._people))
        self.model.set_roster(self._me, self._people, self.chosen_instant())
        if self._live or self._window is None:
            self._sync_slider_to_now()
        self._window_overlap = []
        self._shown_day = None
        self._apply_instant()
        if self.isVisible():
            self.refresh_overlap()

    def _sync_slider_to_now(self) -> None:
        now = self._now()
        today = now.astimezone(self._tz()).date()
        if today != self._anchor:
            self._set_window(today, at=now)
            self._window_overlap = []
            if self.isVisible():
                self._deferred.start()
        else:
            self.slider.blockSignals(True)
            self.slider.setValue(step_at(self.window_span[0], now))
            self.slider.blockSignals(False)

    def _on_slider(self, _value: int) -> None:
        self._live = False
        self._apply_instant()

    def _apply_instant(self) -> None:
        instant = self.chosen_instant()
        tz = self._tz()
        self.model.set_instant(instant)
        self.model.marker = instant
        local = instant.astimezone(tz)
        if local.date() != self._shown_day:
            self._shown_day = local.date()
            self._apply_day()
        hint = date_hint((local.date() - self._now().astimezone(tz).date()).days)
        when = f"{local:%a} {local.day} {local:%H:%M}" + (f" ({hint})" if hint else "")
        if self._live:
            self.title.setText(f"<b>Team clock</b> · now, {local:%a %H:%M} {local.tzname()}")
            self.slider_label.setText(when)
        else:
            self.title.setText(f"<b>Team clock</b> · at {local:%a} {local.day} {local:%b %H:%M} your time")
            self.slider_label.setText(f"<b>{when}</b>")
        self.now_button.setEnabled(not self._live)
        self.axis.set_marker(instant)
        self.list.viewport().update()

    def _apply_day(self) -> None:
        """The bars, the axis and the overlap line for the day shown."""
        assert self._shown_day is not None
        tz = self._tz()
        day = day_window(self._shown_day, tz)
        self.model.day = day
        self.overlap = clip(self._window_overlap, day)
        self.model.band = self.overlap
        self.axis.set_day(day, tz, self.overlap)
        self.model.ticks = [t for t, _ in self.axis.layout_ticks()]
        text = overlap_words(
            self._shown_day, self.overlap, tz, picked=len(self.model.chosen_people()),
            everyone=self.model.all_chosen, team=len(self._people),
        )  # fmt: skip
        self.overlap_label.setText(text)
        self.list.viewport().update()

    def refresh_overlap(self) -> None:
        """Where you and everyone picked work over the window, and the best slots from now."""
        now = self._now()
        tz = self._tz()
        chosen = self.model.chosen_people()
        if self._anchor is None:
            return
        self._window_overlap = list(timeline(self._me, chosen, self._anchor, tz).overlap) if chosen else []
        self._shown_day = None
        self._apply_instant()
        group = [self._me, *chosen]
        self.best = (
            best_slots(
                group, now, tz=tz, hours=self._me.hours, minutes=self._meeting_minutes, limit=BEST_LINES,
                required=(self._me,),
            )
            if chosen
            else []
        )  # fmt: skip
        lines = [html.escape(slot_text(s, tz, me_name=self._me.name)) for s in self.best]  # names are not markup
        title = f"<b>Best {self._meeting_minutes}-minute slots</b> (your time)"
        body = "<br>".join(lines) if lines else "none in your next 5 working days" if chosen else "pick someone first"
        self.best_label.setText(f"{title}<br>{body}")

    def _bar_span(self) -> tuple[int, int]:
        """Where the rows' bars are, in the axis' coordinates (the axis lines up with them)."""
        viewport = self.list.viewport()
        x, w = self.delegate.columns(viewport.width()).bar
        return self.axis.mapFrom(self, viewport.mapTo(self, QPoint(x, 0))).x(), w

    def _ms_to_next_minute(self) -> int:
        now = self._now()
        nxt = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
        return max(int((nxt - now) / timedelta(milliseconds=1)), 1) + 5

    def _on_tick(self) -> None:
        now = self._now()
        if self._today != now.astimezone(self._tz()).date():
            self._reload()  # a new day: new order, new overlap
        elif self._live:
            self._sync_slider_to_now()
            self._apply_instant()
        self.tick.start(self._ms_to_next_minute())

    # -- Qt events ----------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._live:
            self._sync_slider_to_now()
            self._apply_instant()
        self.tick.start(self._ms_to_next_minute())
        self._overlap_pending = True  # computed once the rows are on screen (see eventFilter)

    def hideEvent(self, event: QHideEvent) -> None:
        self.tick.stop()
        self._deferred.stop()
        self._overlap_pending = False
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._overlap_pending and watched is self.list.viewport():
            self._overlap_pending = False
            self._deferred.start()
            return False
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and self._key(watched, event):
            return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if watched is self.search and self.search.text():
                self.search.clear()  # the first Escape clears the search, the next one closes
            else:
                self.hide()
            return True
        return super().eventFilter(watched, event)

    def _key(self, watched: QObject, event: QKeyEvent) -> bool:
        """Ctrl+←/→: a day earlier/later (not in the search box, where they move by words); Space in the list
        picks or unpicks the current person."""
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl and watched is not self.search and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.shift_days(1 if event.key() == Qt.Key.Key_Right else -1)
            return True
        if watched is self.slider and not ctrl and self._past_the_edge(event.key()):
            return True
        if watched is self.list and event.key() == Qt.Key.Key_Space and self.list.currentIndex().isValid():
            self.model.toggle(self.list.currentIndex().row())
            return True
        return False

    def _past_the_edge(self, key: int) -> bool:
        """An arrow or Page key that would leave the window moves the window instead: the keyboard reaches any
        day within ``MAX_DAYS``, 15 minutes or an hour at a time."""
        steps = {
            Qt.Key.Key_Right: 1, Qt.Key.Key_Up: 1, Qt.Key.Key_Left: -1, Qt.Key.Key_Down: -1,
            Qt.Key.Key_PageUp: self.slider.pageStep(), Qt.Key.Key_PageDown: -self.slider.pageStep(),
        }.get(Qt.Key(key), 0)  # fmt: skip
        if not steps or 0 <= self.slider.value() + steps <= self.slider.maximum():
            return False
        self._go(self.chosen_instant() + steps * timedelta(minutes=15))
        return True

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowDeactivate and self.isVisible():
            self.hide()  # focus went elsewhere
        return super().event(event)
