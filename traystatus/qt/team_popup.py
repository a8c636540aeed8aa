"""The team clock popup: everyone's local time, a time slider, today's overlap bar and the best meeting slots.

Use (the tray opens it on a left click)::

    popup = TeamPopup(me=me, people=people, now=clock.now, meeting_minutes=30)
    popup.popup_at(tray.icon.geometry())   # show next to the icon (or popup_at() to centre it)
    popup.set_roster(me, people)           # after a roster import
    popup.set_avatars({url: QImage})       # optional pictures, keyed by Person.avatar_url

``now`` returns an aware UTC datetime. A frameless ``Qt.Popup``: it closes on Escape or a click elsewhere
(focus loss). It ticks only while shown, on the minute (a parented single-shot QTimer stopped on hide).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QHideEvent, QImage, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.team import Person
from traystatus.core.world_clock import Span, best_slots, day_overlap, day_window
from traystatus.qt.team_view import OverlapBar, TeamDelegate, TeamModel

STEP_MINUTES = 15  # one slider step
STEPS = 24 * 60 // STEP_MINUTES


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
        self._day: date | None = None  # your local date the slider is on
        self.best: list[Span] = []
        self.overlap: list[Span] = []
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
        self.model = TeamModel(self)
        self.delegate = TeamDelegate(self.model, self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(self.delegate)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(200)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS - 1)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(60 // STEP_MINUTES)
        self.slider.setToolTip(
            "Pick a time of your day: every row shows what time it is for them then "
            "(arrow keys: 15 min, Page Up/Down: 1 h)"
        )
        self.slider.setAccessibleName("Your time of day")
        self.slider_label = QLabel()
        self.overlap_label = QLabel()
        self.overlap_bar = OverlapBar()
        self.best_label = QLabel()
        self.best_label.setWordWrap(True)
        # room for two lines from the start: the slots arrive after the first paint and must not shift the slider
        self.best_label.setMinimumHeight(2 * self.best_label.fontMetrics().lineSpacing())
        self.best_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.best_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.now_button)
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.slider_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(slider_row)
        layout.addWidget(self.overlap_label)
        layout.addWidget(self.overlap_bar)
        layout.addWidget(self.best_label)
        self.resize(440, 600)

        self.search.textChanged.connect(self.model.set_filter)
        self.slider.valueChanged.connect(self._on_slider)
        self.list.selectionModel().selectionChanged.connect(lambda *_: self.refresh_overlap())
        for w in (self.search, self.list, self.slider, self.now_button):
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
        """Show next to ``anchor`` (the tray icon's geometry), kept inside its screen."""
        screen = QGuiApplication.screenAt(anchor.center()) if anchor is not None else None
        screen = screen or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
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

    def chosen_instant(self) -> datetime:
        """The instant every row shows: now, or the slider's time of your day."""
        now = self._now()
        if self._live or self._day is None:
            return now
        minutes = self.slider.value() * STEP_MINUTES
        tz = self._me.zone_at(now)
        local = datetime.combine(self._day, time(minutes // 60, minutes % 60), tzinfo=tz)
        return local.astimezone(UTC)

    def reset_to_now(self) -> None:
        self._live = True
        self._sync_slider_to_now()
        self._apply_instant()

    # -- behaviour ----------------------------------------------------------------------------------
    def _reload(self) -> None:
        now = self._now()
        self._day = now.astimezone(self._me.zone_at(now)).date()
        self.model.set_roster(self._me, self._people, self.chosen_instant())
        if self._live:
            self._sync_slider_to_now()
        self._apply_instant()
        if self.isVisible():
            self.refresh_overlap()

    def _sync_slider_to_now(self) -> None:
        now = self._now()
        local = now.astimezone(self._me.zone_at(now))
        self._day = local.date()
        self.slider.blockSignals(True)
        self.slider.setValue((local.hour * 60 + local.minute) // STEP_MINUTES)
        self.slider.blockSignals(False)

    def _on_slider(self, _value: int) -> None:
        self._live = False
        self._apply_instant()

    def _apply_instant(self) -> None:
        instant = self.chosen_instant()
        self.model.set_instant(instant)
        tz = self._me.zone_at(instant)
        local = instant.astimezone(tz)
        if self._live:
            self.title.setText(f"<b>Team clock</b> · now, {local:%a %H:%M} {local.tzname()}")
            self.slider_label.setText(f"{local:%H:%M}")
        else:
            self.title.setText(f"<b>Team clock</b> · at {local:%a %H:%M} your time")
            self.slider_label.setText(f"<b>{local:%H:%M}</b>")
        self.now_button.setEnabled(not self._live)
        self.overlap_bar.set_marker(instant)

    def _selected_people(self) -> list[Person]:
        out: list[Person] = []
        for index in self.list.selectionModel().selectedIndexes():
            p = self.model.person_at(index.row())
            if p is not None and p is not self._me and p not in out:
                out.append(p)
        return out

    def refresh_overlap(self) -> None:
        """Today's overlap (you + everyone, or you + the selected rows) and the best slots."""
        now = self._now()
        tz = self._me.zone_at(now)
        day = self._day or now.astimezone(tz).date()
        selected = self._selected_people()
        group = [self._me, *(selected or self._people)]
        who = f"you + {len(selected)} selected" if selected else "everyone"
        self.overlap = day_overlap(group, day, tz) if len(group) > 1 else []
        window = day_window(day, tz)
        labels = []
        for h in range(0, 24, 3):
            t = datetime.combine(day, time(h), tzinfo=tz).astimezone(UTC)
            labels.append((t, f"{h:02d}:00"))  # a clock time, not a bare "03"
        self.overlap_bar.set_day(window, [(s.start, s.end) for s in self.overlap], labels)
        self.overlap_bar.set_marker(self.chosen_instant())
        spans = ", ".join(f"{s.start.astimezone(tz):%H:%M}–{s.end.astimezone(tz):%H:%M}" for s in self.overlap)
        self.overlap_label.setText(f"Overlap today ({who}): {spans or 'none'}")
        self.best = (
            best_slots(
                group, now, tz=tz, hours=self._me.hours, minutes=self._meeting_minutes, limit=3, required=(self._me,)
            )
            if len(group) > 1
            else []
        )
        lines = []
        for s in self.best:
            n = len(group)
            count = "everyone" if s.everyone else f"{len(s.available)} of {n}"
            lines.append(f"{s.start.astimezone(tz):%a %H:%M}–{s.end.astimezone(tz):%H:%M} · {count}")
        self.best_label.setText("Best slots: " + ("; ".join(lines) if lines else "none in the next 5 working days"))

    def _ms_to_next_minute(self) -> int:
        now = self._now()
        nxt = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
        return max(int((nxt - now) / timedelta(milliseconds=1)), 1) + 5

    def _on_tick(self) -> None:
        now = self._now()
        if self._day != now.astimezone(self._me.zone_at(now)).date():
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
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if watched is self.search and self.search.text():
                self.search.clear()  # the first Escape clears the search, the next one closes
            else:
                self.hide()
            return True
        return super().eventFilter(watched, event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowDeactivate and self.isVisible():
            self.hide()  # focus went elsewhere
        return super().event(event)
