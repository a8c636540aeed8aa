"""Tray icons per state from SVG files, with a light and a dark variant chosen for the panel's colour."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QIcon, QPalette

from traystatus.core.icon_state import IconState


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

    def __init__(self, icon_dir: Path, *, palette_only: bool = False, demo: bool = False) -> None:
        self._dir = icon_dir
        self.palette_only = palette_only
        self.demo = demo  # --demo: every icon carries a badge, so a demo is never taken for the real app
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
            self._cache[key] = _with_demo_badge(path.read_bytes()) if self.demo else QIcon(str(path))
        return self._cache[key]


#: the sizes trays ask for (16 px panels up to 2× HiDPI); each gets its own badge, sized to it
_BADGE_SIZES = (16, 22, 24, 32, 44, 48, 64)
DEMO_BADGE = "#f59e0b"  # amber: no state uses it


_SVG_SIZE = re.compile(rb'<svg([^>]*?) width="[^"]*" height="[^"]*"')


def _with_demo_badge(svg: bytes) -> QIcon:
    """The state icon (an SVG on a 32-unit grid) with an amber "D" badge in its lower right corner (a dot at
    16-24 px).

    The badge is added to the SVG and each size rendered by Qt's SVG reader: painting it with QPainter, the
    first pen or brush makes PySide6 build the whole ``Qt`` enum namespace (~25 ms here), a cost the icon
    would add to start-up before it is on screen (bench/bench_startup.py)."""
    from PySide6.QtGui import QPixmap

    out = QIcon()
    for size in _BADGE_SIZES:
        pixmap = QPixmap()
        if not pixmap.loadFromData(_badged(svg, size), "SVG"):
            raise ValueError("a tray icon is not an SVG the badge can be added to")
        out.addPixmap(pixmap)
    return out


def _badged(svg: bytes, size: int) -> bytes:
    """``svg`` drawn ``size`` px square, the badge's outline as wide as at that size it reads best."""
    unit = 32 / size  # one pixel, in the icon's units
    line = max(1.0, size / 24) * unit
    badge = (
        f'<circle cx="{24 - unit / 2:.3f}" cy="{24 - unit / 2:.3f}" r="8" fill="{DEMO_BADGE}" '
        f'stroke="#111827" stroke-width="{line:.3f}"/>'
    )
    if size >= 32:  # a "D": a stem and a bowl, 7.4 units tall
        badge += (
            '<path d="M21 19.8h1.9a3.7 3.7 0 0 1 0 7.4H21z" fill="none" stroke="#111827" '
            'stroke-width="1.9" stroke-linejoin="round"/>'
        )
    sized = _SVG_SIZE.sub(rf'<svg\1 width="{size}" height="{size}"'.encode(), svg, count=1)
    return sized.replace(b"</svg>", badge.encode() + b"</svg>")
