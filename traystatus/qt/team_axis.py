"""The team clock's axis under the list: the hours everyone picked works, as a lane aligned with every row's
bar, and the time labels of your day (clock times, the day's name at midnight), never overlapping."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from traystatus.core.team_timeline import axis_ticks
from traystatus.core.world_clock import Interval
from traystatus.qt.team_colors import TimelineColors
from traystatus.qt.team_delegate import instant_at_x, timeline_x

LANE_HEIGHT = 14
LANE_TEXT = "All in"


class TimelineAxis(QWidget):
    """Paints the overlap lane and the axis; ``bar_span`` says where the rows' bars are, in this widget's x.
    A click or drag on it picks that time of the day shown (``time_picked``)."""

    time_picked = Signal(datetime)

    def __init__(self, bar_span: Callable[[], tuple[int, int]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bar_span = bar_span
        self.font_ = QFont()
        self.font_.setPointSizeF(max(self.font_.pointSizeF() * 0.8, 6.5))
        fm = QFontMetrics(self.font_)
        self.setMinimumHeight(LANE_HEIGHT + 4 + fm.height() + 2)
        self.setMinimumWidth(fm.horizontalAdvance(LANE_TEXT) + 200)
        self.day: Interval | None = None
        self.tz: ZoneInfo | None = None
        self.spans: list[Interval] = []
        self.marker: datetime | None = None
        self.ticks: list[tuple[datetime, str]] = []  # what the last paint labelled
        self.label_rects: list[QRectF] = []  # where those labels went (tests check they neither overlap nor clip)
        self.lane_rect = QRectF()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click or drag to pick a time of this day")

    def set_day(self, day: Interval, tz: ZoneInfo, spans: Sequence[Interval]) -> None:
        self.day, self.tz, self.spans = day, tz, list(spans)
        self.update()

    def set_marker(self, marker: datetime | None) -> None:
        if marker != self.marker:
            self.marker = marker
            self.update()

    def layout_ticks(self) -> list[tuple[datetime, str]]:
        """The ticks for the day shown at the current width: as many as fit with a gap between their labels (the
        widest possible label sets the count). The rows' bars draw the same ticks."""
        if self.day is None or self.tz is None:
            return []
        fm = QFontMetrics(self.font_)
        widest = max(fm.horizontalAdvance("00:00"), fm.horizontalAdvance("Wed 30")) + 12
        _x0, w = self._bar_span()
        self.ticks = axis_ticks(self.day[0], self.day[1], self.tz, max_labels=max(int(w // widest), 1))
        return self.ticks

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._pick(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._pick(event)

    def _pick(self, event: QMouseEvent) -> None:
        x0, w = self._bar_span()
        if self.day is not None and event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton):
            self.time_picked.emit(instant_at_x(event.position().x(), self.day, x0, w))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        colors = TimelineColors.for_palette(self.palette())
        x0, w = self._bar_span()
        fm = QFontMetrics(self.font_)
        painter.setFont(self.font_)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            QRectF(0, 0, max(x0 - 8, 0), LANE_HEIGHT), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            LANE_TEXT,
        )  # fmt: skip
        self.lane_rect = QRectF(x0, 0, w, LANE_HEIGHT)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.track)
        painter.drawRect(self.lane_rect)
        if self.day is None or self.tz is None:
            return
        day = self.day
        painter.setBrush(colors.overlap)
        for s, e in self.spans:
            if s < day[1] and e > day[0]:
                a, b = timeline_x(s, day, x0, w), timeline_x(e, day, x0, w)
                painter.drawRect(QRectF(a, 0, max(b - a, 1.0), LANE_HEIGHT))
        self.layout_ticks()
        self.label_rects = []
        painter.setPen(colors.grid)
        for t, _text in self.ticks:
            tx = int(timeline_x(t, day, x0, w))
            painter.drawLine(tx, LANE_HEIGHT, tx, LANE_HEIGHT + 3)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        for t, text in self.ticks:
            at = timeline_x(t, day, x0, w)
            tw = fm.horizontalAdvance(text) + 2
            left = max(float(x0), min(at - tw / 2, x0 + w - tw))  # the first and last labels stay whole
            r = QRectF(left, LANE_HEIGHT + 3, tw, fm.height())
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, text)
            self.label_rects.append(r)
        if self.marker is not None and day[0] <= self.marker < day[1]:
            painter.setPen(colors.marker)
            mx = int(timeline_x(self.marker, day, x0, w))
            painter.drawLine(mx, 0, mx, LANE_HEIGHT + 3)
