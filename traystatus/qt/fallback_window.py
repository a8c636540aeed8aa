"""When no system tray exists (GNOME without AppIndicator): a small window with the same information
and controls, saying why it is there."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from traystatus.core.tray_view import TrayView
from traystatus.qt.icons import IconSet
from traystatus.qt.menu import TrayMenu
from traystatus.qt.window_fit import grow_soon

NO_TRAY_TEXT = (
    "Your desktop shows no system tray, so traystatus runs in this window instead. "
    "On GNOME, install the “AppIndicator and KStatusNotifierItem Support” extension to get the tray icon."
)


class FallbackWindow(QWidget):
    """The tray's content as a window: state, next, health, and a button holding the tray menu."""

    def __init__(self, icons: IconSet, menu: TrayMenu, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fallbackWindow")
        self.setWindowTitle("traystatus")
        self._icons = icons
        self.menu = menu
        self.why = QLabel(NO_TRAY_TEXT)
        self.why.setWordWrap(True)
        self.state_label = QLabel()
        self.next_label = QLabel()
        self.health_label = QLabel()
        self.health_label.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.controls = QPushButton("Change status…")
        self.controls.setMenu(menu)
        layout = QVBoxLayout(self)
        for w in (self.why, self.state_label, self.next_label, self.health_label, self.message_label, self.controls):
            layout.addWidget(w)
        self.resize(380, 200)

    def show_view(self, view: TrayView) -> None:
        self.setWindowIcon(self._icons.icon(view.icon))
        lines = [view.notice, view.state_line, view.paused_line]
        self.state_label.setText("\n".join(t for t in lines if t))
        self.next_label.setText(f"Next: {view.next_line}" if view.next_line else "")
        self.health_label.setText("\n".join(h.text for h in view.health))
        self.menu.show_view(view)
        grow_soon(self)

    def show_message(self, title: str, message: str) -> None:
        """No tray balloon without a tray: show the latest message in the window itself."""
        self.message_label.setText(f"{title}: {message}")
        grow_soon(self)
