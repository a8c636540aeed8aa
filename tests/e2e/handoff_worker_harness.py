"""A real delivery process that dies by SIGKILL right after a message was accepted, before recording it.

Run with the same environment as the app (XDG dirs, TRAYSTATUS_* accounts): ``python -m
tests.e2e.handoff_worker_harness``. It delivers what the outbox holds like `traystatus notes deliver`.
"""

from __future__ import annotations

import os
import signal

from traystatus.adapters.handoff_delivery import Sender
from traystatus.app.handoff_service import HandoffService, build_senders
from traystatus.app.paths import AppPaths
from traystatus.core.handoff import HandoffNote
from traystatus.core.outbox import Delivery
from traystatus.core.settings import Settings


class DieAfterSend:
    def __init__(self, inner: Sender) -> None:
        self.inner = inner

    def send(self, note: HandoffNote, delivery: Delivery) -> str:
        self.inner.send(note, delivery)
        os.kill(os.getpid(), signal.SIGKILL)  # the power cut: accepted remotely, not recorded here
        raise AssertionError("unreachable")

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        return self.inner.find(note, delivery)


def main() -> int:
    settings = Settings()
    senders, problems = build_senders(settings)
    assert not problems, problems
    service = HandoffService(AppPaths.resolve(), settings, senders={k: DieAfterSend(v) for k, v in senders.items()})
    service.worker.retry_failed_now()
    for d in service.archive.open_deliveries():  # as if the rate limit's wait were over: due now
        service.worker.retry(d.note_id, d.destination)
    service.worker.deliver()
    return 3  # only reached when there was nothing to send


if __name__ == "__main__":
    raise SystemExit(main())
