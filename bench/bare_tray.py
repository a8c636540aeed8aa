"""The baselines for ``bench/bench_startup.py``: the least a PySide6 tray app can be.

A QApplication, a QSystemTrayIcon with one SVG icon (the same file traystatus shows when available)
and a QMenu with a few entries, shown; then the event loop. Nothing else: no single-instance socket,
no logging set-up, no worker. Run: ``.venv/bin/python bench/bare_tray.py``.

``--with-stack``: the same app, and once the icon is shown it does the least any app on the project's
chosen stack must do for a first sync: start an APScheduler 3 ``BackgroundScheduler`` with one worker
thread, read the demo calendar with icalendar + recurring-ical-events on it, and create a requests
``Session`` (no network, as the demo sends nothing). It writes ``ready`` to the file named by
``BARE_READY_FILE`` when done. A floor for memory, not a competitor: no traystatus code at all.
``--lean`` (with ``--with-stack``): first the PySide6 source-scan fix traystatus applies
(``traystatus/qt/source_scan.py``, its only traystatus code), so that fix counts for both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "available-light.svg"


def first_sync_on_the_stack(calendar: Path) -> object:
    """What the stack itself costs: scheduler + worker, one calendar parsed and expanded, an HTTP session."""
    from datetime import UTC, datetime, timedelta

    import icalendar
    import recurring_ical_events
    import requests
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(executors={"default": ThreadPoolExecutor(max_workers=1)}, timezone=UTC)
    scheduler.start()
    now = datetime.now(UTC)
    cal = icalendar.Calendar.from_ical(calendar.read_bytes())
    events = list(recurring_ical_events.of(cal).between(now - timedelta(days=1), now + timedelta(days=30)))
    session = requests.Session()
    done = scheduler.add_job(lambda: len(events), "date", run_date=now)
    return (scheduler, session, done)


def main() -> int:
    if "--lean" in sys.argv:  # the same PySide6 fix ours applies first (docs/platform-notes.md)
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from traystatus.qt.source_scan import stop_caching_sources

        stop_caching_sources()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("bare-tray")
    app.setQuitOnLastWindowClosed(False)
    menu = QMenu()
    menu.addAction("Available").setEnabled(False)
    menu.addSeparator()
    for label in ("Do not disturb for 30 min", "Do not disturb for 1 h", "Away", "Back"):
        menu.addAction(label)
    menu.addSeparator()
    menu.addAction("Quit").triggered.connect(app.quit)
    tray = QSystemTrayIcon(QIcon(str(ICON)))
    tray.setToolTip("bare tray · available")
    tray.setContextMenu(menu)
    tray.show()
    if "--with-stack" in sys.argv:
        from PySide6.QtCore import QTimer

        kept: list[object] = []

        def sync() -> None:
            kept.append(first_sync_on_the_stack(Path(os.environ["BARE_CALENDAR"])))
            Path(os.environ["BARE_READY_FILE"]).write_text("ready")

        QTimer.singleShot(0, sync)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
