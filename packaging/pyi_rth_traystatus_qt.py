"""PyInstaller runtime hook: point Qt at the bundled plugins without importing Qt.

It replaces PyInstaller's own PySide6 hook, which imports QtCore at every start: ~50 ms and 20 MB for CLI
commands that never touch Qt. PySide6 wheels register their own qt.conf when QtCore is first imported.
"""

import os
import sys


def _point_qt_at_the_bundle() -> None:
    base = sys._MEIPASS  # type: ignore[attr-defined]  # set by the PyInstaller bootloader
    qt = base + os.sep + "PySide6" + ("" if sys.platform == "win32" else os.sep + "Qt")
    os.environ["QT_PLUGIN_PATH"] = qt + os.sep + "plugins"
    os.environ["QML2_IMPORT_PATH"] = qt + os.sep + "qml"
    if sys.platform == "win32":  # QtNetwork finds OpenSSL DLLs collected next to the executable
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")


_point_qt_at_the_bundle()
del _point_qt_at_the_bundle
