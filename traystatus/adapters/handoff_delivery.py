"""The handoff outbox worker: delivers stored notes to Slack (SlackClient) and Matrix (MatrixClient)
following ``core.outbox``; every state change is written to the archive *before* the next step, so
a crash or a kill at any point resumes without losing or duplicating a message.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests

from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.matrix_directory import resolve_alias
from traystatus.adapters.note_render import matrix_html, matrix_mentions, slack_text
from traystatus.adapters.slack_api import SlackApiError, SlackClient
from traystatus.core.errors import ConfigError, ServiceError, TrayStatusError
from traystatus.core.handoff import HandoffNote, parse_destination, plain_text
from traystatus.core.outbox import (
    Delivery,
    DeliveryStatus,
    check_later,
    checked,
    failed,
    in_order,
    interrupted,
    is_due,
    is_rate_limited,
    lease_expired,
    leased,
    mark_sent,
    next_wakeup,
    rate_limited,
    recover,
    retry_now,
    succeeded,
)
from traystatus.core.outbox import begin as begin_send

log = logging.getLogger(__name__)


class NotSent(Exception):
    """The service certainly did not take the message (refused, unreachable before sending, rate limit)."""

    def __init__(
        self, error: str, *, retry_after: float | None = None, permanent: bool = False, rate_limited: bool = False
    ) -> None:
        super().__init__(error)
        self.error, self.retry_after, self.permanent = error, retry_after, permanent
        self.rate_limited = rate_limited and retry_after is not None  # a 429: not a failed attempt


def _is_rate_limit(e: ServiceError) -> bool:
    return e.title in ("Slack rate limit", "Matrix rate limit")


class MaybeSent(Exception):
    """The outcome is unknown (timeout, connection lost after the request was sent)."""


class HistoryUnavailable(Exception):
    """The channel's history cannot be read, so whether a message landed cannot be known."""


class Sender(Protocol):
    def send(self, note: HandoffNote, delivery: Delivery) -> str:
        """Post the note; returns the remote id. Raises :class:`NotSent` or :class:`MaybeSent`."""
        ...

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        """The remote id of this note's message if it is already there; :class:`HistoryUnavailable`."""
        ...


class MatrixSenderClient(Protocol):
    def send_message(
        self,
        room_id: str,
        body: str,
        *,
        formatted_body: str | None = None,
        txn_id: str,
        mentions: dict[str, Any] | None = None,
    ) -> str: ...


class RecordingSession(requests.Session):
    """Remembers the transport error of the last request: a refused connection certainly sent
    nothing, a timeout or a dropped connection may have (the message may be in the channel)."""

    last_error: BaseException | None = None

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        self.last_error = None
        try:
            return super().request(*args, **kwargs)
        except requests.RequestException as e:
            self.last_error = e
            raise


def _never_reached_server(e: BaseException | None) -> bool:
    if isinstance(e, requests.ConnectTimeout):
        return True
    text = repr(e)
    return (
        isinstance(e, requests.ConnectionError)
        and not isinstance(e, requests.ReadTimeout)
        and ("NewConnectionError" in text or "Connection refused" in text or "NameResolution" in text)
    )


class SlackSender:
    """Posts with SlackClients of its own: no internal retry (a retried post could duplicate) and a
    session that tells a refused connection from a lost answer. ``tokens`` by workspace ("" = default)."""

    def __init__(
        self,
        tokens: Mapping[str, str],
        *,
        api_url: str | None = None,
        timeout: float | None = None,
        room_mentions: bool = False,
    ) -> None:
        from traystatus.adapters.service_clients import Purpose, slack_client

        self._room_mentions = room_mentions
        self._clients: dict[str, tuple[SlackClient, RecordingSession]] = {}
        for workspace, token in tokens.items():
            session = RecordingSession()
            client = slack_client(token, Purpose.DELIVERY, api_url=api_url, session=session)
            if timeout is not None:
                client.timeout = timeout
            self._clients[workspace] = (client, session)

    def close(self) -> None:
        for client, _ in self._clients.values():
            client.close()

    def _client(self, d: Delivery) -> tuple[SlackClient, RecordingSession, str]:
        dest = parse_destination(d.destination)
        found = self._clients.get(dest.workspace)
        if found is None:
            raise NotSent(f"no Slack account for workspace {dest.workspace or '(default)'}", permanent=True)
        return found[0], found[1], dest.target

    def send(self, note: HandoffNote, delivery: Delivery) -> str:
        client, session, channel = self._client(delivery)
        try:
            data = client.call(
                "chat.postMessage", channel=channel, text=slack_text(note, room_mentions=self._room_mentions)
            )
        except SlackApiError as e:  # Slack answered ok:false or 429: nothing was posted
            raise NotSent(
                f"{e.title}: {e.message}",
                retry_after=e.retry_after,
                permanent=e.needs_action,
                rate_limited=_is_rate_limit(e),
            ) from None
        except ServiceError as e:
            if _never_reached_server(session.last_error):
                raise NotSent(f"{e.title}: {e.message}", retry_after=e.retry_after) from None
            raise MaybeSent(e.message) from None  # a timeout, a dropped connection or an HTTP 5xx
        return str(data.get("ts", ""))

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        """Reading a channel needs channels:history / groups:history (and :read to find it by name), which
        login does not ask for: a status app should not be able to read every conversation. So whether an
        interrupted post landed cannot be known; the user decides (Post again / Mark as sent)."""
        raise HistoryUnavailable("reading the channel needs scopes traystatus does not ask for")


