"""The handoff feature inside the tray app: the end-of-day prompt armed from the engine's timeline (N minutes
before the day's end, not on OOO days or holidays; snooze/skip remembered across restarts), the note popup
from the menu, and the history window. Lives on the GUI thread; the service delivers in the background.

Also the glue the standalone windows reuse: ``connect_popup`` wires a :class:`HandoffPopup` to the service,
``notes_window`` builds the history window over its archive. Everything arrives as ports
(``core.handoff_ports``); the composition root (``app/tray_wiring.py``) builds the service and the stores.

Wiring (composition root)::

    handoff = HandoffWindows(settings, service=service, prompts=prompts, timeline=lambda now: intervals)
    windows["handoff"] = handoff.open_note; windows["notes"] = handoff.open_history
    handoff.schedule()          # after every pass (a new timeline) and after a clock jump
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffDraft, HandoffNote, Prompt, next_prompt, skip_today, snooze
from traystatus.core.handoff_ports import Handoff, NoteArchive, PromptStore
from traystatus.core.model import Availability
from traystatus.core.outbox import Delivery, DeliveryStatus
from traystatus.core.settings import Settings

if TYPE_CHECKING:  # the windows' code is loaded when one first opens, not by the prompt's timer
    from traystatus.qt.handoff_popup import HandoffPopup
    from traystatus.qt.notes_window import NotesWindow

log = logging.getLogger(__name__)

MAX_TIMER_MS = 6 * 3600 * 1000  # re-arm at least this often: a long timer can drift across suspend


class HandoffWindows(QObject):
    """Owns the handoff popup, the history window, the prompt timer and the delivery service."""

    _needs_user = Signal(object)  # a Delivery only the user can resolve, from the worker thread

    def __init__(
        self,
        settings: Settings,
        *,
        service: Handoff | Callable[[], Handoff],
        prompts: PromptStore,
        timeline: Callable[[datetime], Sequence[Availability]],
        now: Callable[[], datetime],  # the one clock (adapters.clock.utc_now), given by the composition root
        announce: Callable[[str, str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``service``, or a factory called on first use (from any thread: the prompt's timer needs no archive,
        so an app without notes loads none); its outbox worker is started by whoever built it."""
        super().__init__(parent)
        self.settings = settings
        self._announce = announce  # a desktop notification (the tray's own message without a daemon)
        self._timeline = timeline
        self._now = now
        self.prompts = prompts
        self._service: Handoff | None = None
        self._make_service: Callable[[], Handoff] | None = None
        if callable(service):
            self._make_service = service
        else:
            self._service = service
        self._service_lock = threading.Lock()
        self.popup: HandoffPopup | None = None
        self.history: NotesWindow | None = None
        self.pending: Prompt | None = None  # the prompt the timer is armed for
        self._shown_prompt: Prompt | None = None  # the prompt the open popup answers
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._timer_fired)
        self._told: set[tuple[str, str, str, int]] = set()
        self._needs_user.connect(self._tell_once)
        if self._service is not None:
            self._service.listen(self._heard)

    @property
    def service(self) -> Handoff:
        with self._service_lock:
            if self._service is None:
                assert self._make_service is not None
                self._service = self._make_service()
                self._service.listen(self._heard)
            return self._service

    # -- deliveries that need the user ----------------------------------------------------------------
    def _heard(self, d: Delivery) -> None:  # on the delivery worker's thread
        if d.status is DeliveryStatus.UNCERTAIN or (d.status is DeliveryStatus.FAILED and d.next_attempt is None):
            self._needs_user.emit(d)

    def _tell_once(self, d: Delivery) -> None:
        """Say it once per delivery, state and attempt (not again on every pass; again after the user's own
        Retry), also when no window is open (the note may come from a CLI this app took over): a note that
        waits for the user must not wait silently."""
        key = (d.note_id, d.destination, d.status.value, d.attempts)
        if key in self._told or self._announce is None:
            return
        self._told.add(key)
        if self._shown(d.note_id):
            return  # an open window shows it with its buttons: that is the one time it is said
        if d.status is DeliveryStatus.UNCERTAIN:
            self._announce(
                "Handoff note may have been posted",
                f"{d.destination}: the answer was lost while posting. Look in the channel, then choose Post "
                "again or Mark as sent in Handoff history.",
            )
        else:
            self._announce(
                "Handoff note not posted",
                f"{d.destination}: {d.last_error} Then choose Retry in Handoff history.",
            )

    @property
    def has_service(self) -> bool:
        return self._service is not None

    def _usable_service(self) -> Handoff | None:
        """The service, or None after telling the user why it cannot be opened (a read-only or full data dir,
        a damaged archive): the tray goes on, and the next try opens it once the cause is fixed."""
        try:
            return self.service
        except TrayStatusError as e:
            log.warning("handoff: %s: %s", e.title, e.message)
            if self._announce is not None:
                self._announce(e.title, e.message)
            return None

    def close(self) -> None:
        self.timer.stop()
        if self.popup is not None:
            self.popup.save_now()
        if self.history is not None:
            self.history.hide()  # it stops reading the archive, which closes next
        if self._service is not None:
            self._service.close()

    def _shown(self, note_id: str) -> bool:
        popup, history = self.popup, self.history
        if popup is not None and popup.isVisible() and popup.note_id == note_id:
            return True
        current = history.current_note() if history is not None and history.isVisible() else None
        return current is not None and current.id == note_id

    # -- the prompt -----------------------------------------------------------------------------------
    def next_prompt(self) -> Prompt | None:
        now = self._now()
        return next_prompt(self._timeline(now), now, self.settings.handoff, self.prompts.load())

    def schedule(self) -> Prompt | None:
        """Arm the timer for the next prompt (call after each pass and after a clock jump)."""
        self.pending = self.next_prompt()
        self.timer.stop()
        if self.pending is not None:
            ms = int((self.pending.at - self._now()).total_seconds() * 1000)
            self.timer.start(max(0, min(ms, MAX_TIMER_MS)))
            log.info("handoff prompt armed for %s", self.pending.at.isoformat())
        return self.pending

    def _timer_fired(self) -> None:
        prompt = self.pending
        if prompt is None:
            return
        if prompt.at > self._now():  # the timer was capped: not yet
            self.schedule()
            return
        if self._announce is not None:
            end = prompt.day_end.astimezone(self.settings.timezone)
            self._announce(
                "Time for your handoff note",
                f"Your day ends at {end:%H:%M}: a few lines for the team while it is fresh.",
            )
        self.open_note(prompt=prompt)

    def _answered(self, prompt: Prompt, *, minutes: int | None = None) -> None:
        state = snooze(prompt, self._now(), minutes) if minutes else skip_today(prompt)
        try:
            self.prompts.save(state)
        except TrayStatusError as e:  # an unwritable state dir: the answer holds until the app restarts
            log.warning("%s: %s", e.title, e.message)
        self._shown_prompt = None
        self.schedule()

    # -- windows --------------------------------------------------------------------------------------
    def open_note(self, prompt: Prompt | None = None) -> HandoffPopup | None:
        """The note popup (the menu's "Write handoff note…", or the prompt); one at a time. None when the
        archive cannot be opened (said in a notification)."""
        if self.popup is not None and self.popup.isVisible():
            if prompt is not None and self._shown_prompt is None:
                self._shown_prompt = prompt  # already writing: the prompt is answered by this note
            self._raise(self.popup)
            return self.popup
        service = self._usable_service()
        if service is None:
            return None
        if self.popup is not None:
            self.popup.deleteLater()  # closed earlier: its draft is saved, a fresh popup reopens it
        from traystatus.qt.handoff_popup import HandoffPopup

        popup = HandoffPopup(service.current_draft(), save_draft=service.drafts.save, prompt=prompt is not None)
        connect_popup(service, popup)
        self._shown_prompt = prompt
        popup.snoozed.connect(self._snoozed)
        popup.skipped.connect(self._skipped)
        popup.submitted.connect(lambda _draft: self._note_written())
        self.popup = popup
        popup.installEventFilter(self)
        self._raise(popup)
        return popup

    def _snoozed(self, minutes: int) -> None:
        if self._shown_prompt is not None:
            self._answered(self._shown_prompt, minutes=minutes)

    def _skipped(self) -> None:
        if self._shown_prompt is not None:
            self._answered(self._shown_prompt)

    def _note_written(self) -> None:
        """A submitted note answers today's prompt, whether it came from the prompt or the menu."""
        prompt = self._shown_prompt or self.next_prompt()
        if (
            prompt is not None
            and prompt.day_end.astimezone(self.settings.timezone).date()
            == self._now().astimezone(self.settings.timezone).date()
        ):
            self._answered(prompt)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.popup and event.type() == QEvent.Type.Close and self._shown_prompt is not None:
            self._answered(self._shown_prompt)  # shown and closed: not again today
        return False

    def open_history(self) -> NotesWindow | None:
        if self.history is None:
            service = self._usable_service()
            if service is None:
                return None
            self.history = notes_window(service)
        else:
            self.history.reload()
        self._raise(self.history)
        return self.history

    @staticmethod
    def _raise(window: HandoffPopup | NotesWindow) -> None:
        window.show()
        window.raise_()
        window.activateWindow()


