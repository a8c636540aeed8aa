"""The team clock's list: a model computing rows lazily for the chosen instant, a painting delegate, the overlap bar.

Model/view with a custom delegate so a roster of 1,000 costs only the rows on screen when the time moves.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPainterPath, QPaintEvent, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from traystatus.core.team import Person
from traystatus.core.world_clock import Badge, Row, group_of, row_for, rows

ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the core Row of a person entry (None for a header)
HEADER_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # the team name of a header entry (None for a person)
PERSON_HEIGHT = 44
HEADER_HEIGHT = 22
BADGE_TEXT = {Badge.WORKING: "working", Badge.OFF_HOURS: "off hours", Badge.NIGHT: "night"}
BADGE_COLOR = {Badge.WORKING: QColor("#2e7d32"), Badge.OFF_HOURS: QColor("#8d6e63"), Badge.NIGHT: QColor("#3949ab")}
_Index = QModelIndex | QPersistentModelIndex


class TeamModel(QAbstractListModel):
    """Entries: you, then per team a header and its people. Rows are computed on demand for ``instant``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._me: Person | None = None
        self._people: tuple[Person, ...] = ()
        self._instant: datetime | None = None
        self._sorted: list[tuple[str, int]] = []  # (group, person index) in display order
        self._entries: list[tuple[str, int]] = []  # ("me", -1) | ("header", index into _groups) | ("person", i)
        self._groups: list[str] = []
        self._filter = ""
        self._cache: dict[int, Row] = {}

    # -- inputs -----------------------------------------------------------------------------------
    def set_roster(self, me: Person, people: Sequence[Person], instant: datetime) -> None:
        """A new roster; the order (by team, then offset) is taken at ``instant``."""
        self._me, self._people, self._instant = me, tuple(people), instant
        ordered = rows(me, self._people, instant)[1:]
        self._sorted = [(r.group, r.person_index) for r in ordered]
        self._rebuild()

    def set_instant(self, instant: datetime) -> None:
        """Every row follows the new instant; only the rows on screen are recomputed when painted."""
        if instant == self._instant:
            return
        self._instant = instant
        self._cache.clear()
        if self._entries:
            self.dataChanged.emit(self.index(0), self.index(len(self._entries) - 1), [ROW_ROLE])

    def set_filter(self, text: str) -> None:
        text = " ".join(text.casefold().split())
        if text != self._filter:
            self._filter = text
            self._rebuild()

    @property
    def instant(self) -> datetime | None:
        return self._instant

    def person_at(self, entry: int) -> Person | None:
        kind, i = self._entries[entry]
        if kind == "me":
            return self._me
        return self._people[i] if kind == "person" else None

    def _matches(self, p: Person) -> bool:
        if not self._filter:
            return True
        hay = " ".join((p.name, p.tz.key, *p.teams, *p.handles)).casefold()
        return all(word in hay for word in self._filter.split())

    def _rebuild(self) -> None:
        self.beginResetModel()
        self._cache.clear()
        self._entries = [("me", -1)] if self._me is not None else []
        self._groups = []
        last: str | None = None
        has_groups = any(g for g, _ in self._sorted)
        for group, i in self._sorted:
            if not self._matches(self._people[i]):
                continue
            if has_groups and group != last:
                self._groups.append(group or "Others")
                self._entries.append(("header", len(self._groups) - 1))
                last = group
            self._entries.append(("person", i))
        self.endResetModel()

    # -- Qt model API -----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def header_at(self, entry: int) -> str | None:
        if not 0 <= entry < len(self._entries):
            return None
        kind, i = self._entries[entry]
        return self._groups[i] if kind == "header" else None

    def row_at(self, entry: int) -> Row | None:
        if not 0 <= entry < len(self._entries):
            return None
        kind, i = self._entries[entry]
        if kind == "header" or self._me is None or self._instant is None:
            return None
        row = self._cache.get(entry)
        if row is None:
            if kind == "me":
                row = row_for(self._me, self._me, self._instant, is_me=True)
            else:
                p = self._people[i]
                row = row_for(p, self._me, self._instant, index=i, group=group_of(p))
            self._cache[entry] = row
        return row

    def data(self, index: _Index, role: int = int(Qt.ItemDataRole.DisplayRole)) -> object:
        if not index.isValid() or index.row() >= len(self._entries):
            return None
        kind, i = self._entries[index.row()]
        if role == HEADER_ROLE:
            return self._groups[i] if kind == "header" else None
        if role == ROW_ROLE:
            return self.row_at(index.row())
        if role == int(Qt.ItemDataRole.DisplayRole):
            if kind == "header":
                return self._groups[i]
            row = self.row_at(index.row())
            return None if row is None else f"{row.name} {row.local:%H:%M} {row.offset_label} {BADGE_TEXT[row.badge]}"
        if role == int(Qt.ItemDataRole.ToolTipRole) and kind != "header":
            row = self.row_at(index.row())
            return None if row is None or not row.hours_source else f"{row.name}: working hours {row.hours_source}"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._entries[index.row()][0] == "person":
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled


