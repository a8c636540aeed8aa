"""``StatusPublisher`` for one Slack workspace: users.profile.set, dnd.setSnooze/endSnooze, users.setPresence.

Keeps Slack's profile-write limit (10 a minute per user) itself, so a burst never earns a 429.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime

from traystatus.adapters.slack_api import SlackApiError, SlackClient
from traystatus.core.errors import ServiceError
from traystatus.core.publishing import SLACK_TRAITS, Observed, Operation, OpKind, Service, Traits

log = logging.getLogger(__name__)

PROFILE_WRITES_PER_MINUTE = 10


class SlackStatusPublisher:
    def __init__(
        self,
        client: SlackClient,
        *,
        account: str,
        monotonic: Callable[[], float] = time.monotonic,
        profile_writes_per_minute: int = PROFILE_WRITES_PER_MINUTE,
    ) -> None:
        self._client = client
        self._account = account
        self._monotonic = monotonic
        self._limit = profile_writes_per_minute
        self._writes: deque[float] = deque()
        self._lock = threading.Lock()
        self._lacking: dict[str, str] = {}  # "presence"/"dnd" → the scope Slack said is missing

    def __repr__(self) -> str:
        return f"SlackStatusPublisher({self._account!r})"

    @property
    def account(self) -> str:
        return self._account

    @property
    def service(self) -> Service:
        return Service.SLACK

    @property
    def traits(self) -> Traits:
        if not self._lacking:
            return SLACK_TRAITS
        scopes = ", ".join(sorted(set(self._lacking.values())))
        return dataclasses.replace(
            SLACK_TRAITS,
            presence="presence" not in self._lacking,
            dnd="dnd" not in self._lacking,
            # "what: why" — the menu's short line is the part before the colon (core.tray_view.short_problem)
            why_not=f"{' and '.join(sorted(self._lacking))} cannot be set: the Slack token lacks {scopes}; the "
            "status still follows the calendar. Add the scope to the app, reinstall, then `traystatus login slack`.",
        )

    def observe(self, *, dnd: bool = True) -> Observed:  # Slack's snooze is never read: it expires
        profile = self._client.call("users.profile.get").get("profile") or {}
        expiration = int(profile.get("status_expiration") or 0)
        return Observed(
            text=str(profile.get("status_text") or ""),
            emoji=str(profile.get("status_emoji") or ""),
            expires_at=datetime.fromtimestamp(expiration, UTC) if expiration else None,
        )

    def _take_profile_write(self) -> None:
        with self._lock:
            now = self._monotonic()
            while self._writes and self._writes[0] <= now - 60:
                self._writes.popleft()
            if len(self._writes) >= self._limit:
                wait = max(1.0, self._writes[0] + 60 - now)
                raise ServiceError(
                    "Slack profile write limit",
                    f"{self._limit} status changes in the last minute "
                    f"on {self._account}; the next one goes out in {wait:.0f} s.",
                    retry_after=wait,
                )
            self._writes.append(now)

    def send(self, op: Operation, now: datetime) -> None:
        try:
            self._send(op, now)
        except SlackApiError as e:
            # A token without the scope for presence or DND: remember it, so reconcile plans around it instead
            # of holding back status changes (the scope named once here, then on every pass as a note).
            if e.error == "missing_scope" and op.kind is not OpKind.SET_STATUS:
                capability = "presence" if op.kind is OpKind.SET_PRESENCE else "dnd"
                self._lacking[capability] = e.needed or ("users:write" if capability == "presence" else "dnd:write")
            raise

    def describe_call(self, op: Operation, now: datetime) -> str:
        method, params = _call(op, now)
        return f"{method} {json.dumps(params, ensure_ascii=False)}" if params else method

    def _send(self, op: Operation, now: datetime) -> None:
        method, params = _call(op, now)
        if op.kind is OpKind.SET_STATUS:
            self._take_profile_write()
        if op.kind is not OpKind.END_DND:
            self._client.call(method, **params)
        else:
            try:
                self._client.call(method)
            except SlackApiError as e:
                if e.error != "snooze_not_active":  # already over (ended by hand): the goal is reached
                    raise
                log.info("%s: the snooze had already ended", self._account)


def _call(op: Operation, now: datetime) -> tuple[str, dict[str, object]]:
    """The Slack Web API method and arguments for ``op`` at ``now``."""
    if op.kind is OpKind.SET_STATUS:
        expiration = int(op.expires_at.timestamp()) if op.expires_at is not None else 0
        return "users.profile.set", {
            "profile": {"status_text": op.text, "status_emoji": op.emoji, "status_expiration": expiration}
        }
    if op.kind is OpKind.SET_PRESENCE:
        return "users.setPresence", {"presence": "away" if op.away else "auto"}
    if op.kind is OpKind.SET_DND:
        until = op.until or op.span_end
        minutes = max(1, math.ceil((until - now).total_seconds() / 60)) if until is not None else 60
        return "dnd.setSnooze", {"num_minutes": minutes}
    return "dnd.endSnooze", {}