class MatrixSender:
    """Sends with the delivery's stable transaction id: a retry returns the first event, never a second."""

    def __init__(self, client: MatrixSenderClient, *, timeout: float = 15.0, room_mentions: bool = False) -> None:
        self._room_mentions = room_mentions
        self._client = client
        self._timeout = timeout
        self._rooms: dict[str, str] = {}  # alias -> room id, resolved once per process

    def _room_id(self, alias: str) -> str:
        """``#name:server`` → ``!id``, through the homeserver's room directory (once per process)."""
        if alias not in self._rooms:
            session = getattr(self._client, "session", None)
            if session is None:
                raise NotSent(f"{alias} is an alias; configure the room id (!…:server) instead", permanent=True)
            try:
                self._rooms[alias] = resolve_alias(
                    session.homeserver, session.access_token, alias, timeout=self._timeout
                )
            except ConfigError as e:
                raise NotSent(e.message, permanent=True) from None
            except ServiceError as e:
                raise NotSent(f"{e.title}: {e.message}") from None
        return self._rooms[alias]

    def send(self, note: HandoffNote, delivery: Delivery) -> str:
        room = parse_destination(delivery.destination).target
        if not room.startswith("!"):
            room = self._room_id(room)
        try:
            return self._client.send_message(
                room,
                plain_text(note),
                formatted_body=matrix_html(note),
                txn_id=delivery.txn_id,
                mentions=matrix_mentions(note, room_mentions=self._room_mentions),
            )
        except ServiceError as e:
            raise NotSent(
                f"{e.title}: {e.message}",
                retry_after=e.retry_after,
                permanent=e.needs_action,
                rate_limited=_is_rate_limit(e),
            ) from None

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        raise HistoryUnavailable("not needed for Matrix")  # interrupted Matrix sends are simply repeated


IDLE_WAIT_S = 15 * 60.0
# The CLI waits out rate limits up to this long in all (longer: the tray or headless worker sends it later).
CLI_RATE_LIMIT_WAIT_S = 20.0


