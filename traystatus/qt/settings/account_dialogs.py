"""Connect dialogs for the Accounts page: a Slack token, a Matrix login.

A dialog stays open while the service checks what was typed; a refusal is shown under the field it is
about (``ConfigError.key``), never with the secret. Secret fields are emptied when the dialog closes.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from traystatus.qt.settings.form import ErrorLabel, describe_result, labelled_field
from traystatus.qt.settings.slack_guide import GuideScroll, SlackGuide


class ConnectDialog(QDialog):
    """Fields with an error line each; OK emits ``submitted`` (the page runs the check) instead of closing."""

    submitted = Signal()

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.intro = QLabel(intro, self)
        self.intro.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLineEdit] = {}
        self.errors: dict[str, ErrorLabel] = {}
        self.progress = QLabel("", self)
        self.progress.setWordWrap(True)
        self.progress.setAccessibleName("Progress")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Connect")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = self.body = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(self.form)
        lay.addWidget(self.progress)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 36)

    def add_field(
        self, key: str, label: str, *, placeholder: str = "", secret: bool = False, help_text: str = ""
    ) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        caption, box, error = labelled_field(self, label, edit, help_text)
        assert caption is not None  # a line edit always gets its caption
        self.form.addRow(caption, box)
        if not self.fields:
            edit.setFocus()  # typing starts in the first field
        self.fields[key], self.errors[key] = edit, error
        return edit

    def values(self) -> dict[str, str]:
        return {key: edit.text() for key, edit in self.fields.items()}

    def submit(self) -> None:
        for error in self.errors.values():
            error.show_error("")
        self.set_busy(True)
        self.submitted.emit()

    def set_busy(self, busy: bool, text: str = "Checking with the service…") -> None:
        self.ok.setEnabled(not busy)
        self.progress.setText(text if busy else "")

    def failed(self, error: object, default_key: str) -> None:
        """Show ``error`` under its field (or ``default_key``'s) and put the cursor there to fix it."""
        self.set_busy(False)
        key = getattr(error, "key", "") or default_key
        key = key if key in self.fields else default_key
        self.errors[key].show_error(describe_result(error))
        self.fields[key].setFocus()
        self.fields[key].selectAll()

    def done(self, result: int) -> None:
        for edit in self.fields.values():
            if edit.echoMode() == QLineEdit.EchoMode.Password:
                edit.clear()  # the secret does not linger in a hidden dialog
        super().done(result)


class SlackTokenDialog(ConnectDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Connect Slack",
            'Paste the "User OAuth Token" (xoxp-…) from your Slack app\'s OAuth & '
            "Permissions page. It is checked with Slack and kept in the system keyring.",
            parent,
        )
        self.guide = SlackGuide()
        self.guide_area = GuideScroll(self.guide, self)
        self.body.insertWidget(1, self.guide_area)  # under the intro, above the token field it leads to
        self.guide.grown.connect(lambda: QTimer.singleShot(0, self, self.fit))
        self.token = self.add_field("token", "User &token", placeholder="xoxp-…", secret=True)
        self.name = self.add_field(
            "name",
            "&Name (optional)",
            placeholder="the workspace's name",
            help_text="What to call this workspace in traystatus.",
        )

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        super().showEvent(event)
        QTimer.singleShot(0, self, self.fit)  # Qt sizes a new window to 2/3 of the screen at most: use it all

    def fit(self) -> None:
        """As large as the guide now needs, within the screen (the guide scrolls past half of it)."""
        self.body.activate()
        available = self.screen().availableGeometry()
        hint = self.sizeHint()
        self.resize(min(max(self.width(), hint.width()), available.width()), min(hint.height(), available.height()))


class MatrixLoginDialog(ConnectDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Connect a Matrix account",
            "Log in with your password: traystatus keeps the token the "
            "homeserver gives (in the system keyring), not the password.",
            parent,
        )
        self.user = self.add_field("user", "&User id", placeholder="@me:example.org")
        self.password = self.add_field("password", "&Password", secret=True)
        self.homeserver = self.add_field(
            "homeserver",
            "&Homeserver",
            placeholder="(found from your user id)",
            help_text="Only if it cannot be found from your user id (.well-known).",
        )
