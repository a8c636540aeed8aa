"""A real process holding the handoff popup (offscreen), typed into from stdin, for the kill -9 test.

stdin lines: ``type <text>`` → QTest.keyClicks into the focused section, answers ``typed``;
on start it prints ``ready <json>`` with the texts the popup shows and the focused section and cursor.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QSocketNotifier
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from traystatus.adapters.draft_store import JsonDraftStore
from traystatus.core.handoff import HandoffSettings, new_draft
from traystatus.qt.handoff_popup import HandoffPopup


def main() -> int:
    app = QApplication(sys.argv[:1])
    store = JsonDraftStore.in_dir(Path(sys.argv[1]))
    popup = HandoffPopup(store.load() or new_draft(HandoffSettings(), None), save_draft=store.save)
    popup.show()
    popup.activateWindow()
    focus = next((i for i, e in enumerate(popup.editors) if e is popup.focusWidget()), -1)
    state = {
        "texts": [e.toPlainText() for e in popup.editors],
        "focus": focus,
        "cursor": popup.editors[focus].textCursor().position() if focus >= 0 else -1,
    }
    print("ready " + json.dumps(state, ensure_ascii=False), flush=True)
    buffer = b""

    def readable() -> None:
        nonlocal buffer
        chunk = os.read(0, 4096)
        if not chunk:
            app.quit()
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            cmd, _, arg = line.decode("utf-8").partition(" ")
            if cmd == "type":
                target = popup.focusWidget() or popup.editors[0]
                QTest.keyClicks(target, arg)
                print("typed", flush=True)

    notifier = QSocketNotifier(0, QSocketNotifier.Type.Read)
    notifier.activated.connect(readable)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
