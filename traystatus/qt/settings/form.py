"""A settings page: fields bound to dotted config keys, each with its own error line for screen readers too."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.errors import TrayStatusError
from traystatus.core.settings_editing import SettingsDocument
from traystatus.qt.window_fit import grow_soon


def describe_result(result: object) -> str:
    """A runner's result as one line for people: an error's title and message, else the value."""
    if isinstance(result, TrayStatusError):
        return f"{result.title}: {result.message}"
    if isinstance(result, Exception):
        return f"Failed: {result}"
    return str(result)


# Error text colours with >= 4.5:1 contrast on typical light (#efefef) and dark (#353535) window colours.
ERROR_ON_LIGHT, ERROR_ON_DARK = "#b3261e", "#ff8a80"


def labelled_field(
    parent: QWidget, label: str, widget: QWidget, help_text: str = ""
) -> tuple[QLabel | None, QWidget, ErrorLabel]:
    """``widget`` named for screen readers, with its help as tooltip, in a box with its error line under it;
    the caption (buddy of the widget, so its mnemonic works) unless it is a check box, which has its own."""
    caption: QLabel | None = None
    if not isinstance(widget, QCheckBox):
        caption = QLabel(label, parent)
        caption.setBuddy(widget)
    widget.setAccessibleName(label.replace("&", ""))
    if help_text:
        widget.setToolTip(help_text)
        widget.setAccessibleDescription(help_text)
    box = QWidget(parent)
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(widget)
    error = ErrorLabel(box)
    lay.addWidget(error)
    return caption, box, error


class ErrorLabel(QLabel):
    """The error shown under a field; hidden when there is none."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Error")
        font = self.font()
        font.setBold(True)
        self.setFont(font)
        self._recolour()
        self.hide()

    def _recolour(self) -> None:
        """A red that reads on the theme's window colour (light or dark), picked again when the theme changes.

        Set as a palette role, not a style sheet: a style sheet would freeze the whole palette of the label.
        """
        palette = self.palette()
        dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
        colour = QColor(ERROR_ON_DARK if dark else ERROR_ON_LIGHT)
        if palette.color(QPalette.ColorRole.WindowText) != colour:
            palette.setColor(QPalette.ColorRole.WindowText, colour)
            self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))
        if message and isinstance(self.window(), QDialog):  # a dialog does not grow by itself: it would cut it
            grow_soon(self)


def note_box(title: str, note: str, parent: QWidget) -> tuple[QGroupBox, QVBoxLayout]:
    """A short group title (titles never wrap) with the longer explanation as a wrapping line under it,
    so a narrow window (200 % scaling on a small screen) needs no sideways scrolling."""
    box = QGroupBox(title, parent)
    lay = QVBoxLayout(box)
    if note:
        label = QLabel(note, box)
        label.setWordWrap(True)
        lay.addWidget(label)
    return box, lay


