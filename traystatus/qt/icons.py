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
            self._cache[key] = _with_demo_badge(QIcon(str(path))) if self.demo else QIcon(str(path))
        return self._cache[key]


#: the sizes trays ask for (16 px panels up to 2× HiDPI); each gets its own badge, sized to it
_BADGE_SIZES = (16, 22, 24, 32, 44, 48, 64)
DEMO_BADGE = "#f59e0b"  # amber: no state uses it


def _with_demo_badge(icon: QIcon) -> QIcon:
    """The state icon with an amber "D" badge in its lower right corner (a dot at 16-24 px)."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPainter, QPen

    out = QIcon()
    for size in _BADGE_SIZES:
        pixmap = icon.pixmap(size, size)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        d = size * 0.5
        rect = QRectF(size - d - 0.5, size - d - 0.5, d, d)
        painter.setPen(QPen(QColor("#111827"), max(1.0, size / 24)))
        painter.setBrush(QColor(DEMO_BADGE))
        painter.drawEllipse(rect)
        if size >= 32:
            font = QFont()
            font.setBold(True)
            font.setPixelSize(int(d * 0.7))
            painter.setFont(font)
            painter.setPen(QColor("#111827"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "D")
        painter.end()
        out.addPixmap(pixmap)
    return out
