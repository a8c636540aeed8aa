"""The system tray icon: renders a ``TrayView`` (icon, tooltip, menu) and shows the tray's own messages."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from traystatus.core.tray_view import TrayView
from traystatus.qt.icons import IconSet
from traystatus.qt.menu import TrayMenu


class Tray(QObject):
    """Owns the QSystemTrayIcon and its menu; a left click asks for the main popup."""

    activated = Signal()

    def __init__(self, icons: IconSet, menu: TrayMenu, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons = icons
        self.menu = menu
        self.icon = QSystemTrayIcon(self)
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._on_activated)
        self._view: TrayView | None = None
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # the desktop switched light/dark: swap the icon variant
            hints.colorSchemeChanged.connect(self._scheme_changed)

    @property
    def view(self) -> TrayView | None:
        return self._view

    def show_view(self, view: TrayView) -> None:
        self._view = view
        self.icon.setIcon(self._icons.icon(view.icon))
        # Some XEmbed hosts only pick up a tooltip set after the icon is embedded; setting it on
        # every render keeps it fresh (aw-qt does the same: ActivityWatch/aw-qt#35).
        self.icon.setToolTip(view.tooltip)
        self.menu.show_view(view)

    def _scheme_changed(self, *_: object) -> None:
        if self._view is not None:
            self.icon.setIcon(self._icons.icon(self._view.icon))

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def show_message(self, title: str, message: str) -> None:
        """The tray's own balloon: the fallback when there is no notification daemon."""
        self.icon.showMessage(title, message, QSystemTrayIcon.MessageIcon.Information, 8000)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.activated.emit()
