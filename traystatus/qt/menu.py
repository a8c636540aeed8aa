"""The tray menu: state and until when, what comes next, overrides, pause, service health, windows, log, quit.

It renders a ``TrayView`` and emits intents; it decides nothing itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from traystatus.core.overrides import CHOICES, Choice
from traystatus.core.tray_view import TrayView

#: Entries that open other windows, in menu order: (key, label). The app passes those it can open.
WINDOW_ENTRIES: tuple[tuple[str, str], ...] = (
    ("team", "Team clock…"),
    ("handoff", "Write handoff note…"),
    ("notes", "Handoff history…"),
    ("settings", "Settings…"),
)
#: The windows of the features built after the first pass (qt/tray_features.LateFeatures).
FEATURE_WINDOWS = ("team", "handoff", "notes")


class TrayMenu(QMenu):
    choice_selected = Signal(object)  # a core.overrides.Choice
    entry_selected = Signal(str)  # "team" | "handoff" | "notes" | "settings" | "log" | "fix:<service>"
    quit_requested = Signal()

    def __init__(self, windows: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trayMenu")
        self._windows = tuple(key for key, _ in WINDOW_ENTRIES if key in windows)
        self._pending: TrayView | None = None
        self._view: TrayView | None = None
        self.aboutToHide.connect(self._apply_pending)

    @property
    def view(self) -> TrayView | None:
        return self._view

    def show_view(self, view: TrayView) -> None:
        """Show ``view``; while the menu is open the update waits until it closes (items do not jump)."""
        if self.isVisible():
            self._pending = view
            return
        self._build(view)

    def _apply_pending(self) -> None:
        # Not now: QMenu hides itself (aboutToHide) *before* it triggers the chosen action, and rebuilding
        # deletes that action under it (a crash). Rebuild once the event loop is back.
        if self._pending is not None:
            QTimer.singleShot(0, self, self._rebuild_pending)

    def _rebuild_pending(self) -> None:
        if self._pending is not None and not self.isVisible():
            view, self._pending = self._pending, None
            self._build(view)

    def _info(self, text: str) -> None:
        action = self.addAction(text)
        action.setEnabled(False)

    def _build(self, view: TrayView) -> None:
        self._view = view
        self.clear()
        if view.notice:
            self._info(view.notice)
        self._info(view.state_line)
        if view.paused_line:
            self._info(view.paused_line)
        if view.next_line:
            self._info(f"Next: {view.next_line}")
        group = ""
        for spec in CHOICES:
            if spec.group != group:
                self.addSeparator()
                group = spec.group
            if spec.choice is Choice.BACK and not (view.overridden or view.paused):
                continue  # nothing to come back from
            action = self.addAction(spec.label)
            action.setData(spec.choice.value)
            action.triggered.connect(lambda _=False, c=spec.choice: self.choice_selected.emit(c))
        if view.health:
            self.addSeparator()
            for line in view.health:
                action = self.addAction(line.text)
                if line.needs_action:
                    action.triggered.connect(lambda _=False, n=line.name: self.entry_selected.emit(f"fix:{n}"))
                else:
                    action.setEnabled(False)
        self.addSeparator()
        labels = dict(WINDOW_ENTRIES)
        for key in self._windows:
            self._entry(labels[key], key)
        self._entry("Open log", "log")
        quit_action = self.addAction("Quit")
        quit_action.setData("quit")
        quit_action.triggered.connect(self.quit_requested.emit)

    def _entry(self, label: str, key: str) -> None:
        action = self.addAction(label)
        action.setData(key)
        action.triggered.connect(lambda _=False: self.entry_selected.emit(key))

    def action_for(self, data: str) -> QAction:
        """The action whose data is ``data`` (a Choice value or an entry key); for tests and automation."""
        for action in self.actions():
            if action.data() == data:
                return action
        raise KeyError(data)

    def texts(self) -> list[str]:
        return [a.text() for a in self.actions() if not a.isSeparator()]
