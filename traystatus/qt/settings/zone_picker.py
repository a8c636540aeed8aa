"""A time zone field's completer: the list follows ``core.zone_search`` (city names, no accents needed), shows
"City — Area/City" and puts the zone itself in the field."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit

from traystatus.core.zone_search import ZoneMatch, search_zones
from traystatus.qt.settings.pages import ZONES

ZONE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCHED = [*ZONES, "UTC"]


class ZoneCompleter(QCompleter):
    """Installed on ``field`` (``field.setCompleter(ZoneCompleter(field))``); matches again on every edit."""

    def __init__(self, field: QLineEdit) -> None:
        super().__init__(field)
        self.matches = QStandardItemModel(self)
        self.setModel(self.matches)
        # the model is already the matches: Qt must not filter it again by prefix
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.setMaxVisibleItems(10)
        field.textEdited.connect(self._edited)
        # QLineEdit puts a completion in only for the completion modes that filter themselves: do it here
        self.activated.connect(field.setText)

    def update_matches(self, text: str) -> list[ZoneMatch]:
        found = search_zones(text, SEARCHED)
        self.matches.clear()
        for m in found:
            item = QStandardItem(m.label)
            item.setData(m.zone, ZONE_ROLE)
            item.setEditable(False)
            self.matches.appendRow(item)
        return found

    def _edited(self, text: str) -> None:
        if self.update_matches(text):
            self.complete()
        elif (popup := self.popup()) is not None:
            popup.hide()

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:  # Qt's name
        return str(index.data(ZONE_ROLE) or index.data())
