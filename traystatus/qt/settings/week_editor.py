"""Working hours day by day, without the config syntax: each weekday on or off with one or more time ranges.

It reads and gives ``core.hours.WeekHours`` (saved as the same ``working_hours`` text as before); an end of
00:00 means midnight, an end before the start runs into the next day; a range that overlaps another or is
empty is explained under its day.
"""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.hours import (
    DEFAULT_HOURS_SPEC,
    TimeBlock,
    WeekHours,
    blocks_problem,
    first_overlap,
    overlap_problem,
    overnight_hint,
    parse_hours,
)
from traystatus.qt.settings.form import ErrorLabel

DAY_LABELS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: a day switched on gets the hours of the nearest working day before it, else these
DEFAULT_DAY = parse_hours(DEFAULT_HOURS_SPEC).blocks(0)


def _qtime(t: time | None) -> QTime:
    return QTime(0, 0) if t is None else QTime(t.hour, t.minute)


class RangeRow(QWidget):
    """One range: start, end, a "next day" hint when it runs past midnight, and a remove button."""

    changed = Signal()
    remove = Signal(object)  # self

    def __init__(self, block: TimeBlock, day: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start, self.end = QTimeEdit(_qtime(block.start), self), QTimeEdit(_qtime(block.end), self)
        for edit, what in ((self.start, "start"), (self.end, "end")):
            edit.setDisplayFormat("HH:mm")
            edit.setAccessibleName(f"{day} {what}")
            edit.timeChanged.connect(self._changed)
        self.end.setToolTip("00:00 = midnight; an end before the start runs into the next day.")
        self.next_day = QLabel("next day", self)
        self.drop = QPushButton("Remove", self)
        self.drop.setAccessibleName(f"Remove this {day} range")
        self.drop.clicked.connect(lambda: self.remove.emit(self))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.start)
        lay.addWidget(QLabel("to", self))
        lay.addWidget(self.end)
        lay.addWidget(self.next_day)
        lay.addWidget(self.drop)
        lay.addStretch(1)
        self._changed()

    def block(self) -> TimeBlock:
        s, e = self.start.time(), self.end.time()
        end = None if (e.hour(), e.minute()) == (0, 0) else time(e.hour(), e.minute())
        return TimeBlock(start=time(s.hour(), s.minute()), end=end)

    def _changed(self) -> None:
        b = self.block()
        self.next_day.setVisible(b.end is not None and b.end < b.start)
        # 17:00 to 09:00 reads like a day typed backwards: say what it means and what was likely meant
        self.next_day.setText("next day — check" if overnight_hint(b) else "next day")
        self.next_day.setToolTip(overnight_hint(b))
        self.changed.emit()


