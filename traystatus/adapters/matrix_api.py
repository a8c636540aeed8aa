"""Matrix client-server API calls traystatus needs: presence, the master push rule (DND), messages, profiles.

``MatrixClient`` waits out rate limits (``retry_after_ms`` and ``Retry-After``), refreshes soft-logged-out
sessions, retries a down server a bounded number of times, and raises ``ServiceError`` for everything else.
Login and discovery live in ``matrix_login`` and are re-exported here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from traystatus.adapters.matrix_login import (
    CLIENT_V3,
    MatrixSession,
    discover,
    login_password,
    logout,
    refresh_session,
    refused,
    response_json,
    retry_after_seconds,
    session_expired,
)
from traystatus.core.errors import ServiceError

__all__ = [
    "PRESENCE_STATES",
    "MatrixClient",
    "MatrixSession",
    "discover",
    "login_password",
    "logout",
    "refresh_session",
]

log = logging.getLogger(__name__)

PRESENCE_STATES = ("online", "unavailable", "offline")
MASTER_RULE = ("global", "override", ".m.rule.master")
TZ_KEYS = ("m.tz", "us.cloke.msc4175.tz")  # MSC4175: stable key, then the unstable one


def _q(value: str) -> str:
    return quote(value, safe="")


class MatrixClient:
    """Calls on behalf of one ``MatrixSession``; thread-safe; ``session`` always holds the current tokens."""

    def __init__(
        self,
        session: MatrixSession,
        *,
        http: requests.Session | None = None,
        timeout: float = 10.0,
        on_session_change: Callable[[MatrixSession], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 30.0,
        retries: int = 2,
    ) -> None:
        self._session = session
        self._http = http or requests.Session()
        self._timeout = timeout
        self._on_session_change = on_session_change
        self._sleep = sleep
        self._max_wait = max_wait
        self._retries = retries
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MatrixClient({self._session!r})"

    @property
    def session(self) -> MatrixSession:
        return self._session

    @property
    def user_id(self) -> str:
        return self._session.user_id

    # -- transport --------------------------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, allow_404: bool = False
    ) -> dict[str, Any] | None:
        """One API call with rate-limit waits, one refresh on soft logout and bounded retries when down."""
        waited = 0.0
        failures = 0
        limited_waits = 0
        refreshed = False
        what = f"{method} {path.split('?')[0]}"
        while True:
            session = self._session
            try:
                resp = self._http.request(
                    method,
                    f"{session.homeserver}{CLIENT_V3}{path}",
                    json=body,
                    headers={"Authorization": f"Bearer {session.access_token}"},
                    timeout=self._timeout,
                )
            except requests.RequestException as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                failures += 1
                delay = 0.5 * 2 ** (failures - 1)
                if failures > self._retries or waited + delay > self._max_wait:
                    raise ServiceError(
                        "Matrix homeserver unreachable",
                        f"{urlsplit(session.homeserver).netloc}: {kind} ({what}). The server may be down or the "
                        "network offline; traystatus retries later.",
                    ) from None
                log.warning("Matrix %s: %s, retry %d in %.1f s", what, kind, failures, delay)
                self._sleep(delay)
                waited += delay
                continue
            if 200 <= resp.status_code < 300:
                return response_json(resp)
            data = response_json(resp)
            errcode = data.get("errcode")
            if resp.status_code >= 500:
                failures += 1
                delay = 0.5 * 2 ** (failures - 1)
                if failures > self._retries or waited + delay > self._max_wait:
                    raise ServiceError(
                        "Matrix homeserver error",
                        f"{urlsplit(session.homeserver).netloc} answered HTTP {resp.status_code} "
                        f"to {what}; traystatus retries later.",
                    )
                log.warning("Matrix %s: HTTP %d, retry %d in %.1f s", what, resp.status_code, failures, delay)
                self._sleep(delay)
                waited += delay
                continue
            if resp.status_code == 429 or errcode == "M_LIMIT_EXCEEDED":
                asked = retry_after_seconds(resp, data)
                if asked is None:  # no usable wait given: back off (0.5, 1, 2 s…) and count it as a failure
                    failures += 1
                    delay = 0.5 * 2 ** (failures - 1)
                    over = failures > self._retries
                else:  # a short wait repeated is still a storm: only as many as the retries allow
                    limited_waits += 1
                    delay, over = max(0.1, asked), limited_waits > max(1, self._retries)
                if over or waited + delay > self._max_wait:
                    when = f"asks to wait {asked:.1f} s" if asked is not None else "gave no time to wait"
                    raise ServiceError(
                        "Matrix rate limit",
                        f"The homeserver {when} before {what}; traystatus retries later.",
                        retry_after=asked,
                    )
                log.info("Matrix %s rate-limited; waiting %.1f s", what, delay)
                self._sleep(delay)
                waited += delay
                continue
            if errcode in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN") or resp.status_code == 401:
                if data.get("soft_logout") and session.refresh_token and not refreshed:
                    refreshed = True
                    self._refresh(session)
                    continue
                raise session_expired(session.user_id)
            if resp.status_code == 404 and allow_404:
                return None
            raise refused(resp, data, what)

    def _refresh(self, stale: MatrixSession) -> None:
        with self._lock:
            if self._session is not stale:  # another thread refreshed already
                return
            fresh = refresh_session(stale, http=self._http, timeout=self._timeout)
            self._session = fresh
        if self._on_session_change is not None:
            self._on_session_change(fresh)

    def refresh_stale(self, stale: MatrixSession) -> MatrixSession:
        """For a caller with its own transport (the sync loop): refresh after ``stale`` was soft-logged-out (once,
        however many threads saw it); returns the session to use. Raises ``ServiceError`` when refresh fails."""
        self._refresh(stale)
        return self._session

    def _get(self, path: str, *, allow_404: bool = False) -> dict[str, Any] | None:
        return self._request("GET", path, allow_404=allow_404)

    def _must_get(self, path: str) -> dict[str, Any]:
        return self._request("GET", path) or {}

    # -- account ----------------------------------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        """``{"user_id", "device_id", …}`` of the token: the cheapest check that the session works."""
        return self._must_get("/account/whoami")

    # -- presence ---------------------------------------------------------------------------------------------

    def get_presence(self, user_id: str | None = None) -> dict[str, Any]:
        """``{"presence": online|unavailable|offline, "status_msg"?, "last_active_ago"?, …}``."""
        return self._must_get(f"/presence/{_q(user_id or self.user_id)}/status")

    def set_presence(self, presence: str, status_msg: str | None = None) -> None:
        """Set own presence; ``status_msg=None`` clears the message (Synapse drops an absent one)."""
        if presence not in PRESENCE_STATES:
            raise ValueError(f"presence must be one of {PRESENCE_STATES}, not {presence!r}")
        body: dict[str, Any] = {"presence": presence}
        if status_msg is not None:
            body["status_msg"] = status_msg
        self._request("PUT", f"/presence/{_q(self.user_id)}/status", body)

    def presence_enabled(self) -> bool:
        """Does the homeserver keep presence? A disabled server accepts every PUT and always reads "offline".

        Only a bare "offline" is ambiguous: then it sets "unavailable", reads it back and restores the bare
        "offline" (the restore may wait out the presence rate limit, ~10 s by default).
        """
        before = self.get_presence()
        if before.get("presence") != "offline" or set(before) != {"presence"}:
            return True
        self.set_presence("unavailable")
        enabled = self.get_presence().get("presence") == "unavailable"
        if enabled:
            self.set_presence("offline")
        return enabled

    # -- push rules (Do Not Disturb = the master rule) -----------------------------------------------------------

    def get_push_rule_enabled(self, scope: str, kind: str, rule_id: str) -> bool:
        data = self._must_get(f"/pushrules/{_q(scope)}/{_q(kind)}/{_q(rule_id)}/enabled")
        return bool(data.get("enabled"))

    def set_push_rule_enabled(self, scope: str, kind: str, rule_id: str, enabled: bool) -> None:
        self._request("PUT", f"/pushrules/{_q(scope)}/{_q(kind)}/{_q(rule_id)}/enabled", {"enabled": enabled})

    def dnd_enabled(self) -> bool:
        """Do Not Disturb is on when the master push rule (silence everything) is enabled."""
        return self.get_push_rule_enabled(*MASTER_RULE)

    def set_dnd(self, enabled: bool) -> None:
        self.set_push_rule_enabled(*MASTER_RULE, enabled)

    # -- rooms and messages -----------------------------------------------------------------------------------

    def send_message(
        self,
        room_id: str,
        body: str,
        *,
        formatted_body: str | None = None,
        txn_id: str,
        mentions: dict[str, Any] | None = None,
    ) -> str:
        """Post ``m.text``; the caller's stable ``txn_id`` makes retries safe (same txn id → same event).
        ``mentions``: the event's ``m.mentions`` (intentional mentions; {} pings nobody)."""
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if mentions is not None:
            content["m.mentions"] = mentions
        if formatted_body is not None:
            content["format"] = "org.matrix.custom.html"
            content["formatted_body"] = formatted_body
        data = self._request("PUT", f"/rooms/{_q(room_id)}/send/m.room.message/{_q(txn_id)}", content) or {}
        event_id = data.get("event_id")
        if not isinstance(event_id, str):
            raise ServiceError("Matrix message not confirmed", f"The homeserver gave no event id for {room_id}.")
        return event_id

    def joined_rooms(self) -> list[str]:
        return [str(r) for r in self._must_get("/joined_rooms").get("joined_rooms", [])]

    def joined_members(self, room_id: str) -> list[str]:
        return sorted(self._must_get(f"/rooms/{_q(room_id)}/joined_members").get("joined", {}))

    # -- profiles -----------------------------------------------------------------------------------------------

    def get_profile(self, user_id: str | None = None) -> dict[str, Any]:
        """The whole public profile (displayname, avatar_url and custom fields such as ``m.tz``); {} if none."""
        return self._get(f"/profile/{_q(user_id or self.user_id)}", allow_404=True) or {}

    def get_profile_tz(self, user_id: str) -> str | None:
        """The person's IANA time zone from profile field ``m.tz`` (or ``us.cloke.msc4175.tz``), if they set one."""
        profile = self.get_profile(user_id)
        for key in TZ_KEYS:
            value = profile.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    def set_profile_field(self, key: str, value: Any) -> None:
        """Set a profile field of one's own (custom fields need Matrix 1.16 / MSC4133 on the server)."""
        try:
            self._request("PUT", f"/profile/{_q(self.user_id)}/{_q(key)}", {key: value})
        except ServiceError as exc:
            if "M_UNRECOGNIZED" in exc.message or "HTTP 404" in exc.message:
                raise ServiceError(
                    "Matrix profile field not supported", f"This homeserver does not accept the profile field {key!r}."
                ) from None
            raise
