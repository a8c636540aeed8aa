"""The handoff senders: post one note to Slack (chat.postMessage, never retried blindly) or Matrix (a stable
transaction id, safe to repeat), and say how it went: sent, certainly not sent (:class:`NotSent`) or
perhaps (:class:`MaybeSent`). The outbox worker (``handoff_delivery``) decides what happens next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import requests

from traystatus.adapters.matrix_directory import resolve_alias
from traystatus.adapters.note_render import matrix_html, matrix_mentions, slack_text
from traystatus.adapters.slack_api import SlackApiError, SlackClient
from traystatus.core.errors import ConfigError, ServiceError
from traystatus.core.handoff import HandoffNote, parse_destination, plain_text
from traystatus.core.outbox import Delivery


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
