"""Small windows grow to show their wrapped text whole when it changes.

Qt sizes a top-level window once, when it is shown; a word-wrapped label that gets a longer text later (an
error under a field, a hint, a message) is then squeezed into the old height and cut off at the bottom, as
a layout's height-for-width is not applied to top-level windows. :func:`grow_to_fit` makes the window as
tall as its layout needs at its current width (never narrower, never shorter, never past the screen);
:func:`grow_soon` does it once the layout has taken the new text in.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget


def grow_to_fit(window: QWidget) -> None:
    layout = window.layout()
    if layout is None or not window.isVisible():
        return
    layout.activate()
    width = window.width()
    need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
    need = max(need, layout.totalMinimumSize().height())
    screen = window.screen()
    if screen is not None:  # the frame's title bar and borders come on top of the client height
        frame_extra = window.frameGeometry().height() - window.geometry().height()
        need = min(need, screen.availableGeometry().height() - max(frame_extra, 0))
    if need > window.height():
        window.resize(width, need)


def grow_soon(widget: QWidget) -> None:
    """After a text change in ``widget``: grow its window once the layout has been updated."""
    window = widget.window()
    QTimer.singleShot(0, window, lambda: grow_to_fit(window))


def fit_on_screen(window: QWidget) -> None:
    """Make a window that asked for a size bigger than its screen (200 % scaling on a small one) fit it;
    its scroll areas then carry what no longer shows at once."""
    screen = window.screen()
    if screen is None:
        return
    area = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w = max(frame.width() - window.width(), 0)
    extra_h = max(frame.height() - window.height(), 0)
    width = min(window.width(), area.width() - extra_w)
    height = min(window.height(), area.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
