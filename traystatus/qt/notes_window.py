"""The handoff history window: every archived note, newest first, a search box (full text, every word), the
selected note with its delivery state, and Archive/Unarchive (notes are never deleted).

Use::

    window = NotesWindow(find=lambda query, archived: [(note, snippet), …],   # "" lists every note
                         deliveries=lambda note_id: [Delivery, …], set_archived=lambda note_id, flag: None,
                         tz=settings.timezone)
    window.retry_requested.connect(on_retry)   # (note_id, destination)
    window.post_changed()                      # from any thread: a delivery state changed
    window.show()
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffNote, matrix_html
from traystatus.core.outbox import Delivery, DeliveryStatus, describe
from traystatus.qt.window_fit import fit_on_screen

log = logging.getLogger(__name__)

NOTE_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_DELAY_MS = 200  # wait for a pause in typing before searching
# While the window is shown, read the selected note's delivery state this often: another traystatus
# process (`notes mark-sent`, a headless service) may change it, and this one hears only its own worker.
STATE_POLL_MS = 2000

Finder = Callable[[str, bool], Sequence[tuple[HandoffNote, str]]]


def _summary(note: HandoffNote) -> str:
    s = next((s for s in note.sections if s.text.strip()), None)
    return "(empty)" if s is None else f"{s.title}: {s.text.strip().splitlines()[0]}"


class NotesWindow(QWidget):
    """Browse and search the archive; dependencies arrive through the constructor."""

    retry_requested = Signal(str, str)
    mark_sent_requested = Signal(str, str)  # (note_id, destination)
    _changed = Signal()  # from any thread (the delivery worker) → the GUI thread

    def __init__(
        self,
        *,
        find: Finder,
        deliveries: Callable[[str], Sequence[Delivery]],
        set_archived: Callable[[str, bool], None],
        tz: ZoneInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("notesWindow")
        self.setWindowTitle("Handoff notes")
        self._find, self._deliveries, self._set_archived, self._tz = find, deliveries, set_archived, tz
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self.reload)
        self._poll = QTimer(self)
        self._poll.setInterval(STATE_POLL_MS)
        self._poll.timeout.connect(self._poll_state)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search every note (all words must match; accents and case ignored)")
        self.search.setClearButtonEnabled(True)
        self.show_archived = QCheckBox("Show archived")
        self.count_label = QLabel()
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.view = QTextBrowser()
        self.view.setOpenExternalLinks(False)
        self.delivery_label = QLabel()
        self.delivery_label.setWordWrap(True)
        self.delivery_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Alt+R / Alt+P / Alt+M: every action is reachable from the keyboard
        self.retry_button = QPushButton("&Retry delivery")
        self.mark_sent_button = QPushButton("&Mark as sent")
        self.mark_sent_button.setToolTip("It is in the channel: never post it again")
        self.archive_button = QPushButton("Archive")

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.show_archived)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.view, 1)
        right_layout.addWidget(self.delivery_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.mark_sent_button)
        buttons.addStretch(1)
        buttons.addWidget(self.archive_button)
        right_layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(right)
        split.setSizes([300, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.count_label)
        self.resize(820, 560)

        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self.reload)
        self.show_archived.toggled.connect(lambda _: self.reload())
        self.list.currentItemChanged.connect(lambda *_: self._show_current())
        self.archive_button.clicked.connect(self._toggle_archived)
        self.retry_button.clicked.connect(self._retry)
        self.mark_sent_button.clicked.connect(self._mark_sent)
        self.mark_sent_button.hide()
        self._changed.connect(self._refresh_state)  # the state only: the note's view keeps its scroll
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        QShortcut(QKeySequence("Escape"), self, self.close)  # like the popup: closes as the title bar's ×
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)  # Ctrl+W, Ctrl+F4 (every binding)
        self.reload()

    # -- public ---------------------------------------------------------------------------------------
    def reload(self) -> None:
        """Run the search (or list everything) again, keeping the selected note when it is still there."""
        self._debounce.stop()
        keep = self.current_note()
        query = self.search.text().strip()
        try:
            found = list(self._find(query, self.show_archived.isChecked()))
        except TrayStatusError as e:
            found = []
            self.count_label.setText(f"{e.title}: {e.message}")
        else:
            what = f"matching “{query}”" if query else "in the archive"
            self.count_label.setText(f"{len(found)} note{'s' if len(found) != 1 else ''} {what}")
        self.list.blockSignals(True)
        self.list.clear()
        for note, snippet in found:
            local = note.created.astimezone(self._tz)
            flag = "  [archived]" if note.archived else ""
            text = f"{local:%a %d %b %Y %H:%M}{flag}\n{snippet or _summary(note)}"
            item = QListWidgetItem(text)
            item.setData(NOTE_ROLE, note)
            self.list.addItem(item)
        self.list.blockSignals(False)
        row = next((i for i, (n, _) in enumerate(found) if keep is not None and n.id == keep.id), 0)
        self.list.setCurrentRow(row if found else -1)
        self._show_current()

    def post_changed(self) -> None:
        """Thread-safe: a delivery state changed; the shown note's state is redrawn on the GUI thread."""
        self._changed.emit()

    def current_note(self) -> HandoffNote | None:
        item = self.list.currentItem()
        note = item.data(NOTE_ROLE) if item is not None else None
        return note if isinstance(note, HandoffNote) else None

    def shown_ids(self) -> list[str]:
        out = []
        for i in range(self.list.count()):
            note = self.list.item(i).data(NOTE_ROLE)
            if isinstance(note, HandoffNote):
                out.append(note.id)
        return out

    # -- behaviour ------------------------------------------------------------------------------------
    def _show_current(self) -> None:
        note = self.current_note()
        self.archive_button.setEnabled(note is not None)
        if note is None:
            self.view.setPlainText("No note yet." if not self.search.text().strip() else "No note matches.")
            self.delivery_label.clear()
            self.retry_button.setEnabled(False)
            self.mark_sent_button.hide()
            return
        self.view.setHtml(matrix_html(note))  # escaped: a note is text, never markup
        self.archive_button.setText("Unarchive" if note.archived else "Archive")
        self._show_state(note)

    def _refresh_state(self) -> None:
        note = self.current_note()
        if note is not None:
            self._show_state(note)

    def _poll_state(self) -> None:
        try:
            self._refresh_state()
        except Exception:  # the archive went away (the app is quitting): stop reading, say it once
            log.exception("the history window could not read the delivery state; it stops refreshing")
            self._poll.stop()

    def _show_state(self, note: HandoffNote) -> None:
        deliveries = list(self._deliveries(note.id))
        lines = [describe(d) for d in deliveries]
        extra = f"Revision {note.revision}" + (
            f", edited {note.updated.astimezone(self._tz):%d %b %H:%M}" if note.updated and note.revision > 1 else ""
        )
        text = "\n".join([*lines, extra]) if lines else f"Archived only. {extra}"
        if text != self.delivery_label.text():
            self.delivery_label.setText(text)
        self.retry_button.setEnabled(any(d.retryable_by_user for d in deliveries))
        uncertain = any(d.status is DeliveryStatus.UNCERTAIN for d in deliveries)
        self.retry_button.setText("&Post again" if uncertain else "&Retry delivery")
        self.mark_sent_button.setVisible(uncertain)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_on_screen(self)  # 820×560 is more than a small screen at 200 % holds
        self._poll.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._poll.stop()  # hidden: no reads at all

    def _toggle_archived(self) -> None:
        note = self.current_note()
        if note is None:
            return
        self._set_archived(note.id, not note.archived)
        self.reload()

    def _mark_sent(self) -> None:
        note = self.current_note()
        if note is None:
            return
        for d in self._deliveries(note.id):
            if d.status is DeliveryStatus.UNCERTAIN:
                self.mark_sent_requested.emit(note.id, d.destination)
        self.mark_sent_button.setVisible(False)

    def _retry(self) -> None:
        note = self.current_note()
        if note is None:
            return
        for d in self._deliveries(note.id):
            if d.retryable_by_user:
                self.retry_requested.emit(note.id, d.destination)
        self.retry_button.setEnabled(False)
