"""What the layout harnesses measure on every widget that shows text: cut off at the bottom (a wrapped label
shorter than its text needs at its width) or narrower than it needs (anything else)."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QWidget

CHECKED = (QAbstractButton, QLabel, QLineEdit, QComboBox, QGroupBox)


def shown_text_widgets(root: QWidget) -> Iterator[tuple[QWidget, str]]:
    """Each visible text-showing widget under ``root`` (not a combo box's own parts), with a name for reports."""
    for w in root.findChildren(QWidget):
        if not isinstance(w, CHECKED) or not w.isVisible() or isinstance(w.parent(), QComboBox):
            continue
        name = w.accessibleName() or (w.text() if isinstance(w, QLabel | QAbstractButton) else "")
        yield w, f"{type(w).__name__} {name[:40]!r}"


def squeezed(w: QWidget, name: str) -> list[str]:
    if isinstance(w, QLabel) and w.wordWrap():
        if w.text() and w.height() < w.heightForWidth(w.width()):
            return [f"{name}: cut off at the bottom ({w.height()} < {w.heightForWidth(w.width())})"]
    elif w.width() < w.minimumSizeHint().width():
        return [f"{name}: {w.width()} px wide, needs {w.minimumSizeHint().width()}"]
    return []
