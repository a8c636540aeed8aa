"""An editable table bound to an array of tables in the config (calendars, exceptions, travel, people)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.settings_editing import SettingsDocument

_VALUE = Qt.ItemDataRole.UserRole  # the value behind a cell that shows it redacted
_SHOWN = Qt.ItemDataRole.UserRole + 1  # what that cell shows


class ItemsTable(QWidget):
    """Rows = tables of ``key``; ``columns`` = (field, header). Edits emit ``edited(key, rows)``."""

    edited = Signal(str, object)

    def __init__(
        self,
        doc: SettingsDocument,
        key: str,
        columns: Sequence[tuple[str, str]],
        label: str,
        parent: QWidget | None = None,
        *,
        add_text: str = "Add",
        shown: Callable[[str, str], str] | None = None,
    ) -> None:
        """``shown(field, value)``: the text a cell shows for a value (a secret address redacted); the value
        itself stays behind the cell and is what the row keeps unless the cell is edited."""
        super().__init__(parent)
        self.doc, self.key, self.columns = doc, key, list(columns)
        self.shown = shown
        self.table = QTableWidget(0, len(columns), self)
        self.table.setHorizontalHeaderLabels([h for _, h in columns])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move between cells
        self.table.setAccessibleName(label)
        self.add_button = QPushButton(add_text, self)
        self.remove_button = QPushButton("Remove", self)
        self.add_button.setAccessibleName(f"{add_text} ({label})")
        self.remove_button.setAccessibleName(f"Remove selected ({label})")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        lay.addLayout(buttons)
        self.add_button.clicked.connect(lambda: self.append({}))
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemChanged.connect(lambda _item: self._emit())

    def load(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for item in self.doc.items(self.key):
            self._add_row(item)
        self.table.blockSignals(False)

    def _add_row(self, item: dict[str, object]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, (name, _) in enumerate(self.columns):
            value = item.get(name, "")
            text = "" if value is None else str(value)
            cell = QTableWidgetItem(text)
            if self.shown is not None and (shown := self.shown(name, text)) != text:
                cell.setText(shown)
                cell.setData(_VALUE, text)
                cell.setData(_SHOWN, shown)
                cell.setToolTip("Kept hidden: type a new value to replace it.")
            self.table.setItem(row, col, cell)

    def append(self, item: dict[str, object]) -> None:
        self.table.blockSignals(True)
        self._add_row(item)
        self.table.blockSignals(False)
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self._emit()

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self._emit()

    def rows(self) -> list[dict[str, object]]:
        out = []
        for row in range(self.table.rowCount()):
            item: dict[str, object] = {}
            for col, (name, _) in enumerate(self.columns):
                cell = self.table.item(row, col)
                text = cell.text().strip() if cell else ""
                if cell is not None and cell.data(_SHOWN) is not None and cell.text() == cell.data(_SHOWN):
                    text = str(cell.data(_VALUE))  # shown redacted, unchanged: the real value stays
                if text:
                    item[name] = _typed(name, text)
            out.append(item)
        return out

    def _emit(self) -> None:
        self.edited.emit(self.key, self.rows())


def _typed(name: str, text: str) -> object:
    """Whole numbers stay numbers in the file (``refresh_minutes = 15``, not ``"15"``)."""
    if text.isdigit() and name.endswith(("minutes", "hours")) and name != "hours":
        return int(text)
    return text