class FormPage(QWidget):
    """Base page: ``add_*`` builds a labelled field for a key; edits emit ``edited(key, value)``.

    Values that are not in the file show the effective default. The window validates the whole
    document after every edit and calls :meth:`show_errors` with the key that failed.
    """

    edited = Signal(str, object)
    title = "Page"

    def __init__(self, doc: SettingsDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.outer = QVBoxLayout(self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.outer.addLayout(self.form)
        self.errors: dict[str, ErrorLabel] = {}
        self.loaders: list[Callable[[], None]] = []

    # -- building ---------------------------------------------------------------------------
    def _row(self, key: str, label: str, widget: QWidget, help_text: str) -> None:
        lbl, box, self.errors[key] = labelled_field(self, label, widget, help_text)
        if lbl is None:
            self.form.addRow(box)
        else:
            self.form.addRow(lbl, box)

    def add_check(self, key: str, label: str, default: bool, help_text: str = "") -> QCheckBox:
        w = QCheckBox(label, self)
        self._row(key, label, w, help_text)

        def load() -> None:
            w.blockSignals(True)
            w.setChecked(bool(self.doc.get(key, default)))
            w.blockSignals(False)

        self.loaders.append(load)
        w.toggled.connect(lambda on: self.edited.emit(key, bool(on)))
        return w

    def add_text(self, key: str, label: str, default: str, help_text: str = "", placeholder: str = "") -> QLineEdit:
        w = QLineEdit(self)
        w.setPlaceholderText(placeholder)
        self._row(key, label, w, help_text)

        def load() -> None:
            w.blockSignals(True)
            w.setText(str(self.doc.get(key, default)))
            w.blockSignals(False)

        self.loaders.append(load)
        w.textEdited.connect(lambda text: self.edited.emit(key, text))
        return w

    def add_int(
        self, key: str, label: str, default: int, minimum: int, maximum: int, help_text: str = "", suffix: str = ""
    ) -> QSpinBox:
        w = QSpinBox(self)
        w.setRange(minimum, maximum)
        w.setSuffix(suffix)
        self._row(key, label, w, help_text)

        def load() -> None:
            w.blockSignals(True)
            value = self.doc.get(key, default)
            w.setValue(value if isinstance(value, int) else default)
            w.blockSignals(False)

        self.loaders.append(load)
        w.valueChanged.connect(lambda v: self.edited.emit(key, int(v)))
        return w

    def add_choice(
        self,
        key: str,
        label: str,
        default: str,
        choices: Iterable[tuple[str, str]],
        help_text: str = "",
        editable: bool = False,
    ) -> QComboBox:
        """``choices`` are (value, shown text). An editable combo also accepts typed values (zones)."""
        w = QComboBox(self)
        w.setEditable(editable)
        # as wide as the layout gives, not as the longest zone name: a narrow window needs no sideways scrolling
        w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        w.setMinimumContentsLength(12)
        for value, text in choices:
            w.addItem(text, value)
        if editable:
            completer = QCompleter([w.itemText(i) for i in range(w.count())], w)
            completer.setFilterMode(completer.filterMode().MatchContains)
            w.setCompleter(completer)
        self._row(key, label, w, help_text)

        def load() -> None:
            w.blockSignals(True)
            value = str(self.doc.get(key, default))
            i = w.findData(value)
            if i >= 0:
                w.setCurrentIndex(i)
            elif editable:
                w.setEditText(value)
            w.blockSignals(False)

        self.loaders.append(load)
        if editable:
            w.editTextChanged.connect(lambda text: self.edited.emit(key, text))
        else:
            w.currentIndexChanged.connect(lambda _i: self.edited.emit(key, w.currentData()))
        return w

    def add_lines(self, key: str, label: str, default: Iterable[str], help_text: str = "") -> QPlainTextEdit:
        """A list of strings, one per line."""
        w = QPlainTextEdit(self)
        w.setTabChangesFocus(True)  # keyboard users leave the field with Tab
        w.setFixedHeight(w.fontMetrics().lineSpacing() * 6 + 12)
        self._row(key, label, w, help_text)
        default = list(default)

        def load() -> None:
            w.blockSignals(True)
            value = self.doc.get(key, default)
            w.setPlainText("\n".join(str(v) for v in value) if isinstance(value, list) else "")
            w.blockSignals(False)

        self.loaders.append(load)
        w.textChanged.connect(
            lambda: self.edited.emit(key, [line.strip() for line in w.toPlainText().splitlines() if line.strip()])
        )
        return w

    # -- state ------------------------------------------------------------------------------
    def load(self) -> None:
        for loader in self.loaders:
            loader()

    def show_errors(self, key: str, message: str) -> bool:
        """Show ``message`` next to the field for ``key`` (or its closest parent); True if shown here."""
        shown = False
        for field_key, label in self.errors.items():
            hit = bool(key) and (key == field_key or key.startswith(field_key + ".") or key.startswith(field_key + "["))
            label.show_error(message if hit and not shown else "")
            shown = shown or hit
        return shown
