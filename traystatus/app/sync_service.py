"""The sync use case, wired: settings → calendars → timeline → reconcile on every configured account.

``SyncService.sync()`` returns a plain :class:`SyncReport` that the CLI (``apply``/``status``/``run``) and the
tray render. ``build_publishers`` turns configured accounts (config + keyring, or environment) into publishers.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from traystatus.adapters.state_store import StateStore
from traystatus.core.engine import Timeline, build_timeline, next_transition
from traystatus.core.errors import TrayStatusError
from traystatus.core.live_presence import close_all, hold_all, live_note
from traystatus.core.model import Availability, CalendarEvent
from traystatus.core.ports import CalendarSource
from traystatus.core.publishing import (
    Applied,
    Operation,
    RetryState,
    StatusPublisher,
    learn_limits,
    with_limits,
)
from traystatus.core.reconcile import AccountOutcome, plan, reconcile_account
from traystatus.core.settings import Settings
from traystatus.core.status_map import DesiredStatus, desired_status

log = logging.getLogger(__name__)

BEHIND = timedelta(hours=12)
AHEAD = timedelta(days=3)
CALENDAR_AHEAD = timedelta(days=30)  # read further than the timeline: "back Mon 24 Nov" after a long OOO
SAFETY_NET = timedelta(minutes=15)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountLine:
    """One account in a report: what it should show, what we know it shows, what was (or would be) sent."""

    account: str
    service: str
    applied: Applied
    planned: tuple[Operation, ...] = ()
    sent: tuple[Operation, ...] = ()
    errors: tuple[str, ...] = ()
    needs_action: bool = False
    notes: tuple[str, ...] = ()
    retry: RetryState = field(default_factory=RetryState)
    calls: tuple[str, ...] = ()  # dry run: the exact API call of each planned operation


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    at: datetime
    interval: Availability
    desired: DesiredStatus
    accounts: tuple[AccountLine, ...] = ()
    next_transition: datetime | None = None
    wake_at: datetime | None = None  # when the next reconcile should run
    paused: bool = False
    dry_run: bool = False
    calendar_problems: tuple[str, ...] = ()
    account_problems: tuple[str, ...] = ()  # accounts that could not even be set up (token missing…)

    @property
    def ok(self) -> bool:
        return not any(a.errors for a in self.accounts) and not self.account_problems


def _line(o: AccountOutcome) -> AccountLine:
    return AccountLine(
        account=o.account,
        service=o.service,
        applied=o.applied,
        planned=o.planned,
        sent=o.sent,
        errors=o.errors,
        needs_action=o.needs_action,
        notes=o.notes,
        retry=o.retry,
    )


class SyncService:
    """Thread-safe (one lock): the scheduler's worker, the CLI and the tray may all call ``sync``."""

    def __init__(
        self,
        *,
        settings: Settings,
        sources: Sequence[CalendarSource],
        publishers: Sequence[StatusPublisher],
        store: StateStore,
        clock: Callable[[], datetime],
        account_problems: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.sources = list(sources)
        self.publishers = list(publishers)
        self.store = store
        self.clock = clock
        self.account_problems = tuple(account_problems)
        self._lock = threading.Lock()
        self._events: list[CalendarEvent] = []
        self._calendar_problems: tuple[str, ...] = ()
        self._loaded_for: tuple[datetime, datetime] | None = None
        self._loaded_at: datetime | None = None
        self._pinned = False  # set_events: these events stand until the next set_events

    def refresh_due(self, now: datetime) -> bool:
        minutes = min((c.refresh_minutes for c in self.settings.calendars), default=15)
        return self._loaded_at is None or now - self._loaded_at >= timedelta(minutes=minutes)

    def load_calendars(self, now: datetime, *, force: bool = False) -> None:
        """Read every calendar if due (or forced, or ``now`` is outside what was read)."""
        if self._pinned:
            return
        window = self._loaded_for
        inside = window is not None and window[0] <= now - BEHIND and now + AHEAD <= window[1]
        if not force and inside and not self.refresh_due(now):
            return
        from traystatus.adapters.calendar_sources import load_all  # heavy imports only when needed

        start, end = now - BEHIND - timedelta(days=1), now + CALENDAR_AHEAD
        results = load_all(self.sources, start, end)
        events: list[CalendarEvent] = []
        problems: list[str] = []
        for r in results:
            events.extend(r.events)
            if r.error is not None:
                stale = " (using the last good copy)" if r.stale else ""
                problems.append(f"{r.error.title}: {r.error.message}{stale}")
        self._events, self._calendar_problems = events, tuple(problems)
        self._loaded_for, self._loaded_at = (start, end), now

    def set_events(self, events: Sequence[CalendarEvent], now: datetime) -> None:
        """Use these events instead of reading calendars (tests, benchmarks, the demo); refreshes keep them."""
        self._pinned = True
        self._events, self._calendar_problems = list(events), ()
        self._loaded_for, self._loaded_at = (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)), now

    def timeline(self, now: datetime) -> Timeline:
        return build_timeline(self.settings, self._events, self.store.overrides(now), now - BEHIND, now + AHEAD)

    def sync(
        self,
        at: datetime | None = None,
        *,
        dry_run: bool = False,
        force: bool = False,
        refresh: bool = False,
        send: bool = True,
    ) -> SyncReport:
        """Reconcile every account at ``at`` (default: now). ``send=False`` neither reads nor writes a service
        (``status``); ``dry_run`` may read (ownership) but never writes."""
        with self._lock:
            now = (at or self.clock()).astimezone(UTC)
            self.load_calendars(now, force=refresh)
            if not send:  # `status` only reads: never waits for another process's pass
                return self._pass(now, dry_run=dry_run, force=force, send=send)
            with self.store.exclusive():  # one pass at a time across processes (tray, headless, apply)
                return self._pass(now, dry_run=dry_run, force=force, send=send)

    def _pass(self, now: datetime, *, dry_run: bool, force: bool, send: bool) -> SyncReport:
        overrides = self.store.overrides(now)
        timeline = build_timeline(self.settings, self._events, overrides, now - BEHIND, now + AHEAD)
        interval = timeline.at(now)
        desired = desired_status(
            interval,
            self.settings.status,
            now=now,
            tz=self.settings.timezone,
            share_titles=self.settings.general.share_titles,
        )
        paused = any(o.paused and o.start <= now < o.end for o in overrides)
        lines: list[AccountLine] = []
        wakes: list[datetime] = [now + SAFETY_NET]
        for publisher in self.publishers:
            applied, retry = self.store.account(publisher.account)
            if paused:
                lines.append(
                    AccountLine(
                        account=publisher.account,
                        service=str(publisher.service),
                        applied=applied,
                        retry=retry,
                        notes=("syncing is paused",),
                    )
                )
                continue
            if not send:
                lines.append(self._offline(publisher, desired, applied, retry, now))
                continue
            try:
                outcome = reconcile_account(
                    publisher,
                    desired,
                    applied,
                    retry,
                    now,
                    dry_run=dry_run,
                    force=force,
                    respect_manual=self.settings.general.respect_manual_status,
                )
            except TrayStatusError as e:  # a publisher outside the ServiceError contract: keep the others
                log.warning("%s: %s", publisher.account, e)
                lines.append(
                    AccountLine(
                        account=publisher.account,
                        service=str(publisher.service),
                        applied=applied,
                        retry=retry,
                        errors=(f"{e.title}: {e.message}",),
                    )
                )
                continue
            if not dry_run:
                limits = learn_limits(self.store.limits(publisher.account), publisher.traits, outcome.sent, now)
                self.store.save_account(publisher.account, outcome.applied, outcome.retry, limits)
            if outcome.wake_at is not None:
                wakes.append(max(outcome.wake_at, now + timedelta(seconds=1)))
            line = _line(outcome)
            if dry_run:
                line = dataclasses.replace(
                    line, calls=tuple(publisher.describe_call(op, now) for op in outcome.planned)
                )
            lines.append(line)
        if not (paused or dry_run):
            hold_all(self.publishers, desired)  # presence kept true between passes (Matrix: the sync loop)
            lines = [_with_live_note(line, p) for line, p in zip(lines, self.publishers, strict=True)]
        nxt = next_transition(timeline, now)
        if nxt is not None:
            wakes.append(nxt)
        wakes.extend(o.end for o in overrides if o.end > now)
        for line in lines:
            for op in line.sent:
                log.info("%s: %s", line.account, op.describe())
        return SyncReport(
            at=now,
            interval=interval,
            desired=desired,
            accounts=tuple(lines),
            next_transition=nxt,
            wake_at=min(wakes),
            paused=paused,
            dry_run=dry_run or not send,
            calendar_problems=self._calendar_problems,
            account_problems=self.account_problems,
        )

    def close(self) -> None:
        """Stop what the publishers keep running (the Matrix presence loops): quit, end of `run --headless`."""
        close_all(self.publishers)

    def _offline(
        self, publisher: StatusPublisher, desired: DesiredStatus, applied: Applied, retry: RetryState, now: datetime
    ) -> AccountLine:
        known = self.store.limits(publisher.account)  # what a sync found this account cannot do
        traits = with_limits(publisher.traits, known)
        p = plan(desired, applied, traits, now, respect_manual=self.settings.general.respect_manual_status)
        notes = [n for n in p.notes if not (known.any and n == traits.why_not)]
        if known.any:
            found = (
                f"found by the sync of {known.found_at.astimezone(self.settings.timezone):%a %d %b %H:%M}; "
                if known.found_at is not None
                else ""
            )
            notes.insert(
                0,
                f"{traits.why_not or 'some calls are not possible on this account'} "
                f"({found}`traystatus doctor` checks it again now)",
            )
        from traystatus.adapters.live_presence_file import LiveNoteFile

        if live := LiveNoteFile(self.store.path.parent).load(publisher.account, now):
            notes.append(live)  # from the running tray / run --headless, which holds the presence
        if p.needs_observation:
            notes.append("differs from what traystatus last set: `apply` checks the current status, then updates")
        elif not p.ops:
            notes.append("in step: nothing to send")
        if retry.retry_at is not None and retry.retry_at > now:
            notes.append(f"waiting until {retry.retry_at:%H:%M:%S}Z to retry: {retry.last_error}")
        return AccountLine(
            account=publisher.account,
            service=str(publisher.service),
            applied=applied,
            planned=p.ops,
            notes=tuple(notes),
            retry=retry,
            needs_action=retry.needs_action,
        )


