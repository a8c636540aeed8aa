"""The system tray icon: renders a ``TrayView`` (icon, tooltip, menu) and shows the tray's own messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon

from traystatus.core.icon_state import IconState
from traystatus.qt.icons import IconSet

if TYPE_CHECKING:  # not imported at start-up before the icon is shown (first_icon)
    from traystatus.core.tray_view import TrayView
    from traystatus.qt.menu import TrayMenu

#: the tooltip of the icon shown at start-up, until the first view is rendered (milliseconds later)
STARTING_TOOLTIP = "traystatus: starting…"


def first_icon(icons: IconSet, parent: QObject) -> QSystemTrayIcon:
    """The tray icon, shown before the menu, the view model and the rest of the app are imported: the
    icon docks while they load (bench/bench_startup.py). :class:`Tray` then takes it over."""
    icon = QSystemTrayIcon(icons.icon(IconState.AVAILABLE), parent)
    icon.setToolTip(STARTING_TOOLTIP)
    icon.show()
    return icon


class Tray(QObject):
    """Owns the QSystemTrayIcon and its menu; a left click asks for the main popup."""

    activated = Signal()

    def __init__(
        self, icons: IconSet, menu: TrayMenu, parent: QObject | None = None, *, icon: QSystemTrayIcon | None = None
    ) -> None:
        """``icon``: the one :func:`first_icon` already showed, else a new one (shown by :meth:`show`)."""
        super().__init__(parent)
        self._icons = icons
        self.menu = menu
        self.icon = QSystemTrayIcon(self) if icon is None else icon
        self.icon.setParent(self)
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
