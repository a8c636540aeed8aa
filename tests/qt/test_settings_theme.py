"""The settings window follows the theme: with a dark palette every page is dark and its text readable
(palette colours only; the error lines pick a red that reads on the theme). Screenshots are kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from tests.fixtures.xvfb import SCREENSHOTS
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.form import ErrorLabel
from traystatus.qt.settings.window import SettingsWindow

DARK = {
    QPalette.ColorRole.Window: "#353535",
    QPalette.ColorRole.WindowText: "#f0f0f0",
    QPalette.ColorRole.Base: "#232323",
    QPalette.ColorRole.AlternateBase: "#353535",
    QPalette.ColorRole.Text: "#f0f0f0",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#f0f0f0",
    QPalette.ColorRole.Highlight: "#2a82da",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: "#a0a0a0",
    QPalette.ColorRole.ToolTipBase: "#232323",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
}
# Colour names and hex codes that would pin a widget to one theme.
FIXED_COLOURS = ("#", "rgb(", "white", "black", "gray", "grey", "silver")


def luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_contrast(widget: QWidget) -> float:
    """Contrast of the strongest ink against the commonest (background) colour of the rendered widget."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    counts: Counter[int] = Counter(
        image.pixel(x, y) for x in range(0, image.width(), 1) for y in range(0, image.height(), 1)
    )
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(contrast(background, QColor.fromRgb(p)) for p in counts)


@pytest.fixture
def dark_palette(qapp: QApplication) -> Iterator[QPalette]:
    previous = qapp.palette()
    dark = QPalette()
    for role, colour in DARK.items():
        dark.setColor(role, QColor(colour))
    qapp.setPalette(dark)  # what a desktop's dark theme hands Qt
    try:
        yield dark
    finally:
        qapp.setPalette(previous)


def open_window(qtbot: QtBot, tmp_path: Path) -> SettingsWindow:
    config = tmp_path / "config.toml"
    config.write_text('timezone = "Europe/Berlin"\n')
    window = SettingsWindow(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")), default_zone="UTC", runner=ThreadRunner()
    )
    qtbot.addWidget(window)
    window.show()
    return window


def visible_labels(page: QWidget) -> list[QLabel]:
    return [label for label in page.findChildren(QLabel) if label.isVisible() and label.text().strip()]


def test_dark_theme_pages_are_dark_and_readable(qtbot: QtBot, tmp_path: Path, dark_palette: QPalette) -> None:
    w = open_window(qtbot, tmp_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    checked = 0
    for page in w.pages:
        w.show_page(page.title)
        qtbot.waitUntil(page.isVisible, timeout=2000)
        shot = w.grab()
        shot.save(str(SCREENSHOTS / f"settings-{page.title.lower().replace(' ', '-')}-dark.png"))
        image = shot.toImage()
        corner = QColor.fromRgb(image.pixel(image.width() - 3, image.height() - 3))
        assert corner.lightness() < 90, f"{page.title}: the window background stays light in a dark theme"
        for label in visible_labels(page):
            assert text_contrast(label) >= 4.5, f"{page.title}: {label.text()!r} is hard to read"
            checked += 1
        for widget in [page, *page.findChildren(QWidget)]:
            sheet = widget.styleSheet().lower()
            if isinstance(widget, ErrorLabel):
                continue  # its red is picked from the palette's lightness (next test)
            assert not any(c in sheet for c in FIXED_COLOURS), f"{page.title}: fixed colour in {sheet!r}"
    assert checked > 20  # the form labels of every page were looked at


def test_error_lines_read_on_light_and_dark_and_follow_a_theme_switch(
    qtbot: QtBot, tmp_path: Path, qapp: QApplication
) -> None:
    w = open_window(qtbot, tmp_path)
    w.show_page("Status")
    page = w.page("Status")
    error = page.errors["status.meeting.emoji"]
    error.show_error("“calendar” is not an emoji name like :calendar:.")
    qtbot.waitUntil(error.isVisible, timeout=2000)
    light = text_contrast(error)
    assert light >= 4.5
    previous = qapp.palette()
    dark = QPalette()
    for role, colour in DARK.items():
        dark.setColor(role, QColor(colour))
    try:
        qapp.setPalette(dark)  # the desktop switches to dark while the window is open
        qtbot.waitUntil(lambda: error.palette().color(QPalette.ColorRole.Window).lightness() < 128, timeout=2000)
        assert text_contrast(error) >= 4.5
        assert error.palette().color(error.foregroundRole()).lightness() > 128  # a light red on dark
    finally:
        qapp.setPalette(previous)