def _with_live_note(line: AccountLine, publisher: StatusPublisher) -> AccountLine:
    note = live_note(publisher)
    return dataclasses.replace(line, notes=(*line.notes, note)) if note else line


# -- accounts ----------------------------------------------------------------------------------------------


def build_publishers(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    keyring_store: Any = None,
    keep_presence: bool = False,
    state_dir: Any = None,
) -> tuple[list[StatusPublisher], list[str]]:
    """A publisher per configured account (config + keyring, or TRAYSTATUS_* variables); problems as text.
    ``keep_presence`` (the long-running runtimes): Matrix publishers hold presence with a sync loop, which
    starts on the first pass; ``SyncService.close`` / ``TrayPass.close`` stop it; what it must tell the user
    is kept in ``state_dir`` for `traystatus status`."""
    from traystatus.adapters.secrets import configured_accounts, parse_matrix_secret, secret_for

    publishers: list[StatusPublisher] = []
    problems: list[str] = []
    for account in configured_accounts(settings.accounts, environ):
        try:
            secret = secret_for(account, keyring_store, environ)
            if account.service == "slack":
                publishers.append(_slack(account, secret, environ))
            else:
                publishers.append(
                    _matrix(
                        account,
                        parse_matrix_secret(secret),
                        keyring_store,
                        keep_presence,
                        settings.status.matrix_profile_status,
                        state_dir,
                    )
                )
        except TrayStatusError as e:
            problems.append(f"{account.service} {account.name}: {e.title}: {e.message}")
    return publishers, problems