class DayRow(QWidget):
    """A weekday: on/off, its ranges, "Add" (another range), and the reason its ranges do not work (if any)."""

    changed = Signal()

    def __init__(self, index: int, parent: QWidget | None = None, *, stacked: bool = False) -> None:
        super().__init__(parent)
        self.index, self.name = index, DAY_LABELS[index]
        self.on = QCheckBox(self.name, self)
        self.on.setAccessibleName(f"Work on {self.name}")
        self.on.toggled.connect(self._toggled)
        self.off_label = QLabel("Off", self)
        self.ranges: list[RangeRow] = []
        self.ranges_box = QVBoxLayout()
        self.ranges_box.setContentsMargins(0, 0, 0, 0)
        self.add = QPushButton("Add", self)
        self.add.setAccessibleName(f"Add a {self.name} range")
        self.add.setToolTip("Add a range, e.g. an afternoon after a lunch break")
        self.add.clicked.connect(self._add_after_last)
        self.error = ErrorLabel(self)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.off_label)
        right.addLayout(self.ranges_box)
        right.addWidget(self.error)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        if stacked:  # a narrow page (Settings at 200 %): the day above its ranges, Add under them
            grid.addWidget(self.on, 0, 0)
            grid.addLayout(right, 1, 0)
            right.addWidget(self.add, 0, Qt.AlignmentFlag.AlignLeft)
            right.setContentsMargins(self.fontMetrics().horizontalAdvance("M") * 2, 0, 0, 0)
            grid.setColumnStretch(0, 1)
        else:
            grid.addWidget(self.on, 0, 0, Qt.AlignmentFlag.AlignTop)  # beside its first range, however many
            grid.addLayout(right, 0, 1)
            grid.addWidget(self.add, 0, 2, Qt.AlignmentFlag.AlignTop)  # beside the ranges: a row less a day
            grid.setColumnMinimumWidth(0, self.fontMetrics().horizontalAdvance("Wednesday") + 32)
            grid.setColumnStretch(1, 1)
        self.fallback: tuple[TimeBlock, ...] = DEFAULT_DAY

    def set_blocks(self, blocks: tuple[TimeBlock, ...]) -> None:
        for row in list(self.ranges):
            self._drop(row, quiet=True)
        for b in blocks:
            self._add(b)
        self.on.blockSignals(True)
        self.on.setChecked(bool(blocks))
        self.on.blockSignals(False)
        self._refresh()

    def blocks(self) -> tuple[TimeBlock, ...]:
        if not self.on.isChecked():
            return ()
        return tuple(sorted((r.block() for r in self.ranges), key=lambda b: b.start))

    def problem(self) -> str:
        return blocks_problem(self.blocks())

    def _add(self, block: TimeBlock) -> RangeRow:
        row = RangeRow(block, self.name, self)
        row.changed.connect(self._refresh)
        row.remove.connect(self._drop)
        self.ranges.append(row)
        self.ranges_box.addWidget(row)
        return row

    def _add_after_last(self) -> None:
        last = self.ranges[-1].block() if self.ranges else None
        if last is not None and last.end is not None:  # an hour after the last range ends, for an hour
            start = time((last.end.hour + 1) % 24, last.end.minute)
            row = self._add(TimeBlock(start=start, end=time((start.hour + 1) % 24, start.minute)))
        else:
            row = self._add(DEFAULT_DAY[0])
        row.start.setFocus()
        self._refresh()

    def _drop(self, row: RangeRow, *, quiet: bool = False) -> None:
        self.ranges.remove(row)
        row.hide()
        row.deleteLater()
        if not quiet:
            if not self.ranges:
                self.on.setChecked(False)  # no range left: the day is off, said as such
            self._refresh()

    def _toggled(self, on: bool) -> None:
        if on and not self.ranges:
            for b in self.fallback:
                self._add(b)
        self._refresh()

    def _refresh(self) -> None:
        on = self.on.isChecked()
        self.off_label.setVisible(not on)
        for row in self.ranges:
            row.setVisible(on)
        self.add.setVisible(on)
        self.error.show_error(self.problem() if on else "")
        self.changed.emit()


class WeekEditor(QWidget):
    """Seven :class:`DayRow`; ``changed`` on any edit; ``hours()`` is the week, ``problem()`` what blocks it."""

    changed = Signal()

    def __init__(self, hours: WeekHours | None = None, parent: QWidget | None = None, *, stacked: bool = False) -> None:
        super().__init__(parent)
        self.setAccessibleName("Working hours")
        self.days = [DayRow(i, self, stacked=stacked) for i in range(7)]
        self.copy = QPushButton("Copy &Monday to Tuesday–Friday", self)
        self.copy.clicked.connect(self.copy_monday)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for day in self.days:
            day.changed.connect(self._changed)
            lay.addWidget(day)
        row = QHBoxLayout()
        row.addWidget(self.copy)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(1)  # spare height goes below the week, not between a day's parts
        self.set_hours(hours if hours is not None else parse_hours(DEFAULT_HOURS_SPEC))

    def set_hours(self, hours: WeekHours) -> None:
        for i, day in enumerate(self.days):
            day.blockSignals(True)
            day.set_blocks(hours.blocks(i))
            day.blockSignals(False)
        self._changed()

    def hours(self) -> WeekHours:
        return WeekHours(days=tuple(day.blocks() for day in self.days))

    def problem(self) -> str:
        for day in self.days:
            if day.on.isChecked() and day.problem():
                return f"{day.name}: {day.problem()}"
        week = [day.blocks() for day in self.days]
        if not any(week):
            return "Turn on at least one working day."
        clash = first_overlap(week, wrap=True)  # a night past midnight into the next day's first range
        if clash is not None:
            return f"{DAY_LABELS[clash[0]]}: {overlap_problem(clash, days=True)}"
        return ""

    def copy_monday(self) -> None:
        monday = self.days[0].blocks()
        for day in self.days[1:5]:
            day.set_blocks(monday)
        self._changed()

    def _changed(self) -> None:
        # a day switched on starts from the nearest working day before it (Saturday after Friday's hours)
        last: tuple[TimeBlock, ...] = DEFAULT_DAY
        for day in self.days:
            day.fallback = last
            last = day.blocks() or last
        self.changed.emit()
