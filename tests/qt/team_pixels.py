"""Reading the team clock back from what it painted: the quarter hours its overlap lane shows in the overlap
colour, from a grab of the axis (any device pixel ratio). Shared by the offscreen and the virtual-screen tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtGui import QColor, QImage

from traystatus.qt.team_axis import TimelineAxis
from traystatus.qt.team_colors import TimelineColors
from traystatus.qt.team_delegate import timeline_x

QUARTER = timedelta(minutes=15)


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 = the same, 21 = black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def painted_overlap(axis: TimelineAxis) -> list[tuple[datetime, datetime]]:
    """The quarter hours the axis' lane paints in the overlap colour, merged into UTC intervals."""
    axis.repaint()
    image = axis.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    ratio = image.devicePixelRatio()
    colour = TimelineColors.for_palette(axis.palette()).overlap
    lane, day = axis.lane_rect, axis.day
    assert day is not None, "the axis shows no day yet"
    out: list[tuple[datetime, datetime]] = []
    t = day[0]
    while t < day[1]:
        x = timeline_x(t + QUARTER / 2, day, lane.left(), lane.width())
        pixel = QColor.fromRgb(image.pixel(int(x * ratio), int(lane.center().y() * ratio)))
        if contrast(pixel, colour) < 1.1:
            if out and out[-1][1] == t:
                out[-1] = (out[-1][0], t + QUARTER)
            else:
                out.append((t, t + QUARTER))
        t += QUARTER
    return out
