"""The team clock's list model: rows computed lazily for the chosen instant, who is picked for the overlap (a
check box per person), and each person's working hours over the slider's window (for the bars).

Model/view with a painting delegate (``team_delegate``) so a roster of 1,000 costs only the rows on screen when
the time moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QWidget

from traystatus.core.team import Person
from traystatus.core.team_timeline import hours_words, night_intervals
from traystatus.core.world_clock import Badge, Interval, Row, group_of, row_for, rows, working_intervals

ROW_ROLE = int(Qt.ItemDataRole.UserRole) + 1  # the core Row of a person entry (None for a header)
HEADER_ROLE = int(Qt.ItemDataRole.UserRole) + 2  # the team name of a header entry (None for a person)
BADGE_TEXT = {Badge.WORKING: "working", Badge.OFF_HOURS: "off hours", Badge.NIGHT: "night"}
_Index = QModelIndex | QPersistentModelIndex


class TeamModel(QAbstractListModel):
    """Entries: you, then per team a header and its people. Rows are computed on demand for ``instant``.

    Everyone is picked for the overlap at first; ``chosen_changed`` fires when a check box changes. ``day`` is the
    local day the bars show, ``marker`` the chosen instant on them, ``band`` the overlap drawn behind them."""

    chosen_changed = Signal()

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
        self._unpicked: set[int] = set()  # person indices left out of the overlap (everyone else is in)
        self._window: Interval | None = None  # the slider's window: the lanes cover it
        self._lanes: dict[int, list[Interval]] = {}  # person index (-1: you) -> working hours in the window
        self._nights: dict[int, list[Interval]] = {}  # … -> their nights in the window
        self.day: Interval | None = None
        self.marker: datetime | None = None
        self.band: list[Interval] = []
        self.ticks: list[datetime] = []  # the axis' hour ticks, drawn as short lines on each bar

    # -- inputs -----------------------------------------------------------------------------------
    def set_roster(self, me: Person, people: Sequence[Person], instant: datetime) -> None:
        """A new roster; the order (by team, then offset) is taken at ``instant``."""
        same = self._me == me and self._people == tuple(people)
        self._me, self._people, self._instant = me, tuple(people), instant
        if not same:
            self._unpicked.clear()
            self._lanes.clear()
            self._nights.clear()
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

    def set_window(self, window: Interval) -> None:
        """The slider's window changed: the lanes are computed again (lazily, for the rows painted)."""
        if window != self._window:
            self._window = window
            self._lanes.clear()
            self._nights.clear()

    def _person_of(self, entry: int) -> tuple[int, Person | None]:
        if not 0 <= entry < len(self._entries) or self._window is None:
            return -2, None
        kind, i = self._entries[entry]
        return i, self._me if kind == "me" else self._people[i] if kind == "person" else None

    def lane(self, entry: int) -> list[Interval]:
        """The working hours (UTC) of the person at ``entry`` over the window; [] for a header."""
        i, person = self._person_of(entry)
        if person is None or self._window is None:
            return []
        if i not in self._lanes:
            self._lanes[i] = working_intervals(person, *self._window)
        return self._lanes[i]

    def nights(self, entry: int) -> list[Interval]:
        """The nights (UTC) of the person at ``entry`` over the window, for the bar's shading."""
        i, person = self._person_of(entry)
        if person is None or self._window is None:
            return []
        if i not in self._nights:
            self._nights[i] = night_intervals(person, *self._window)
        return self._nights[i]

    # -- who is picked for the overlap ------------------------------------------------------------
    def is_chosen(self, entry: int) -> bool:
        """Whether the person at ``entry`` is picked (a header: all of its team shown)."""
        kind, i = self._entries[entry]
        if kind == "header":
            return all(p not in self._unpicked for p in self.team_under(entry))
        return kind == "me" or i not in self._unpicked

    def team_under(self, entry: int) -> list[int]:
        """The person indices listed under the header at ``entry`` (as the search shows them)."""
        out = []
        for kind, i in self._entries[entry + 1 :]:
            if kind != "person":
                break
            out.append(i)
        return out

    def header_state(self, entry: int) -> Qt.CheckState:
        team = self.team_under(entry)
        picked = sum(i not in self._unpicked for i in team)
        if picked == len(team):
            return Qt.CheckState.Checked
        return Qt.CheckState.PartiallyChecked if picked else Qt.CheckState.Unchecked

    def toggle(self, entry: int) -> None:
        """Pick or unpick the person at ``entry``; at a header, its whole team (all in unless all are in
        already). You are always in."""
        if not 0 <= entry < len(self._entries):
            return
        kind, _i = self._entries[entry]
        if kind == "person":
            self.setData(self.index(entry), 0 if self.is_chosen(entry) else 2, Qt.ItemDataRole.CheckStateRole)
        elif kind == "header":
            team = self.team_under(entry)
            if self.is_chosen(entry):
                self._unpicked.update(team)
            else:
                self._unpicked.difference_update(team)
            self.dataChanged.emit(
                self.index(entry), self.index(entry + len(team)), [int(Qt.ItemDataRole.CheckStateRole)]
            )
            self.chosen_changed.emit()

    def choose_all(self, chosen: bool) -> None:
        """Everyone in (``True``) or only you (``False``)."""
        self._unpicked = set() if chosen else set(range(len(self._people)))
        if self._entries:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._entries) - 1), [int(Qt.ItemDataRole.CheckStateRole)]
            )
        self.chosen_changed.emit()

    def chosen_people(self) -> list[Person]:
        """The teammates picked for the overlap, in roster order (filtered-out rows keep their check)."""
        return [p for i, p in enumerate(self._people) if i not in self._unpicked]

    @property
    def all_chosen(self) -> bool:
        return not self._unpicked

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
        if role == int(Qt.ItemDataRole.CheckStateRole) and kind == "person":
            return Qt.CheckState.Checked if i not in self._unpicked else Qt.CheckState.Unchecked
        if role == int(Qt.ItemDataRole.ToolTipRole) and kind != "header":
            row = self.row_at(index.row())
            if row is None:
                return None
            lines = [f"{row.name} · {row.zone}"]  # the whole name and zone, which a narrow row elides
            if self.day is not None and self._me is not None:
                yours = self._me.zone_at(self.day[0])
                words = hours_words(self.lane(index.row()), self.day, ZoneInfo(row.zone), yours)
                lines.append(f"{self.day[0].astimezone(yours):%a} {self.day[0].astimezone(yours).day}: {words}")
            if row.hours_source:
                lines.append(f"working hours {row.hours_source}")
            return "\n".join(lines)
        return None

    def setData(self, index: _Index, value: object, role: int = int(Qt.ItemDataRole.EditRole)) -> bool:
        if role != int(Qt.ItemDataRole.CheckStateRole) or not index.isValid():
            return False
        kind, i = self._entries[index.row()]
        if kind != "person":
            return False
        checked = value in (2, Qt.CheckState.Checked) or getattr(value, "value", None) == 2
        (self._unpicked.discard if checked else self._unpicked.add)(i)
        self.dataChanged.emit(index, index, [int(Qt.ItemDataRole.CheckStateRole)])
        self.chosen_changed.emit()
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._entries[index.row()][0] == "person":
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
