"""Tray icons per state from SVG files, with a light and a dark variant chosen for the panel's colour."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon, QPalette

from traystatus.core.tray_view import IconState


def palette_is_dark() -> bool:
    """The palette's judgement alone: what the icon shown at start-up uses (asking the colour scheme loads
    PySide6's whole ``Qt`` namespace, ~20 ms; the first pass re-renders with the full answer)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def panel_is_dark() -> bool:
    """Whether the desktop uses a dark scheme (Qt ≥ 6.5 knows; else judge the palette's window colour)."""
    from PySide6.QtCore import Qt

    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return palette_is_dark()


class IconSet:
    """Loads ``<state>-<light|dark>.svg`` from ``icon_dir`` once and hands out QIcons."""

    def __init__(self, icon_dir: Path, *, palette_only: bool = False) -> None:
        self._dir = icon_dir
        self.palette_only = palette_only
        self._cache: dict[tuple[IconState, bool], QIcon] = {}

    def path(self, state: IconState, *, dark: bool) -> Path:
        return self._dir / f"{state.value}-{'dark' if dark else 'light'}.svg"

    def icon(self, state: IconState, *, dark: bool | None = None) -> QIcon:
        if dark is None:
            dark = palette_is_dark() if self.palette_only else panel_is_dark()
        key = (state, dark)
        if key not in self._cache:
            path = self.path(state, dark=dark)
            if not path.is_file():
                raise FileNotFoundError(f"tray icon {path} is missing")
            self._cache[key] = QIcon(str(path))
        return self._cache[key]
