"""The "Add a calendar address" dialog: the address, and its kind (detected from the address, or chosen)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QWidget

from traystatus.core.calendar_kind import guess_calendar_kind
from traystatus.core.calendar_secret import address_name, holds_secret_address
from traystatus.qt.window_fit import grow_soon

KEYRING_NOTE = "This address is a password: it is kept in the OS keyring, and the config file only names it."
KIND_NAMES = {"ics": "ICS feed (a published or secret address)", "caldav": "CalDAV (a calendar on a server account)"}


class AddCalendarDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a calendar address")
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://… or webcal://…")
        self.url.setAccessibleName("Calendar address")
        self.kind = QComboBox(self)
        self.kind.addItem("Detect from the address", "")
        for value, text in KIND_NAMES.items():
            self.kind.addItem(text, value)
        self.kind.setAccessibleName("Calendar kind")
        self.detected = QLabel("", self)
        self.detected.setWordWrap(True)
        self.detected.setAccessibleName("Detected kind")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Address", self.url)
        form.addRow("&Kind", self.kind)
        form.addRow(self.detected)
        form.addRow(buttons)
        self.url.textChanged.connect(self._update)
        self.kind.currentIndexChanged.connect(self._update)
        self._update()

    def chosen_kind(self) -> str:
        """The kind picked in the list; with "Detect", the guess from the address."""
        return str(self.kind.currentData() or guess_calendar_kind(self.url.text()))

    def item(self) -> dict[str, object] | None:
        url = self.url.text().strip()
        if not url:
            return None
        name = address_name(url)
        return {"name": name, "kind": self.chosen_kind(), "url": url}

    def _update(self) -> None:
        url = self.url.text().strip()
        texts = []
        if url and not self.kind.currentData():
            texts.append(f"Read as: {KIND_NAMES[self.chosen_kind()]}. Choose the kind if that is wrong.")
        if holds_secret_address(url):
            texts.append(KEYRING_NOTE)
        self.detected.setText(" ".join(texts))
        grow_soon(self.detected)
