"""Run slow work (network, parsing) on a worker thread and hand the result back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

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


class ThreadRunner(QObject):
    """``runner(job, on_done)``: ``job`` runs on a pool thread; ``on_done(result_or_exception)`` on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.relay = _Relay(self)
        self.relay.done.connect(lambda callback, result: callback(result))

    def __call__(self, job: Callable[[], object], on_done: Callable[[object], None]) -> None:
        self.pool.start(_Job(job, on_done, self.relay))

    def wait(self, msecs: int = 5000) -> bool:
        return bool(self.pool.waitForDone(msecs))