def owner_id() -> str:
    """Who holds a lease: this host and process, plus a token for this worker."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_gone(owner: str) -> bool:
    """A lease owner on this host whose process no longer exists (killed, crashed): its lease is void."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another host (a shared data dir) or unknown: wait for the lease to expire
    pid = int(pid_text)
    if pid == os.getpid():
        return False  # another worker of this process: it is alive
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class HandoffDelivery:
    """Drive deliveries: ``run_due()`` once (CLI) or ``start()`` a background thread (tray app).

    ``senders`` by service ("slack", "matrix"); ``on_change`` is called with each new delivery state
    (from the worker thread: hand it to the GUI through a Qt signal).
    """

    def __init__(
        self,
        archive: SqliteNoteArchive,
        senders: Mapping[str, Sender],
        now: Callable[[], datetime],
        on_change: Callable[[Delivery], None] | None = None,
    ) -> None:
        self._archive = archive
        self._senders = senders
        self._now = now
        self._on_change = on_change
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._run_lock = threading.Lock()
        self.owner = owner_id()

    def _notify(self, d: Delivery) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(d)
        except Exception:  # a window that went away must never stop a delivery
            log.exception("handoff delivery listener failed")

    def _save(self, d: Delivery) -> Delivery:
        self._archive.save_delivery(d)
        self._notify(d)
        return d

    def recover(self) -> None:
        """Deliveries left in flight by a process that died are resolved (Matrix resent, Slack checked);
        a live send elsewhere (lease running, owner alive) is left alone."""
        now = self._now()
        for d in self._archive.open_deliveries():
            if d.status is not DeliveryStatus.IN_FLIGHT or d.lease_owner == self.owner:
                continue
            if lease_expired(d, now) or owner_gone(d.lease_owner):
                log.warning("handoff delivery to %s was interrupted; resolving", d.destination)
                resolved = recover(d, now)
                if self._archive.claim_delivery(d, resolved):  # unless its owner finished meanwhile
                    self._notify(resolved)

    def run_once(self, now: datetime | None = None) -> datetime | None:
        """The outbox worker's one entry point for every runtime: resolve sends whose owner died, send what
        is due (in order per destination), and return when to call again (None: nothing waits; call again
        when a note is stored, also by another process)."""
        self.run_due()
        return next_wakeup(self._archive.open_deliveries())

    def run_due(self) -> list[Delivery]:
        """One pass over every due delivery; returns their new states."""
        with self._run_lock:
            self.recover()
            out: list[Delivery] = []
            tried: set[tuple[str, str]] = set()
            while True:  # a sent note lets the next one to its destination go, in the same pass
                due = [
                    d
                    for d in in_order(self._archive.open_deliveries())
                    if is_due(d, self._now()) and (d.note_id, d.destination) not in tried
                ]
                if not due:
                    return out
                for d in due:
                    tried.add((d.note_id, d.destination))
                    out.append(self._step(d))

    def _step(self, d: Delivery) -> Delivery:
        sender = self._senders.get(d.service)
        note = self._archive.get(d.note_id)
        now = self._now()
        if sender is None:
            if d.status is DeliveryStatus.CHECKING:
                return self._save(checked(d, now, found=None, history_available=False))
            return self._save(failed(d, now, f"no {d.service} account is set up", permanent=True))
        if d.status is DeliveryStatus.CHECKING:
            try:
                found = sender.find(note, d)
            except ServiceError as e:  # offline: look again later, never resend meanwhile
                return self._save(check_later(d, self._now(), e.message))
            except HistoryUnavailable as e:
                log.warning("cannot check %s for an interrupted handoff message: %s", d.destination, e)
                return self._save(checked(d, self._now(), found=None, history_available=False))
            return self._save(checked(d, self._now(), found=found, history_available=True))
        started = leased(begin_send(d, now), self.owner, now)
        if not self._archive.claim_delivery(d, started):  # durable before the request leaves, and ours alone
            log.info("handoff to %s is being handled by another traystatus process", d.destination)
            return next((x for x in self._archive.deliveries(d.note_id) if x.destination == d.destination), d)
        d = started
        self._notify(d)
        try:
            remote = sender.send(note, d)
        except NotSent as e:
            log.warning("handoff to %s not sent: %s", d.destination, e.error)
            if e.rate_limited and e.retry_after is not None:
                return self._save(rate_limited(d, self._now(), e.error, e.retry_after))
            return self._save(failed(d, self._now(), e.error, retry_after=e.retry_after, permanent=e.permanent))
        except MaybeSent as e:
            log.warning("handoff to %s may have been sent: %s", d.destination, e)
            return self._save(interrupted(d, self._now(), str(e)))
        log.info("handoff note %s delivered to %s", d.note_id, d.destination)
        return self._save(succeeded(d, self._now(), remote))

    def retry(self, note_id: str, destination: str) -> None:
        """The user's "Retry": allowed for failed and uncertain deliveries."""
        for d in self._archive.deliveries(note_id):
            if d.destination == destination:
                self._save(retry_now(d, self._now()))
        self._wake.set()

    def mark_sent(self, note_id: str, destination: str) -> None:
        """The user's "Mark as sent" for a delivery that may have been posted: it is there, never resend."""
        for d in self._archive.deliveries(note_id):
            if d.destination == destination:
                self._save(mark_sent(d, self._now()))
        self._wake.set()

    def retry_failed_now(self) -> None:
        """Retry every failed delivery now (``notes deliver``): uncertain ones still wait for the user."""
        for d in self._archive.open_deliveries():
            if d.status is DeliveryStatus.FAILED:
                self._save(retry_now(d, self._now()))
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="handoff-delivery", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _loop(self) -> None:
        failure = ""  # the last pass's error: a damaged or full archive is said once, not once a minute
        while not self._stop.is_set():
            try:
                self.run_due()
                when = next_wakeup(self._archive.open_deliveries())
            except Exception as e:
                what = f"{e.title}: {e.message}" if isinstance(e, TrayStatusError) else f"{type(e).__name__}: {e}"
                if what != failure:
                    if isinstance(e, TrayStatusError):  # its own words say what to do: no traceback
                        log.error("handoff delivery pass failed; trying again in a minute: %s", what)
                    else:
                        log.exception("handoff delivery pass failed; trying again in a minute")
                failure = what
                when = self._now() + timedelta(minutes=1)
            else:
                if failure:
                    log.info("handoff delivery works again")
                failure = ""
            # Nothing due: sleep long (this process wakes the loop for its own notes; the long wait only picks
            # up notes another traystatus process stored and could not deliver).
            wait = IDLE_WAIT_S if when is None else max(0.05, min(60.0, (when - self._now()).total_seconds()))
            self._wake.wait(wait)
            self._wake.clear()

    def deliver(
        self, *, max_passes: int = 50, give_up_after: float = 5.0, sleep: Callable[[float], None] | None = None
    ) -> list[Delivery]:
        """Deliver until nothing is due soon (CLI): waits out retries shorter than ``give_up_after`` seconds."""
        sleeper = sleep or self._stop.wait
        rate_limit_budget = CLI_RATE_LIMIT_WAIT_S
        for _ in range(max_passes):
            self.run_due()
            waiting = in_order(self._archive.open_deliveries())
            when = next_wakeup(waiting)
            if when is None:
                break
            wait = (when - self._now()).total_seconds()
            limited = any(is_rate_limited(x) for x in waiting)
            if wait > (rate_limit_budget if limited else give_up_after):
                break
            if limited:
                rate_limit_budget -= max(0.0, wait)
            sleeper(max(0.0, wait))
        return self._archive.open_deliveries()
