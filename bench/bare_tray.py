"""The baseline for ``bench/bench_startup.py``: the least a PySide6 tray app can be.

A QApplication, a QSystemTrayIcon with one SVG icon (the same file traystatus shows when available)
and a QMenu with a few entries, shown; then the event loop. Nothing else: no single-instance socket,
no logging set-up, no worker. Run: ``.venv/bin/python bench/bare_tray.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

ICON = Path(__file__).resolve().parent.parent / "resources" / "icons" / "available-light.svg"


def main() -> int:
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
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