# -- the glue the standalone windows (app/handoff_gui.py) reuse -------------------------------------------


def connect_popup(service: Handoff, popup: HandoffPopup) -> None:
    """Submit → store, sign off, deliver in the background; delivery states flow back to the popup."""

    def signed_off(until: datetime | None, error: str) -> None:  # on the sign-off thread
        if until is not None:
            local = until.astimezone(service.settings.timezone)
            popup.post_sign_off(f"Signed off until {local:%a %H:%M}: off hours and Do Not Disturb", True)
        else:
            popup.post_sign_off(f"Not signed off: {error}", False)

    def submitted(draft: HandoffDraft) -> None:
        try:
            result = service.submit(draft, on_signed_off=signed_off)
        except TrayStatusError as e:
            popup.submit_failed(f"{e.title}: {e.message}")
            return
        popup.mark_submitted(result.note.id)
        popup.show_deliveries(result.note.id, result.deliveries)
        if result.sign_off_pending:
            popup.sign_off_label.setText("Signing off once the note is out…")
            popup.sign_off_label.show()

    popup.submitted.connect(submitted)
    popup.retry_requested.connect(service.worker.retry)
    popup.mark_sent_requested.connect(service.worker.mark_sent)
    stop = service.listen(lambda d: popup.post_deliveries(d.note_id, [d]))
    popup.destroyed.connect(lambda *_: stop())  # a deleted popup hears no more (the service also drops it)


def find_notes(archive: NoteArchive) -> Callable[[str, bool], list[tuple[HandoffNote, str]]]:
    """The history window's search: every note (newest first) for an empty query, else FTS hits."""

    def find(query: str, include_archived: bool) -> list[tuple[HandoffNote, str]]:
        if not query.strip():
            return [(n, "") for n in archive.notes(include_archived=include_archived)]
        return [(h.note, h.snippet) for h in archive.search(query, include_archived=include_archived)]

    return find


def notes_window(service: Handoff) -> NotesWindow:
    """The history window over the service's archive; Retry goes to its delivery worker."""
    from traystatus.qt.notes_window import NotesWindow

    archive = service.archive
    window = NotesWindow(
        find=find_notes(archive),
        deliveries=archive.deliveries,
        set_archived=archive.set_archived,
        tz=service.settings.timezone,
    )
    window.retry_requested.connect(service.worker.retry)
    window.mark_sent_requested.connect(service.worker.mark_sent)
    service.listen(lambda _d: window.post_changed())
    return window
