"""Holds the user's Matrix presence while the app runs: one thread long-polling ``/sync`` with ``set_presence``.

Synapse shows a device ``offline`` ~30 s after its last sync ended (``sync_online_timeout``) and ``unavailable``
after 5 min without activity (``idle_timeout``; a sync that sets presence counts as activity); a sync started
less than 10 s after the previous one is not counted at all (the presence rate limit, 0.1/s). So the loop keeps
one sync in flight at all times, starts them at least ``MIN_GAP`` apart and asks for almost nothing (a filter:
no rooms, only presence and push rules). docs/matrix.md has the figures. What it learns (the user's merged
presence, teammates', push-rule changes) is served as a :class:`~traystatus.core.live_presence.LiveState`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from traystatus.adapters.clock import utc_now
from traystatus.adapters.matrix_api import MatrixClient
from traystatus.adapters.matrix_login import CLIENT_V3, retry_after_seconds
from traystatus.adapters.matrix_socket import InterruptibleSession
from traystatus.core.errors import ServiceError
from traystatus.core.live_presence import LiveState, PresenceSighting

log = logging.getLogger(__name__)

POLL_MS = 30_000  # long-poll timeout: below the 60 s many reverse proxies allow, far below the 5 min idle timer
MIN_GAP = 10.5  # s between sync starts: Synapse ignores set_presence (and the device's syncing) more often
MAX_BACKOFF = 60.0
MAX_TEAMMATES = 5_000  # a huge server cannot grow our memory without bound
MAX_BODY = 8 << 20  # a filtered sync is a few hundred bytes; a lying server cannot fill our memory
_TOO_LARGE = b"\x00too large"

#: Almost nothing: no room data at all, presence and push rules only (``event_fields`` trims the rest).
SYNC_FILTER: dict[str, Any] = {
    "event_fields": ["type", "sender", "content"],
    "presence": {"types": ["m.presence"]},
    "account_data": {"types": ["m.push_rules"]},
    "room": {"rooms": [], "include_leave": False},
}


class _Retry(Exception):
    """Try again after ``delay`` s (doubled per failure in a row when ``backoff``); ``problem`` is told the user."""

    def __init__(self, delay: float, problem: str = "", *, backoff: bool = False) -> None:
        super().__init__(problem)
        self.delay, self.problem, self.backoff = delay, problem, backoff


class MatrixPresenceLoop:
    """``start`` / ``set_desired`` / ``stop``; thread-safe. ``on_change`` is called (on the loop thread) whenever
    what the user should be told changes (a problem, another session), and after each sync while it lasts."""

    def __init__(
        self,
        client: MatrixClient,
        *,
        poll_ms: int = POLL_MS,
        min_gap: float = MIN_GAP,
        on_change: Callable[[LiveState], None] | None = None,
        clock: Callable[[], datetime] = utc_now,
        sync_filter: dict[str, Any] | None = None,
    ) -> None:
        self._client = client
        self._sync_filter = sync_filter or SYNC_FILTER
        self._poll_ms = poll_ms
        self._min_gap = min_gap
        self._on_change = on_change
        self._clock = clock
        self._http = InterruptibleSession()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._desired = ""
        self._desired_since: datetime | None = None
        self._since: str | None = None
        self._filter_id: str | None = None
        self._own: PresenceSighting | None = None
        self._teammates: dict[str, PresenceSighting] = {}
        self._push_rules_at: datetime | None = None
        self._problem = ""
        self._connected = False
        self._last_note = ""
        self._reported = False
        self._down_since: datetime | None = None
        self.requests = 0  # syncs made (for the bench and the log)
        self.bytes_in = 0  # response bodies received

    def __repr__(self) -> str:
        return f"MatrixPresenceLoop({self._client.user_id!r}, desired={self._desired!r})"

    # -- control (any thread) -------------------------------------------------------------------------------

    def set_desired(self, presence: str) -> None:
        """Hold ``presence`` (online | unavailable) from the next sync on; starts the loop on first call."""
        with self._lock:
            changed, self._desired = presence != self._desired, presence
            if changed:
                self._desired_since = self._clock()
            start = self._thread is None and not self._stopping.is_set()
            if start:
                self._thread = threading.Thread(
                    target=self._run, name=f"matrix-presence-{self._client.user_id}", daemon=True
                )
        if start:
            assert self._thread is not None
            self._thread.start()
        elif changed:
            self._wake.set()  # a loop waiting out a gap or a backoff uses the new value at once
        self._tell()

    def start(self, presence: str = "online") -> None:
        self.set_desired(presence)

    def stop(self, timeout: float = 5.0) -> None:
        """End the in-flight long poll and join the thread (within ``timeout``)."""
        self._stopping.set()
        self._wake.set()
        self._http.interrupt()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
            if thread.is_alive():
                log.warning("Matrix presence loop did not stop within %.1f s", timeout)
        self._http.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def live(self) -> LiveState:
        with self._lock:
            return LiveState(
                desired=self._desired,
                desired_since=self._desired_since,
                own=self._own,
                teammates=tuple(sorted(self._teammates.values(), key=lambda s: s.user_id)),
                push_rules_changed_at=self._push_rules_at,
                problem=self._problem,
                connected=self._connected,
            )

    # -- the loop thread ------------------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        next_start = 0.0
        while not self._stopping.is_set():
            delay = next_start - time.monotonic()
            if delay > 0:
                self._wake.wait(delay)
                self._wake.clear()
                if self._stopping.is_set():
                    break
                if time.monotonic() < next_start:  # woken early by a new desired presence: keep the gap
                    continue
            started = time.monotonic()
            try:
                self._sync_once()
            except _Retry as r:
                if self._stopping.is_set():
                    break
                failures += 1
                self._set_problem(r.problem, connected=not r.problem.startswith("Matrix homeserver unreachable"))
                delay = min(MAX_BACKOFF / 2, r.delay * 2 ** min(failures - 1, 3)) if r.backoff else r.delay
                next_start = time.monotonic() + delay
                continue
            except Exception:  # never let the keeper die silently: log, tell, retry later
                log.exception("Matrix presence loop")
                failures += 1
                self._set_problem("Matrix presence loop failed (see the log); retrying", connected=False)
                next_start = time.monotonic() + min(MAX_BACKOFF, 2.0**failures)
                continue
            failures = 0
            self._set_problem("", connected=True)
            self._report()
            next_start = started + self._min_gap
        log.info("Matrix presence loop for %s stopped", self._client.user_id)

    def _sync_once(self) -> None:
        session = self._client.session
        with self._lock:
            presence = self._desired or "online"
            since = self._since
        params: dict[str, str] = {"set_presence": presence, "timeout": str(self._poll_ms if since else 0)}
        params["filter"] = self._filter(session.homeserver)
        if since:
            params["since"] = since
        data = self._call("GET", f"{session.homeserver}{CLIENT_V3}/sync", params=params, poll=since is not None)
        next_batch = data.get("next_batch")
        if not isinstance(next_batch, str):
            raise _Retry(3.0, "Matrix homeserver sent a sync without next_batch; retrying", backoff=True)
        self._learn(data)
        with self._lock:
            self._since = next_batch
        self._tell()

    def _filter(self, homeserver: str) -> str:
        """The uploaded filter's id (once per loop), or the filter inline when the upload is refused."""
        if self._filter_id is None:
            user = self._client.user_id
            try:
                data = self._call("POST", f"{homeserver}{CLIENT_V3}/user/{user}/filter", body=self._sync_filter)
                fid = data.get("filter_id")
                inline = json.dumps(self._sync_filter, separators=(",", ":"))
                self._filter_id = fid if isinstance(fid, str) and fid else inline
            except ServiceError:
                self._filter_id = json.dumps(self._sync_filter, separators=(",", ":"))
        return self._filter_id

    def _call(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        poll: bool = False,
    ) -> dict[str, Any]:
        """One request; rate limits, a down server and a soft logout become ``_Retry``; a refused session a
        ``_Retry`` with the fix; anything else 4xx a ``ServiceError``."""
        session = self._client.session
        host = urlsplit(session.homeserver).netloc
        timeout = (10.0, self._poll_ms / 1000.0 + 20.0) if poll else 20.0
        try:
            resp = self._http.request(
                method,
                url,
                params=params,
                json=body,
                headers={"Authorization": f"Bearer {session.access_token}"},
                timeout=timeout,
                stream=True,
            )
            raw = _read_bounded(resp)
        except requests.RequestException as exc:
            kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
            self._down_since = self._down_since or self._clock()
            raise _Retry(
                3.0,
                f"Matrix homeserver unreachable ({host}: {kind}) since {self._down_since:%H:%M} UTC: your "
                "presence is not being held; traystatus keeps retrying",
                backoff=True,
            ) from None
        self._down_since = None
        self.requests += 1
        self.bytes_in += len(raw)
        if raw is _TOO_LARGE:
            raise _Retry(60.0, f"Matrix homeserver ({host}) sent more than {MAX_BODY >> 20} MiB for a sync; retrying")
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = {}
        data: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
        if 200 <= resp.status_code < 300:
            return data
        errcode = data.get("errcode")
        if resp.status_code == 429 or errcode == "M_LIMIT_EXCEEDED":
            wait = retry_after_seconds(resp, data)
            raise _Retry(max(1.0, wait if wait is not None else self._min_gap))
        if resp.status_code >= 500:
            raise _Retry(3.0, f"Matrix homeserver error ({host}: HTTP {resp.status_code}); retrying", backoff=True)
        if errcode in ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN") or resp.status_code == 401:
            if data.get("soft_logout") and session.refresh_token:
                try:
                    self._client.refresh_stale(session)
                except ServiceError as e:
                    raise _Retry(MAX_BACKOFF, f"{e.title}: {e.message}") from None
                raise _Retry(1.0, backoff=True)  # soon, with the new token (doubling if refreshing keeps failing)
            if self._client.session is not session:  # another thread refreshed meanwhile
                raise _Retry(0.0)
            raise _Retry(
                MAX_BACKOFF,
                f"Matrix session of {session.user_id} expired: presence is not held; sign in again "
                "(Settings… → Accounts, or `traystatus login matrix`)",
            )
        if params and resp.status_code == 400:  # a since token or filter the server forgot (a wiped database)
            with self._lock:
                self._since, self._filter_id = None, None
            raise _Retry(self._min_gap, f"Matrix homeserver refused the sync ({errcode}); starting afresh")
        raise ServiceError(
            "Matrix sync refused", f"{method} {urlsplit(url).path}: {errcode or resp.status_code} {data.get('error')}"
        )

    def _learn(self, data: dict[str, Any]) -> None:
        now = self._clock()
        me = self._client.user_id
        events = (data.get("presence") or {}).get("events") or []
        rules = [e for e in (data.get("account_data") or {}).get("events") or [] if isinstance(e, dict)]
        with self._lock:
            for e in events if isinstance(events, list) else []:
                sighting = _sighting(e, now)
                if sighting is None:
                    continue
                if sighting.user_id == me:
                    self._own = sighting
                elif sighting.user_id in self._teammates or len(self._teammates) < MAX_TEAMMATES:
                    self._teammates[sighting.user_id] = sighting
            if any(e.get("type") == "m.push_rules" for e in rules) and self._since is not None:
                self._push_rules_at = now  # the initial sync's copy is no change

    def _set_problem(self, problem: str, *, connected: bool) -> None:
        with self._lock:
            if problem and problem != self._problem:
                log.warning("%s: %s", self._client.user_id, problem)
            self._problem, self._connected = problem, connected
        self._tell()

    def _tell(self) -> None:
        note = self.live().note
        if note != self._last_note:
            self._last_note = note
            if note:
                log.warning("%s: %s", self._client.user_id, note)
            self._report()

    def _report(self) -> None:
        """``on_change`` on every change of the note and after each sync while there is one (kept fresh)."""
        if self._on_change is not None and (self._last_note or self._reported):
            self._reported = bool(self._last_note)
            try:
                self._on_change(self.live())
            except Exception:
                log.exception("Matrix presence loop: on_change failed")


def _read_bounded(resp: requests.Response) -> bytes:
    """The body, or ``_TOO_LARGE`` past ``MAX_BODY`` (the connection is dropped, not drained)."""
    chunks, size = [], 0
    for chunk in resp.iter_content(65536):
        size += len(chunk)
        if size > MAX_BODY:
            resp.close()
            return _TOO_LARGE
        chunks.append(chunk)
    return b"".join(chunks)


def _sighting(event: Any, now: datetime) -> PresenceSighting | None:
    if not isinstance(event, dict) or event.get("type") != "m.presence":
        return None
    sender, content = event.get("sender"), event.get("content")
    if not isinstance(sender, str) or not isinstance(content, dict):
        return None
    presence = content.get("presence")
    if presence not in ("online", "unavailable", "offline"):
        return None
    active = content.get("currently_active")
    msg = content.get("status_msg")
    return PresenceSighting(
        user_id=sender[:255],
        presence=presence,
        status_msg=msg[:256] if isinstance(msg, str) else "",
        currently_active=active if isinstance(active, bool) else None,
        seen_at=now,
    )
