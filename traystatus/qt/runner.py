"""Run slow work (network, parsing) on a worker thread and hand the result back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object, object)  # callback, result (or the exception raised)


class _Job(QRunnable):
    def __init__(self, job: Callable[[], object], callback: Callable[[object], None], relay: _Relay) -> None:
        super().__init__()
        self.job, self.callback, self.relay = job, callback, relay

    def run(self) -> None:
        try:
            result: object = self.job()
        except Exception as e:  # handed to the callback, which shows it to the user
            result = e
        self.relay.done.emit(self.callback, result)


def _deliver(callback: Callable[[object], None], result: object) -> None:
    """Hand the result over, unless the widget that asked was closed and deleted meanwhile."""
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject) and not shiboken6.isValid(owner):
        return
    try:
        callback(result)
    except RuntimeError as e:  # a child widget of the asker was deleted with its window
        if "already deleted" not in str(e):
            raise


class ThreadRunner(QObject):
    """``runner(job, on_done)``: ``job`` runs on a pool thread; ``on_done(result_or_exception)`` on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.relay = _Relay(self)
        self.relay.done.connect(_deliver)

    def __call__(self, job: Callable[[], object], on_done: Callable[[object], None]) -> None:
        self.pool.start(_Job(job, on_done, self.relay))

    def wait(self, msecs: int = 5000) -> bool:
        return bool(self.pool.waitForDone(msecs))