def _slack(account: Any, token: str, environ: Mapping[str, str] | None) -> StatusPublisher:
    import os

    from traystatus.adapters.slack_api import API_URL_ENV, SlackClient
    from traystatus.adapters.slack_publisher import SlackStatusPublisher

    env = os.environ if environ is None else environ
    client = SlackClient(token, api_url=env.get(API_URL_ENV) or None, max_wait=5.0, retries=1, timeout=10.0)
    ident = f"{account.team_id}:{account.user_id}" if account.team_id else "env"
    return SlackStatusPublisher(client, account=f"slack:{ident}")


def _matrix(
    account: Any,
    secret: Mapping[str, str | None],
    keyring_store: Any,
    keep_presence: bool = False,
    profile_mode: str = "own",
    state_dir: Any = None,
) -> StatusPublisher:
    from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
    from traystatus.adapters.matrix_publisher import MatrixStatusPublisher
    from traystatus.adapters.secrets import KeyringSecretStore, matrix_secret

    if not account.homeserver:
        raise TrayStatusError(
            "Matrix homeserver missing",
            f"{account.name}: set TRAYSTATUS_MATRIX_HOMESERVER "
            "to the homeserver's URL, e.g. https://matrix.example.org.",
        )
    session = MatrixSession(
        homeserver=account.homeserver.rstrip("/"),
        user_id=account.user_id,
        access_token=str(secret["access_token"]),
        device_id=account.device_id or str(secret.get("device_id") or ""),
        refresh_token=secret.get("refresh_token"),
    )

    def keep(fresh: MatrixSession) -> None:  # refreshed tokens go back to the keyring
        if account.source == "keyring":
            store = keyring_store or KeyringSecretStore()
            store.set(account.secret_key, matrix_secret(fresh.access_token, fresh.refresh_token, fresh.device_id))

    client = MatrixClient(session, on_session_change=keep, max_wait=5.0, retries=1, timeout=10.0)
    keeper = None
    if keep_presence:
        from traystatus.adapters.live_presence_file import LiveNoteFile
        from traystatus.adapters.matrix_sync import MatrixPresenceLoop

        notes = LiveNoteFile(state_dir) if state_dir is not None else None
        account_id = f"matrix:{account.user_id}"
        keeper = MatrixPresenceLoop(client, on_change=(lambda live: notes.save(account_id, live)) if notes else None)
    from traystatus.adapters.matrix_profile_status import MatrixProfileStatus

    profile = MatrixProfileStatus(client, mode=profile_mode)
    return MatrixStatusPublisher(client, account=f"matrix:{account.user_id}", keeper=keeper, profile=profile)
