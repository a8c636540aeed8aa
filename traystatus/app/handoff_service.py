"""Wiring of the handoff feature: archive, draft, outbox worker with real Slack/Matrix senders, and
sign-off; used by `traystatus handoff`/`notes` and by the tray app (``HandoffService.open_popup``).
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.clock import utc_now
from traystatus.adapters.draft_store import JsonDraftStore
from traystatus.adapters.handoff_delivery import HandoffDelivery, MatrixSender, Sender, SlackSender
from traystatus.adapters.wake_socket import poke
from traystatus.app.paths import AppPaths
from traystatus.core.engine import next_day_start
from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffDraft, HandoffNote, new_draft, parse_destination
from traystatus.core.model import Override, State
from traystatus.core.outbox import Delivery
from traystatus.core.settings import Settings

log = logging.getLogger(__name__)

SIGN_OFF_REASON = "Signed off"


def build_senders(
    settings: Settings, *, environ: Mapping[str, str] | None = None, keyring_store: Any = None
) -> tuple[dict[str, Sender], list[str]]:
    """Senders for the configured accounts (config + keyring, or TRAYSTATUS_* variables); problems as text.

    Slack: ``slack:<workspace>:#channel`` picks the account by its name or team id; plain ``slack:#channel``
    the first one. Matrix: the first account."""
    from traystatus.adapters.secrets import configured_accounts, parse_matrix_secret, secret_for
    from traystatus.adapters.service_clients import Purpose, matrix_client, matrix_session, slack_api_url

    env = os.environ if environ is None else environ
    slack_tokens: dict[str, str] = {}
    out: dict[str, Sender] = {}
    problems: list[str] = []
    for account in configured_accounts(settings.accounts, env):
        try:
            secret = secret_for(account, keyring_store, env)
        except TrayStatusError as e:
            problems.append(f"{account.service} {account.name}: {e.title}: {e.message}")
            continue
        if account.service == "slack":
            slack_tokens.setdefault("", secret)
            for key in (account.name, account.team_id):
                if key:
                    slack_tokens.setdefault(key, secret)
        elif "matrix" not in out and account.homeserver:
            data = parse_matrix_secret(secret)
            session = matrix_session(account, data)
            out["matrix"] = MatrixSender(
                matrix_client(session, Purpose.DELIVERY), room_mentions=settings.handoff.room_mentions
            )
    if slack_tokens:
        out["slack"] = SlackSender(
            slack_tokens, api_url=slack_api_url(env), room_mentions=settings.handoff.room_mentions
        )
    return out, problems


def sign_off_override(settings: Settings, now: datetime) -> Override:
    """Off hours (with DND) from now until the next working day starts (a break is not a day's end)."""
    back = next_day_start(settings, now)
    if back is None:
        raise TrayStatusError(
            "Sign off",
            "no working hours in the next 60 days, so there is no "
            '"until" to sign off to; check working_hours in the config.',
        )
    return Override(state=State.OFF_HOURS, start=now, end=back, reason=SIGN_OFF_REASON)


@dataclass
class SubmitResult:
    note: HandoffNote
    deliveries: tuple[Delivery, ...]
    signed_off_until: datetime | None
    sign_off_error: str = ""
    sign_off_pending: bool = False  # signing off in the background: ``on_signed_off`` reports it


class HandoffService:
    """One per process. ``sign_off`` applies an override (the sync service's job); None = not wired."""

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        *,
        senders: dict[str, Sender] | None = None,
        sign_off: Callable[[Override], None] | None = None,
        now: Callable[[], datetime] = utc_now,
        on_delivery: Callable[[Delivery], None] | None = None,
    ) -> None:
        paths.ensure()
        self.settings = settings
        self.now = now
        self.archive = SqliteNoteArchive.in_dir(paths.data_dir)
        self.drafts = JsonDraftStore.in_dir(paths.state_dir)
        self._state_dir = paths.state_dir
        self._sign_off = sign_off
        self._listeners: list[Callable[[Delivery], None]] = [on_delivery] if on_delivery else []
        self.problems: list[str] = []
        self._threads: list[threading.Thread] = []
        if senders is None:
            senders, self.problems = build_senders(settings)
        self.worker = HandoffDelivery(self.archive, senders, now, on_change=self._changed)

    def _changed(self, d: Delivery) -> None:
        for listener in list(self._listeners):
            try:
                listener(d)
            except RuntimeError:  # a closed window's deleted Qt object: forget it, deliver on
                log.info("dropping a handoff listener whose window is gone")
                self.unlisten(listener)
            except Exception:
                log.exception("handoff delivery listener failed")

    def listen(self, listener: Callable[[Delivery], None]) -> Callable[[], None]:
        """Call ``listener`` with every new delivery state; returns the call that stops it."""
        self._listeners.append(listener)
        return lambda: self.unlisten(listener)

    def unlisten(self, listener: Callable[[Delivery], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def close(self) -> None:
        for thread in self._threads:
            thread.join(timeout=60)
        self.worker.stop()
        self.archive.close()

    def current_draft(self) -> HandoffDraft:
        """The saved draft if there is one (reopen where it was), else a fresh pre-filled one."""
        return self.drafts.load() or new_draft(self.settings.handoff, self.archive.latest())

    def submit(
        self,
        draft: HandoffDraft,
        *,
        deliver_now: bool = False,
        on_signed_off: Callable[[datetime | None, str], None] | None = None,
    ) -> SubmitResult:
        """Store first, then deliver, then sign off: right here with ``deliver_now`` (CLI), else on a background
        thread that reports the sign-off through ``on_signed_off(until, error)`` (the popup stays responsive).

        The note goes out before the sign-off because a Matrix message marks its sender online again."""
        now = self.now()
        note = HandoffNote(
            id=uuid.uuid4().hex[:12],
            created=now,
            sections=draft.sections,
            destinations=tuple(parse_destination(d) for d in draft.destinations),
            sign_off=draft.sign_off,
            day=now.astimezone(self.settings.timezone).date(),
        )
        if note.is_empty:
            raise TrayStatusError("Empty handoff", "every section is empty; write at least one line.")
        deliveries = self.archive.store(note, now)
        self.drafts.clear()
        # This process sends it; a running tray or headless service (another process: the CLI, the standalone
        # popup) is told at once and leaves it alone meanwhile, and finishes the note within seconds if this
        # process is killed mid-send or closes before it is out.
        self.worker.reserve(deliveries)
        poke(self._state_dir, "handoff outbox")
        if deliver_now:
            self.worker.deliver()
            # what this process could not deliver before it exits: a running tray or headless service takes over
            poke(self._state_dir, "handoff outbox")
            until, error = self._sign_off_now() if draft.sign_off else (None, "")
            return SubmitResult(
                note=note,
                deliveries=tuple(self.archive.deliveries(note.id)),
                signed_off_until=until,
                sign_off_error=error,
            )
        if not draft.sign_off:
            self.worker.wake()
            return SubmitResult(note=note, deliveries=deliveries, signed_off_until=None)

        def deliver_then_sign_off() -> None:
            try:
                self.worker.run_due()  # one pass (serialised with the worker's own passes: never twice)
            except Exception:
                log.exception("handoff delivery pass before the sign-off failed")
            until, error = self._sign_off_now()
            if on_signed_off is not None:
                on_signed_off(until, error)
            self.worker.wake()

        thread = threading.Thread(target=deliver_then_sign_off, name="handoff-sign-off", daemon=True)
        self._threads.append(thread)
        thread.start()
        return SubmitResult(note=note, deliveries=deliveries, signed_off_until=None, sign_off_pending=True)

    def _sign_off_now(self) -> tuple[datetime | None, str]:
        """Off hours and DND until the next working start; (until, "") or (None, why not)."""
        try:
            override = sign_off_override(self.settings, self.now())
            if self._sign_off is None:
                return None, "sign-off is not available in this mode (no sync service)"
            self._sign_off(override)
        except TrayStatusError as e:
            return None, f"{e.title}: {e.message}"
        except Exception as e:  # a bug or an unexpected library error must not lose the result
            log.exception("sign-off failed")
            return None, f"{type(e).__name__}; see the log"
        return override.end, ""
