"""The handoff outbox worker: delivers stored notes to Slack (SlackClient) and Matrix (MatrixClient)
following ``core.outbox``; every state change is written to the archive *before* the next step, so
a crash or a kill at any point resumes without losing or duplicating a message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol

import requests

from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.matrix_directory import resolve_alias
from traystatus.adapters.slack_api import SlackApiError, SlackClient
from traystatus.core.errors import ConfigError, ServiceError
from traystatus.core.handoff import HandoffNote, matrix_html, parse_destination, plain_text, slack_text
from traystatus.core.outbox import (
    Delivery,
    DeliveryStatus,
    check_later,
    checked,
    failed,
    interrupted,
    is_due,
    next_wakeup,
    recover,
    retry_now,
    succeeded,
)
from traystatus.core.outbox import begin as begin_send

log = logging.getLogger(__name__)


class NotSent(Exception):
    """The service certainly did not take the message (refused, unreachable before sending, rate limit)."""

    def __init__(self, error: str, *, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(error)
        self.error, self.retry_after, self.permanent = error, retry_after, permanent


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
    def send_message(self, room_id: str, body: str, *, formatted_body: str | None = None, txn_id: str) -> str: ...


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

    def __init__(self, tokens: Mapping[str, str], *, api_url: str | None = None, timeout: float | None = None) -> None:
        from traystatus.adapters.service_clients import Purpose, slack_client

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
            data = client.call("chat.postMessage", channel=channel, text=slack_text(note))
        except SlackApiError as e:  # Slack answered ok:false or 429: nothing was posted
            raise NotSent(f"{e.title}: {e.message}", retry_after=e.retry_after, permanent=e.needs_action) from None
        except ServiceError as e:
            if _never_reached_server(session.last_error):
                raise NotSent(f"{e.title}: {e.message}", retry_after=e.retry_after) from None
            raise MaybeSent(e.message) from None  # a timeout, a dropped connection or an HTTP 5xx
        return str(data.get("ts", ""))

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        client, _, channel = self._client(delivery)
        try:
            channel_id = self._channel_id(client, channel)
            params: dict[str, Any] = {"channel": channel_id, "limit": 200}
            if delivery.started is not None:
                params["oldest"] = f"{(delivery.started - timedelta(minutes=5)).timestamp():.6f}"
            data = client.call("conversations.history", **params)
        except SlackApiError as e:  # unknown_method, missing_scope, not_in_channel…: cannot know
            raise HistoryUnavailable(e.message) from None
        want = slack_text(note)
        for msg in data.get("messages", []):
            if isinstance(msg, dict) and msg.get("text") == want:
                return str(msg.get("ts", ""))
        return None

    @staticmethod
    def _channel_id(client: SlackClient, channel: str) -> str:
        if not channel.startswith("#"):
            return channel
        cursor = ""
        while True:
            data = client.call(
                "conversations.list",
                types="public_channel,private_channel",
                limit=200,
                **({"cursor": cursor} if cursor else {}),
            )
            for ch in data.get("channels", []):
                if ch.get("name") == channel[1:]:
                    return str(ch["id"])
            cursor = str((data.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                raise HistoryUnavailable(f"channel {channel} not found")


class MatrixSender:
    """Sends with the delivery's stable transaction id: a retry returns the first event, never a second."""

    def __init__(self, client: MatrixSenderClient, *, timeout: float = 15.0) -> None:
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
                room, plain_text(note), formatted_body=matrix_html(note), txn_id=delivery.txn_id
            )
        except ServiceError as e:
            raise NotSent(f"{e.title}: {e.message}", retry_after=e.retry_after, permanent=e.needs_action) from None

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        raise HistoryUnavailable("not needed for Matrix")  # interrupted Matrix sends are simply repeated


IDLE_WAIT_S = 15 * 60.0


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
        self._recovered = False

    def _save(self, d: Delivery) -> Delivery:
        self._archive.save_delivery(d)
        if self._on_change is not None:
            self._on_change(d)
        return d

    def recover(self) -> None:
        """After a start: deliveries left in flight by a crash are resolved (Matrix resent, Slack checked)."""
        for d in self._archive.open_deliveries():
            if d.status is DeliveryStatus.IN_FLIGHT:
                log.warning("handoff delivery to %s was interrupted; resolving", d.destination)
                self._save(recover(d, self._now()))
        self._recovered = True

    def run_due(self) -> list[Delivery]:
        """One pass over every due delivery; returns their new states."""
        with self._run_lock:
            if not self._recovered:
                self.recover()
            out = []
            for d in self._archive.open_deliveries():
                if is_due(d, self._now()):
                    out.append(self._step(d))
            return out

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
        started = begin_send(d, now)
        if not self._archive.claim_delivery(d, started):  # durable before the request leaves, and ours alone
            log.info("handoff to %s is being handled by another traystatus process", d.destination)
            return next((x for x in self._archive.deliveries(d.note_id) if x.destination == d.destination), d)
        d = started
        if self._on_change is not None:
            self._on_change(d)
        try:
            remote = sender.send(note, d)
        except NotSent as e:
            log.warning("handoff to %s not sent: %s", d.destination, e.error)
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
        while not self._stop.is_set():
            try:
                self.run_due()
            except Exception:
                log.exception("handoff delivery pass failed; trying again later")
            when = next_wakeup(self._archive.open_deliveries())
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
        for _ in range(max_passes):
            self.run_due()
            when = next_wakeup(self._archive.open_deliveries())
            if when is None:
                break
            wait = (when - self._now()).total_seconds()
            if wait > give_up_after:
                break
            sleeper(max(0.0, wait))
        return self._archive.open_deliveries()