class TeamDelegate(QStyledItemDelegate):
    """Paints one person (avatar or initials, name, zone, local time, date hint, offset, badge) or a team header."""

    def __init__(self, model: TeamModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Read the model directly: no QVariant round trip per row painted.
        self._model = model
        self.avatars: dict[str, QImage] = {}  # avatar URL -> image, given by the app
        self._small = QFont()
        self._small.setPointSizeF(max(self._small.pointSizeF() * 0.85, 7.0))
        self._bold = QFont()
        self._bold.setBold(True)
        self._time = QFont()
        self._time.setPointSizeF(self._time.pointSizeF() * 1.25)
        self._time.setBold(True)

    def set_avatars(self, images: Mapping[str, QImage]) -> None:
        self.avatars = dict(images)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        header = self._model.header_at(index.row()) is not None
        return QSize(360, HEADER_HEIGHT if header else PERSON_HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect: QRect = option.rect
        palette: QPalette = option.palette
        painter.save()
        try:
            header = self._model.header_at(index.row())
            if header is not None:
                painter.setFont(self._small)
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(rect.adjusted(10, 0, -10, 0), Qt.AlignmentFlag.AlignBottom, str(header).upper())
                return
            row = self._model.row_at(index.row())
            if row is None:
                return
            state = option.state
            if state & QStyle.StateFlag.State_Selected:
                painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight).lighter(170))
            elif row.is_me:
                painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
            self._paint_person(painter, rect, palette, row)
        finally:
            painter.restore()

    def _paint_person(self, painter: QPainter, rect: QRect, palette: QPalette, row: Row) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = palette.color(QPalette.ColorRole.Text)
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        avatar = QRectF(rect.left() + 10, rect.top() + 7, 30, 30)
        image = self.avatars.get(row.avatar_url) if row.avatar_url else None
        if image is not None and not image.isNull():
            path = QPainterPath()
            path.addEllipse(avatar)
            painter.setClipPath(path)
            painter.drawImage(avatar, image)
            painter.setClipping(False)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor.fromHsv(zlib.crc32(row.name.encode()) % 360, 90, 200))
            painter.drawEllipse(avatar)
            painter.setPen(QColor("white"))
            painter.setFont(self._bold)
            painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, row.initials)
        right = rect.right() - 10
        # badge pill
        painter.setFont(self._small)
        fm = QFontMetrics(self._small)
        label = BADGE_TEXT[row.badge]
        width = fm.horizontalAdvance(label) + 12
        pill = QRectF(right - width, rect.top() + 13, width, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BADGE_COLOR[row.badge])
        painter.drawRoundedRect(pill, 9, 9)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
        right = int(pill.left()) - 8
        # local time, date hint and offset, right-aligned in a column
        col = QRect(right - 96, rect.top() + 4, 96, 22)
        painter.setPen(text)
        painter.setFont(self._time)
        painter.drawText(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{row.local:%H:%M}")
        painter.setFont(self._small)
        painter.setPen(dim)
        below = f"{row.date_hint} · {row.offset_label}" if row.date_hint else row.offset_label
        painter.drawText(
            QRect(right - 130, rect.top() + 24, 130, 16),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            "you" if row.is_me else below,
        )
        # name and zone
        left = int(avatar.right()) + 10
        name_rect = QRect(left, rect.top() + 5, max(right - 100 - left, 20), 20)
        painter.setPen(text)
        painter.setFont(self._bold)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(self._bold).elidedText(row.name, Qt.TextElideMode.ElideRight, name_rect.width()),
        )
        painter.setFont(self._small)
        painter.setPen(dim)
        zone_rect = QRect(left, rect.top() + 24, name_rect.width(), 16)
        painter.drawText(
            zone_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(f"{row.zone} · {row.local.tzname()}", Qt.TextElideMode.ElideRight, zone_rect.width()),
        )


class OverlapBar(QWidget):
    """Your day as a bar: green where everyone (or the selection) works, a marker at the chosen time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(30)
        self.day_span: tuple[datetime, datetime] | None = None
        self.spans: list[tuple[datetime, datetime]] = []
        self.marker: datetime | None = None
        self.labels: list[tuple[datetime, str]] = []  # hour ticks in your zone

    def set_day(
        self,
        window: tuple[datetime, datetime],
        spans: Sequence[tuple[datetime, datetime]],
        labels: Sequence[tuple[datetime, str]],
    ) -> None:
        self.day_span, self.spans, self.labels = window, list(spans), list(labels)
        self.update()

    def set_marker(self, marker: datetime | None) -> None:
        if marker != self.marker:
            self.marker = marker
            self.update()

    def _x(self, t: datetime, width: float) -> float:
        assert self.day_span is not None
        start, end = self.day_span
        return max(0.0, min(1.0, (t - start) / (end - start))) * width

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = float(self.width())
        bar = QRectF(0, 0, w, 14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.Mid))
        painter.drawRoundedRect(bar, 4, 4)
        if self.day_span is None:
            painter.end()
            return
        painter.setBrush(BADGE_COLOR[Badge.WORKING])
        for s, e in self.spans:
            x0, x1 = self._x(s, w), self._x(e, w)
            painter.drawRoundedRect(QRectF(x0, 0, max(x1 - x0, 2.0), 14), 3, 3)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        font = QFont()
        font.setPointSizeF(max(font.pointSizeF() * 0.75, 6.0))
        painter.setFont(font)
        for t, text in self.labels:
            x = self._x(t, w)
            painter.drawLine(int(x), 14, int(x), 17)
            painter.drawText(QRectF(x - 20, 16, 40, 14), Qt.AlignmentFlag.AlignCenter, text)
        if self.marker is not None:
            x = self._x(self.marker, w)
            painter.setPen(QColor("#d32f2f"))
            painter.drawLine(int(x), 0, int(x), 16)
        painter.end()
