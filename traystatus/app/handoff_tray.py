"""The handoff feature inside the tray app: the end-of-day prompt armed from the engine's timeline (N minutes
before the day's end, not on OOO days or holidays; snooze/skip remembered across restarts), the note popup
from the menu, and the history window. Lives on the GUI thread; the service delivers in the background.

Wiring (composition root)::

    handoff = HandoffWindows(paths, settings, sign_off=apply_override, timeline=lambda now: intervals, parent=app)
    windows["handoff"] = handoff.open_note; windows["notes"] = handoff.open_history
    handoff.schedule()          # after every pass (a new timeline) and after a clock jump
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer

from traystatus.adapters.clock import utc_now
from traystatus.adapters.draft_store import JsonPromptStore
from traystatus.app.handoff_gui import connect_popup, notes_window
from traystatus.app.handoff_service import HandoffService
from traystatus.app.paths import AppPaths
from traystatus.core.handoff import Prompt, next_prompt, skip_today, snooze
from traystatus.core.model import Availability, Override
from traystatus.core.settings import Settings

if TYPE_CHECKING:  # the windows' code is loaded when one first opens, not by the prompt's timer
    from traystatus.qt.handoff_popup import HandoffPopup
    from traystatus.qt.notes_window import NotesWindow

log = logging.getLogger(__name__)

MAX_TIMER_MS = 6 * 3600 * 1000  # re-arm at least this often: a long timer can drift across suspend


class HandoffWindows(QObject):
    """Owns the handoff popup, the history window, the prompt timer and the delivery service."""

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        *,
        sign_off: Callable[[Override], None] | None,
        timeline: Callable[[datetime], Sequence[Availability]],
        now: Callable[[], datetime] = utc_now,
        service: HandoffService | None = None,
        announce: Callable[[str, str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._announce = announce  # a desktop notification (the tray's own message without a daemon)
        self._timeline = timeline
        self._now = now
        self.prompts = JsonPromptStore.in_dir(paths.state_dir)
        self.service = service or HandoffService(paths, settings, sign_off=sign_off, now=now)
        self.service.worker.start()
        self.popup: HandoffPopup | None = None
        self.history: NotesWindow | None = None
        self.pending: Prompt | None = None  # the prompt the timer is armed for
        self._shown_prompt: Prompt | None = None  # the prompt the open popup answers
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._timer_fired)

    def close(self) -> None:
        self.timer.stop()
        if self.popup is not None:
            self.popup.save_now()
        self.service.close()

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
        self.prompts.save(state)
        self._shown_prompt = None
        self.schedule()

    # -- windows --------------------------------------------------------------------------------------
    def open_note(self, prompt: Prompt | None = None) -> HandoffPopup:
        """The note popup (the menu's "Write handoff note…", or the prompt); one at a time."""
        if self.popup is not None and self.popup.isVisible():
            if prompt is not None and self._shown_prompt is None:
                self._shown_prompt = prompt  # already writing: the prompt is answered by this note
            self._raise(self.popup)
            return self.popup
        if self.popup is not None:
            self.popup.deleteLater()  # closed earlier: its draft is saved, a fresh popup reopens it
        from traystatus.qt.handoff_popup import HandoffPopup

        popup = HandoffPopup(
            self.service.current_draft(), save_draft=self.service.drafts.save, prompt=prompt is not None
        )
        connect_popup(self.service, popup)
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

    def open_history(self) -> NotesWindow:
        if self.history is None:
            self.history = notes_window(self.service)
        else:
            self.history.reload()
        self._raise(self.history)
        return self.history

    @staticmethod
    def _raise(window: HandoffPopup | NotesWindow) -> None:
        window.show()
        window.raise_()
        window.activateWindow()
