"""The team clock's colours, picked for the palette in use: working-hour bars, the overlap, the time marker and
the badges read on a light and on a dark theme alike (fixed hex colours would stay light in a dark theme)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from traystatus.core.world_clock import Badge


def is_dark(palette: QPalette) -> bool:
    """Whether the palette is a dark theme (judged by its window colour, as the settings window does)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way to ``b`` (8 bits a channel: what is painted is this colour)."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


@dataclass(frozen=True, slots=True)
class TimelineColors:
    """Every colour the team clock paints, for one palette."""

    track: QColor  # a person's day outside working hours
    night: QColor  # … and their night (22:00-07:00 theirs): darker in both themes
    working: QColor  # a person's working hours
    overlap: QColor  # the hours everyone picked works (the axis lane)
    band: QColor  # the same hours as a translucent band behind every row's bar
    marker: QColor  # the chosen instant
    grid: QColor  # the hour lines on the bars
    badges: dict[Badge, QColor]
    badge_text: QColor

    @classmethod
    def for_palette(cls, palette: QPalette) -> TimelineColors:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = is_dark(palette)
        # the light variants are Material 800 tones; the dark ones are lighter tones of the same hues, so a bar
        # is still seen against a dark track and white badge text keeps a 4.5:1 contrast on each
        overlap = QColor("#42a5f5" if dark else "#1565c0")
        band = QColor(overlap)
        band.setAlpha(70 if dark else 45)
        return cls(
            track=blend(base, text, 0.12),
            night=blend(base, text, 0.04 if dark else 0.24),
            working=QColor("#4caf50" if dark else "#2e7d32"),
            overlap=overlap,
            band=band,
            marker=QColor("#ff7961" if dark else "#d32f2f"),
            grid=blend(base, text, 0.35),
            badges={
                Badge.WORKING: QColor("#2e7d32"),
                Badge.OFF_HOURS: QColor("#795548" if dark else "#8d6e63"),
                Badge.NIGHT: QColor("#3949ab"),
            },
            badge_text=QColor("#ffffff"),
        )
