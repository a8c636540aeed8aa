"""Paints one row of the team clock: a check box (picked for the overlap), avatar, name and zone, the local time,
the badge, and the person's working hours as a bar on the timeline every row shares (your local day).

Columns have widths fixed by the fonts, not by a row's text, so times and bars line up whatever the badge says.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QMouseEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from traystatus.core.world_clock import Interval, Row
from traystatus.qt.team_colors import TimelineColors, blend
from traystatus.qt.team_view import BADGE_TEXT, TeamModel

PERSON_HEIGHT = 44
HEADER_HEIGHT = 22
PAD = 8
BAR_SHARE = 0.40  # of the row's width, for the timeline bar
BAR_MIN = 120
NAME_MIN = 130
DATE_HINTS = ("yesterday", "tomorrow", "-2 days", "+2 days")  # the widest texts under a time
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each part of a person row goes, as x and width within the row (the same for every row)."""

    check: tuple[int, int]
    avatar: tuple[int, int]
    name: tuple[int, int]
    time: tuple[int, int]
    badge: tuple[int, int]
    bar: tuple[int, int]


def timeline_x(t: datetime, day: Interval, x: float, width: float) -> float:
    """Where instant ``t`` falls on a bar at ``x`` of ``width`` showing ``day`` (clamped to the bar)."""
    start, end = day
    return x + max(0.0, min(1.0, (t - start) / (end - start))) * width


def zone_line(row: Row) -> str:
    """The line under a name: zone, its abbreviation when it has a name ("IST"; "+0545" only repeats the
    offset), and the offset from you."""
    abbreviation = row.local.tzname() or ""
    parts = [row.zone]
    if abbreviation[:1] not in ("+", "-", ""):
        parts.append(abbreviation)
    if not row.is_me:
        parts.append(row.offset_label)
    return " · ".join(parts)


def instant_at_x(x: float, day: Interval, x0: float, width: float) -> datetime:
    """The instant at ``x`` on a bar at ``x0`` of ``width`` showing ``day`` (clamped to the day)."""
    start, end = day
    return start + (end - start) * max(0.0, min(1.0, (x - x0) / max(width, 1.0)))


