"""The end-of-day handoff popup: one editor per template section, continuous draft saving, submit
with "Sign off", and the per-destination delivery state with a Retry button.

Use::

    popup = HandoffPopup(draft, save_draft=store.save, prompt=True)   # draft: core.handoff.HandoffDraft
    popup.submitted.connect(on_submit)        # HandoffDraft: store it, deliver it, sign off if draft.sign_off
    popup.snoozed.connect(on_snooze)          # int minutes (15 or 60); prompt=True only
    popup.skipped.connect(on_skip)            # skip today; prompt=True only
    popup.retry_requested.connect(on_retry)   # (note_id, destination)
    popup.post_deliveries(note_id, deliveries)  # thread-safe: shows core.outbox.Delivery states
    popup.post_sign_off("Signed off until Tue 09:00", True)   # thread-safe
    popup.show()

``save_draft`` is called at most ``autosave_ms`` (default 500 ms) after the first unsaved keystroke,
even while typing goes on, and when the popup closes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import SNOOZE_CHOICES, HandoffDraft, NoteSection
from traystatus.core.outbox import Delivery, DeliveryStatus, describe
from traystatus.qt.window_fit import fit_on_screen

log = logging.getLogger(__name__)


class HandoffPopup(QWidget):
    submitted = Signal(object)  # HandoffDraft
    snoozed = Signal(int)
    skipped = Signal()
    retry_requested = Signal(str, str)
    mark_sent_requested = Signal(str, str)  # (note_id, destination): the user found it in the channel
    _deliveries_posted = Signal(str, object)  # from any thread → the GUI thread
    _sign_off_posted = Signal(str, bool)

    def __init__(
        self,
        draft: HandoffDraft,
        *,
        save_draft: Callable[[HandoffDraft], None],
        prompt: bool = False,
        autosave_ms: int = 500,
        title: str = "End-of-day handoff",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handoffPopup")
        self.setWindowTitle(title)
        self._draft = draft
        self._save_draft = save_draft
        self._note_id = ""
        self._saved = True
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(autosave_ms)
        self._autosave.timeout.connect(self.save_now)

        layout = QVBoxLayout(self)
        intro = QLabel("What should the next person know? Empty sections are left out.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        body = QWidget()
        grid = QVBoxLayout(body)
        self.editors: list[QPlainTextEdit] = []
        for i, section in enumerate(draft.sections):
            label = QLabel(f"<b>{section.title}</b>")
            edit = QPlainTextEdit(section.text)
            edit.setObjectName(f"section{i}")
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(56)
            label.setBuddy(edit)
            edit.textChanged.connect(self._changed)
            edit.cursorPositionChanged.connect(self._changed_cursor)
            grid.addWidget(label)
            grid.addWidget(edit)
            self.editors.append(edit)
        scroll = QScrollArea()  # the outcome, the sections and the choices: on a small screen they scroll
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)

        to = ", ".join(draft.destinations) or "nowhere yet (set [handoff] destinations); the note is archived"
        self.to_label = QLabel(f"To: {to}")
        self.to_label.setWordWrap(True)
        grid.addWidget(self.to_label)
        self.sign_off = QCheckBox("Sign off until my next working start")  # short: it never wraps
        self.sign_off.setToolTip("Sets the off-hours status and Do Not Disturb until your next working start")
        self.sign_off.setChecked(draft.sign_off)
        self.sign_off.toggled.connect(self._changed)
        grid.addWidget(self.sign_off)

        self.delivery_box = QWidget()
        self._delivery_grid = QGridLayout(self.delivery_box)
        self._delivery_grid.setContentsMargins(0, 0, 0, 0)
        self.delivery_labels: dict[str, QLabel] = {}
        self.retry_buttons: dict[str, QPushButton] = {}
        self.mark_sent_buttons: dict[str, QPushButton] = {}
        grid.insertWidget(0, self.delivery_box)  # on top: after Submit, the outcome is what matters
        self.sign_off_label = QLabel()
        self.sign_off_label.setWordWrap(True)
        self.sign_off_label.hide()
        grid.insertWidget(1, self.sign_off_label)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        grid.insertWidget(2, self.error_label)

        buttons = QHBoxLayout()
        self.snooze_buttons: list[QPushButton] = []
        if prompt:
            for minutes in SNOOZE_CHOICES:
                b = QPushButton(f"Snooze {minutes} min" if minutes < 60 else f"Snooze {minutes // 60} h")
                b.clicked.connect(lambda _=False, m=minutes: self._snooze(m))
                buttons.addWidget(b)
                self.snooze_buttons.append(b)
            self.skip_button: QPushButton | None = QPushButton("Skip today")
            self.skip_button.clicked.connect(self._skip)
            buttons.addWidget(self.skip_button)
        else:
            self.skip_button = None
        buttons.addStretch(1)
        self.submit_button = QPushButton("Submit")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self._submit)
        self.submit_button.setToolTip("Store the note, post it and (if checked) sign off — Ctrl+Enter")
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # Enter alone is a new line in a section
            QShortcut(QKeySequence(keys), self, self._submit_from_keyboard)
        QShortcut(QKeySequence("Escape"), self, self.close)  # closes like the title bar's ×: the draft is kept
        buttons.addWidget(self.submit_button)
        layout.addLayout(buttons)
        self._deliveries_posted.connect(self.show_deliveries)
        self._sign_off_posted.connect(self.show_sign_off)
        self.resize(560, 680)
        self._restore_cursor()

    # ---- draft ----
    def draft(self) -> HandoffDraft:
        current = self.focusWidget()  # the last focused section, even while the window is inactive
        focus = next((i for i, e in enumerate(self.editors) if e is current), self._draft.focus_section)
        return replace(
            self._draft,
            sections=tuple(
                NoteSection(title=s.title, text=e.toPlainText())
                for s, e in zip(self._draft.sections, self.editors, strict=True)
            ),
            sign_off=self.sign_off.isChecked(),
            focus_section=focus,
            cursor=self.editors[focus].textCursor().position() if self.editors else 0,
        )

    def _restore_cursor(self) -> None:
        if not self.editors:
            return
        i = min(max(self._draft.focus_section, 0), len(self.editors) - 1)
        edit = self.editors[i]
        cursor = edit.textCursor()
        cursor.setPosition(min(self._draft.cursor, len(edit.toPlainText())))
        edit.setTextCursor(cursor)
        edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _changed(self) -> None:
        self._saved = False
        if not self._autosave.isActive():  # throttle, not debounce: typing on never postpones the save
            self._autosave.start()

    def _changed_cursor(self) -> None:
        if not self._autosave.isActive() and not self._note_id:
            self._saved = False
            self._autosave.start()

    def save_now(self) -> None:
        self._autosave.stop()
        if self._saved or self._note_id:
            return
        self._draft = self.draft()
        try:
            self._save_draft(self._draft)
        except TrayStatusError as e:
            self.show_error(f"{e.title}: {e.message}")
            return
        self._saved = True

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    # ---- actions ----
    def _submit(self) -> None:
        draft = self.draft()
        self.save_now()
        self.submit_button.setEnabled(False)
        self.submitted.emit(draft)

    def _submit_from_keyboard(self) -> None:
        if self.submit_button.isEnabled() and not self._note_id:
            self._submit()

    @property
    def note_id(self) -> str:
        """The submitted note this popup shows the delivery of ("" while writing)."""
        return self._note_id

    def mark_submitted(self, note_id: str) -> None:
        """The note is stored: the editors become read-only and the delivery state shows below."""
        self._note_id = note_id
        for e in self.editors:
            e.setReadOnly(True)
        self.sign_off.setEnabled(False)
        self.submit_button.setText("Submitted")
        for b in [*self.snooze_buttons, *([self.skip_button] if self.skip_button else [])]:
            b.setEnabled(False)

    def submit_failed(self, text: str) -> None:
        self.submit_button.setEnabled(True)
        self.show_error(text)

    def _snooze(self, minutes: int) -> None:
        self.save_now()
        self.snoozed.emit(minutes)
        self.close()

    def _skip(self) -> None:
        self.save_now()
        self.skipped.emit()
        self.close()

    # ---- delivery state ----
    def post_deliveries(self, note_id: str, deliveries: Sequence[Delivery]) -> None:
        """Thread-safe: may be called from the delivery worker."""
        self._deliveries_posted.emit(note_id, list(deliveries))

    def show_deliveries(self, note_id: str, deliveries: Sequence[Delivery]) -> None:
        if self._note_id and note_id != self._note_id:
            return
        for d in deliveries:
            label = self.delivery_labels.get(d.destination)
            if label is None:
                row = len(self.delivery_labels)
                label = QLabel()
                label.setWordWrap(True)
                button = QPushButton("Retry")
                button.clicked.connect(
                    lambda _=False, dest=d.destination: self.retry_requested.emit(self._note_id or note_id, dest)
                )
                mark_sent = QPushButton("Mark as sent")
                mark_sent.clicked.connect(
                    lambda _=False, dest=d.destination: self.mark_sent_requested.emit(self._note_id or note_id, dest)
                )
                self._delivery_grid.addWidget(label, row, 0)
                self._delivery_grid.addWidget(button, row, 1)
                self._delivery_grid.addWidget(mark_sent, row, 2)
                self.delivery_labels[d.destination] = label
                self.retry_buttons[d.destination] = button
                self.mark_sent_buttons[d.destination] = mark_sent
            mark = {DeliveryStatus.SENT: "✔", DeliveryStatus.FAILED: "✖", DeliveryStatus.UNCERTAIN: "?"}.get(
                d.status, "…"
            )
            label.setText(f"{mark} {describe(d)}")
            # "may have been posted": the user decides, Post again or Mark as sent (it is in the channel).
            uncertain = d.status is DeliveryStatus.UNCERTAIN
            self.retry_buttons[d.destination].setText("Post again" if uncertain else "Retry")
            self.retry_buttons[d.destination].setVisible(d.retryable_by_user)
            self.mark_sent_buttons[d.destination].setVisible(uncertain)

    def post_sign_off(self, text: str, ok: bool) -> None:
        """Thread-safe: the sign-off's outcome ("Signed off until …", or why not)."""
        self._sign_off_posted.emit(text, ok)

    def show_sign_off(self, text: str, ok: bool) -> None:
        self.sign_off_label.setText(("✔ " if ok else "✖ ") + text)
        self.sign_off_label.setVisible(bool(text))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_on_screen(self)  # 560×680 is more than a small screen at 200 % holds

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_now()
        super().closeEvent(event)

    def focus_section(self, index: int) -> QPlainTextEdit:
        edit = self.editors[index]
        edit.setFocus(Qt.FocusReason.OtherFocusReason)
        edit.moveCursor(QTextCursor.MoveOperation.End)
        return edit
