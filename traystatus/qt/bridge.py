"""Signals that carry results from the scheduler's worker thread to the GUI thread.

The bridge lives on the GUI thread; a signal emitted from another thread is queued and its
slots run on the GUI thread, so widgets are never touched from the worker.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Bridge(QObject):
    view_changed = Signal(object)  # a core.tray_view.TrayView
    notify = Signal(str, str)  # title, message: a notification for the user
    failed = Signal(str, str)  # title, message: something the user must know (a TrayStatusError)
    instance_message = Signal(str)  # a request forwarded by a second launch ("activate", "settings", …)
    ready = Signal(object)  # the pipeline (a StatusSync) was (re)built: features needing its settings can start

    def publish_view(self, view: object) -> None:
        """Thread-safe: call from any thread."""
        self.view_changed.emit(view)

    def publish_notification(self, title: str, message: str) -> None:
        self.notify.emit(title, message)

    def publish_failure(self, title: str, message: str) -> None:
        self.failed.emit(title, message)

    def publish_ready(self, sync: object) -> None:
        self.ready.emit(sync)