class TeamDelegate(QStyledItemDelegate):
    """Paints a person (check box, avatar or initials, name, zone, local time, badge, bar) or a team header.
    A click on a row's bar picks that time of the day shown (``time_picked``)."""

    time_picked = Signal(datetime)

    def __init__(self, model: TeamModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model  # read directly: no QVariant round trip per row painted
        self.avatars: dict[str, QImage] = {}  # avatar URL -> image, given by the app
        self._small = QFont()
        self._small.setPointSizeF(max(self._small.pointSizeF() * 0.85, 7.0))
        self._bold = QFont()
        self._bold.setBold(True)
        self._time = QFont()
        self._time.setPointSizeF(self._time.pointSizeF() * 1.25)
        self._time.setBold(True)
        self._columns: dict[int, Columns] = {}
        self._palette_colors: tuple[int, TimelineColors] | None = None

    def set_avatars(self, images: Mapping[str, QImage]) -> None:
        self.avatars = dict(images)

    def _colors(self, palette: QPalette) -> TimelineColors:
        """The colours for ``palette``, worked out once per palette (every row is painted with them)."""
        key = palette.cacheKey()
        if self._palette_colors is None or self._palette_colors[0] != key:
            self._palette_colors = (key, TimelineColors.for_palette(palette))
        return self._palette_colors[1]

    def columns(self, width: int) -> Columns:
        """The column layout for a row ``width`` wide (also what the axis under the list aligns to)."""
        cols = self._columns.get(width)
        if cols is None:
            small, big = QFontMetrics(self._small), QFontMetrics(self._time)
            check_w = QApplication.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
            badge_w = max(small.horizontalAdvance(t) for t in BADGE_TEXT.values()) + 12
            time_w = max(big.horizontalAdvance("00:00"), *(small.horizontalAdvance(t) for t in DATE_HINTS)) + 4
            fixed = PAD + check_w + PAD + 30 + PAD + PAD + time_w + PAD + badge_w + PAD + PAD
            # the bar takes its share, but leaves a name column of NAME_MIN on a narrow list (200 % on a small
            # screen) as long as the bar keeps BAR_MIN
            bar_w = max(BAR_MIN, min(int(width * BAR_SHARE), width - fixed - NAME_MIN))
            bar_x = width - PAD - bar_w
            badge_x = bar_x - PAD - badge_w
            time_x = badge_x - PAD - time_w
            avatar_x = PAD + check_w + PAD
            name_x = avatar_x + 30 + PAD
            cols = Columns(
                check=(PAD, check_w),
                avatar=(avatar_x, 30),
                name=(name_x, max(time_x - PAD - name_x, 20)),
                time=(time_x, time_w),
                badge=(badge_x, badge_w),
                bar=(bar_x, bar_w),
            )
            self._columns = {width: cols}
        return cols

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        header = self._model.header_at(index.row()) is not None
        return QSize(1, HEADER_HEIGHT if header else PERSON_HEIGHT)  # as wide as the list: the list decides

    def editorEvent(
        self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem, index: _Index
    ) -> bool:
        """A click on the check box picks or unpicks the person (Space does too: see the popup); one on the bar
        picks that time."""
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            rect: QRect = option.rect
            cols = self.columns(rect.width())
            x, w = cols.check
            if rect.left() + x - 4 <= event.position().x() <= rect.left() + x + w + 4:
                self._model.toggle(index.row())
                return True
            x, w = cols.bar
            day = self._model.day
            if day is not None and rect.left() + x <= event.position().x() <= rect.left() + x + w:
                self.time_picked.emit(instant_at_x(event.position().x(), day, rect.left() + x, w))
                return True
        return super().editorEvent(event, model, option, index)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect: QRect = option.rect
        palette: QPalette = option.palette
        painter.save()
        try:
            header = self._model.header_at(index.row())
            if header is not None:
                cols = self.columns(rect.width())
                if self._model.team_under(index.row()):
                    self._paint_box(painter, palette, rect, cols, self._model.header_state(index.row()))
                painter.setFont(self._small)
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
                left = rect.adjusted(cols.avatar[0], 0, -10, 0)
                painter.drawText(left, Qt.AlignmentFlag.AlignVCenter, str(header).upper())
                return
            row = self._model.row_at(index.row())
            if row is None:
                return
            if option.state & QStyle.StateFlag.State_Selected:
                painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).lighter(170))
            elif row.is_me:
                painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            cols = self.columns(rect.width())
            colors = self._colors(palette)
            self._paint_check(painter, palette, rect, cols, index.row(), row)
            self._paint_person(painter, rect, palette, row, cols, colors)
            self._paint_bar(painter, rect, cols, colors, index.row())
        finally:
            painter.restore()

    def _paint_check(
        self, painter: QPainter, palette: QPalette, rect: QRect, cols: Columns, entry: int, row: Row
    ) -> None:
        if not row.is_me:  # you are always in the overlap
            state = Qt.CheckState.Checked if self._model.is_chosen(entry) else Qt.CheckState.Unchecked
            self._paint_box(painter, palette, rect, cols, state)

    def _paint_box(
        self, painter: QPainter, palette: QPalette, rect: QRect, cols: Columns, state: Qt.CheckState
    ) -> None:
        """A check box drawn from the palette: the style's own box all but vanishes on some dark themes."""
        x, w = cols.check
        w = min(w, rect.height() - 4)
        box = QRectF(rect.left() + x + 0.5, rect.top() + (rect.height() - w) / 2 + 0.5, w - 1, w - 1)
        text = palette.color(QPalette.ColorRole.Text)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(blend(palette.color(QPalette.ColorRole.Base), text, 0.6), 1.2))
        painter.drawRoundedRect(box, 2, 2)
        painter.setPen(QPen(text, 2.0))
        if state == Qt.CheckState.Checked:
            painter.drawPolyline(
                [
                    QPointF(box.left() + box.width() * 0.2, box.top() + box.height() * 0.52),
                    QPointF(box.left() + box.width() * 0.42, box.top() + box.height() * 0.75),
                    QPointF(box.left() + box.width() * 0.8, box.top() + box.height() * 0.25),
                ]
            )
        elif state == Qt.CheckState.PartiallyChecked:  # some of the team
            y = box.center().y()
            painter.drawLine(QPointF(box.left() + box.width() * 0.25, y), QPointF(box.right() - box.width() * 0.25, y))

    def _paint_person(
        self, painter: QPainter, rect: QRect, palette: QPalette, row: Row, cols: Columns, colors: TimelineColors
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = palette.color(QPalette.ColorRole.Text)
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        avatar = QRectF(rect.left() + cols.avatar[0], rect.top() + 7, 30, 30)
        image = self.avatars.get(row.avatar_url) if row.avatar_url else None
        if image is not None and not image.isNull():
            path = QPainterPath()
            path.addEllipse(avatar)
            painter.setClipPath(path)
            painter.drawImage(avatar, image)
            painter.setClipping(False)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor.fromHsv(zlib.crc32(row.name.encode()) % 360, 90, 170))
            painter.drawEllipse(avatar)
            painter.setPen(colors.badge_text)
            painter.setFont(self._bold)
            painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, row.initials)
        small = QFontMetrics(self._small)
        # the badge pill, centred in its fixed column
        x, w = cols.badge
        label = BADGE_TEXT[row.badge]
        pw = small.horizontalAdvance(label) + 12
        pill = QRectF(rect.left() + x + (w - pw) / 2, rect.top() + 13, pw, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.badges[row.badge])
        painter.drawRoundedRect(pill, 9, 9)
        painter.setPen(colors.badge_text)
        painter.setFont(self._small)
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
        # the local time and the date hint, right-aligned in the time column
        x, w = cols.time
        painter.setPen(text)
        painter.setFont(self._time)
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(QRect(rect.left() + x, rect.top() + 4, w, 22), right, f"{row.local:%H:%M}")
        painter.setFont(self._small)
        painter.setPen(dim)
        painter.drawText(QRect(rect.left() + x, rect.top() + 24, w, 16), right, row.date_hint)
        # name, then zone · abbreviation · offset
        x, w = cols.name
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.setPen(text)
        painter.setFont(self._bold)
        name = QFontMetrics(self._bold).elidedText(row.name, Qt.TextElideMode.ElideRight, w)
        painter.drawText(QRect(rect.left() + x, rect.top() + 5, w, 20), left, name)
        painter.setFont(self._small)
        painter.setPen(dim)
        zone = zone_line(row)
        painter.drawText(
            QRect(rect.left() + x, rect.top() + 24, w, 16), left, small.elidedText(zone, Qt.TextElideMode.ElideRight, w)
        )

    def _paint_bar(self, painter: QPainter, rect: QRect, cols: Columns, colors: TimelineColors, entry: int) -> None:
        day = self._model.day
        if day is None:
            return
        x0, w = rect.left() + cols.bar[0], float(cols.bar[1])
        bar = QRectF(x0, rect.top() + 12, w, 20)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colors.track)
        painter.drawRoundedRect(bar, 4, 4)

        def span(s: datetime, e: datetime) -> QRectF:
            a, b = timeline_x(s, day, x0, w), timeline_x(e, day, x0, w)
            return QRectF(a, bar.top(), max(b - a, 1.0), bar.height())

        painter.setBrush(colors.night)
        for s, e in self._model.nights(entry):
            if s < day[1] and e > day[0]:
                painter.drawRect(span(s, e))
        painter.setBrush(colors.working)
        for s, e in self._model.lane(entry):
            if s < day[1] and e > day[0]:
                painter.drawRect(span(s, e))
        painter.setBrush(colors.band)
        for s, e in self._model.band:
            if s < day[1] and e > day[0]:
                painter.drawRect(span(s, e).adjusted(0, -6, 0, 6))
        painter.setPen(colors.grid)
        for t in self._model.ticks:
            if t == day[0]:
                continue  # the day's start is the bar's edge
            x = int(timeline_x(t, day, x0, w))
            painter.drawLine(x, int(bar.bottom()) - 4, x, int(bar.bottom()))
        if self._model.marker is not None and day[0] <= self._model.marker < day[1]:
            painter.setPen(colors.marker)
            x = int(timeline_x(self._model.marker, day, x0, w))
            painter.drawLine(x, rect.top() + 2, x, rect.bottom() - 2)
