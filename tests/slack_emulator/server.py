"""A real HTTP server on 127.0.0.1 that answers like slack.com/api: auth, scopes, argument types, rate limits."""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.slack_emulator.methods import METHODS, Context, SlackFault
from tests.slack_emulator.spec import (
    MESSAGES_PER_CHANNEL_PER_WINDOW,
    PROFILE_WRITES_PER_WINDOW,
    MethodSpec,
    coerce_args,
    load_specs,
)
from tests.slack_emulator.workspace import ALL_USER_SCOPES, Call, Message, Token, User, Workspace, default_workspace

DEFAULT_TOKEN = "xoxp-1111-2222-emulator-me"


@dataclass
class Fault:
    method: str  # a method name or "*"
    status: int = 500
    error: str | None = None
    retry_after: int | str | None = None  # a str is sent as is (an HTTP-date, garbage)
    delay: float = 0.0
    times: int = 1


class _Reply(Exception):
    def __init__(self, status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class SlackEmulator:
    """Start with ``with SlackEmulator() as slack:``; point clients at ``slack.base_url``."""

    def __init__(
        self,
        *,
        now: Callable[[], float] = time.time,
        window_seconds: float = 60.0,
        rate_limits: bool = True,
        token: str = DEFAULT_TOKEN,
        workspace: Workspace | None = None,
    ) -> None:
        self.now = now
        self.window_seconds = window_seconds
        self.rate_limits = rate_limits
        self.token = token
        self.ws = workspace or default_workspace(token)
        self.specs: dict[str, MethodSpec] = load_specs()
        self.calls: list[Call] = []
        self.bugs: list[str] = []  # the emulator answered outside the documented contract
        self._faults: list[Fault] = []
        self._windows: dict[tuple[str, ...], deque[float]] = {}
        self._seq = 0
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> SlackEmulator:
        emulator = self

        class Handler(_Handler):
            emu = emulator

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="slack-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the emulator first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    # -- set-up and inspection for tests -----------------------------------------------------------
    @property
    def team_id(self) -> str:
        return self.ws.team_id

    @property
    def user_id(self) -> str:
        return self.ws.tokens[self.token].user_id

    @property
    def me(self) -> User:
        return self.ws.users[self.user_id]

    def add_token(
        self, value: str, *, user_id: str | None = None, scopes: tuple[str, ...] = ALL_USER_SCOPES, kind: str = "user"
    ) -> Token:
        with self.lock:
            tok = Token(value=value, user_id=user_id or self.user_id, scopes=tuple(scopes), kind=kind)
            self.ws.tokens[value] = tok
            return tok

    def revoke(self, token: str | None = None) -> None:
        """The user (or an admin) revoked the token: every call now answers ``token_revoked``."""
        with self.lock:
            self.ws.tokens[token or self.token].revoked = True

    def set_status(self, text: str, emoji: str, expiration: int = 0, *, user_id: str | None = None) -> None:
        """A status set by hand in the Slack client (not through the API under test)."""
        with self.lock:
            user = self.ws.users[user_id or self.user_id]
            user.status_text, user.status_emoji, user.status_expiration = text, emoji, expiration

    def profile(self, user_id: str | None = None) -> dict[str, object]:
        with self.lock:
            self.ws.expire(self.now())
            return self.ws.users[user_id or self.user_id].profile(self.team_id)

    def status(self, user_id: str | None = None) -> tuple[str, str, int]:
        """(status_text, status_emoji, status_expiration) as Slack would show them now."""
        p = self.profile(user_id)
        return str(p["status_text"]), str(p["status_emoji"]), int(p["status_expiration"])  # type: ignore[call-overload]

    def snooze_end(self, user_id: str | None = None) -> int | None:
        """When the current DND snooze ends (Unix seconds), or None when not snoozing."""
        with self.lock:
            self.ws.expire(self.now())
            return self.ws.users[user_id or self.user_id].snooze_endtime

    def presence(self, user_id: str | None = None) -> str:
        """The presence setting last made with users.setPresence: "auto" or "away"."""
        with self.lock:
            return self.ws.users[user_id or self.user_id].presence

    @property
    def messages(self) -> list[Message]:
        with self.lock:
            return list(self.ws.messages)

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def clear_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    def inject(
        self,
        method: str = "*",
        *,
        status: int = 500,
        error: str | None = None,
        retry_after: int | str | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail: an HTTP status (5xx, 429) or a Slack error,
        optionally after ``delay`` seconds (to trigger client timeouts)."""
        with self.lock:
            self._faults.append(Fault(method, status, error, retry_after, delay, times))

    def slow(self, method: str = "*", *, delay: float, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` normally, but only after ``delay`` seconds."""
        with self.lock:
            self._faults.append(Fault(method, 200, None, None, delay, times))

    # -- request handling ----------------------------------------------------------------------------
    def _take_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method in (method, "*"):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _limit(self, key: tuple[str, ...], per_window: int, now: float) -> None:
        if not self.rate_limits:
            return
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - self.window_seconds:
            window.popleft()
        if len(window) >= per_window:
            retry = max(1, math.ceil(window[0] + self.window_seconds - now))
            raise _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry)})
        window.append(now)

    def _next_ts(self) -> str:
        self._seq += 1
        return f"{int(self.now())}.{self._seq:06d}"

    def handle(
        self,
        method: str,
        params: dict[str, object],
        token: str | None,
        *,
        from_json: bool,
    ) -> tuple[int, dict[str, object], dict[str, str], str | None]:
        """Returns (http status, body, headers, user id) for one request; the caller records it."""
        spec = self.specs.get(method)
        if spec is None or method not in METHODS:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}, None
        headers = {"x-accepted-oauth-scopes": ",".join(spec.user_scopes)}
        user_id: str | None = None
        try:
            now = self.now()
            tok = self.ws.tokens.get(token) if token else None
            if not token:
                raise _Reply(200, {"ok": False, "error": "not_authed"})
            if tok is None:
                raise _Reply(200, {"ok": False, "error": "invalid_auth"})
            if tok.revoked:
                raise _Reply(200, {"ok": False, "error": "token_revoked"})
            if tok.inactive:
                raise _Reply(200, {"ok": False, "error": "account_inactive"})
            user_id = tok.user_id
            headers["x-oauth-scopes"] = ",".join(tok.scopes)
            if spec.user_scope_only and tok.kind != "user":
                raise _Reply(200, {"ok": False, "error": "not_allowed_token_type"})
            self._limit(("tier", token, method), spec.per_window, now)
            if spec.user_scopes and not set(spec.user_scopes) & set(tok.scopes):
                raise _Reply(
                    200,
                    {
                        "ok": False,
                        "error": "missing_scope",
                        "needed": ",".join(spec.user_scopes),
                        "provided": ",".join(tok.scopes),
                    },
                )
            if method == "users.profile.set":
                self._limit(("profile-write", tok.user_id), PROFILE_WRITES_PER_WINDOW, now)
            if method == "chat.postMessage":
                ref = str(params.get("channel", ""))
                found = self.ws.find_channel(ref)
                self._limit(("channel", found.id if found else ref), MESSAGES_PER_CHANNEL_PER_WINDOW, now)
            args, problems = coerce_args(spec, params, from_json=from_json)
            if problems:
                raise _Reply(
                    200, {"ok": False, "error": "invalid_arguments", "response_metadata": {"messages": problems}}
                )
            self.ws.expire(now)
            ctx = Context(ws=self.ws, me=self.ws.users[tok.user_id], now=now, next_ts=self._next_ts)
            try:
                body: dict[str, object] = {"ok": True, **METHODS[method](ctx, args)}
            except SlackFault as fault:
                body = {"ok": False, "error": fault.error, **fault.extra}
            status = 200
        except _Reply as reply:
            status, body = reply.status, reply.body
            headers.update(reply.headers)
        error = body.get("error")
        if error is not None and error not in spec.errors:
            self.bugs.append(f"{method} answered undocumented error {error!r}")
        return status, body, headers, user_id


class _Handler(BaseHTTPRequestHandler):
    emu: SlackEmulator
    server_version = "slack-emulator"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length) if length else b"")

    def _serve(self, raw: bytes) -> None:
        emu = self.emu
        url = urlsplit(self.path)
        if not url.path.startswith("/api/"):
            self._send(404, {"ok": False, "error": "not_found"}, {})
            return
        method = url.path[len("/api/") :]
        params: dict[str, object] = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        ctype = (self.headers.get("Content-Type") or "").lower()
        from_json = False
        warnings: list[str] = []
        body_error: str | None = None
        spec = emu.specs.get(method)
        if raw:
            if ctype.startswith("application/json"):
                if "charset" not in ctype:
                    warnings.append("missing_charset")
                if spec is not None and spec.json_input:  # other methods ignore JSON bodies entirely
                    try:
                        data = json.loads(raw.decode("utf-8"))
                    except (ValueError, UnicodeDecodeError):
                        body_error = "invalid_json"
                    else:
                        if isinstance(data, dict):
                            data.pop("token", None)  # Slack never reads a token from a JSON body
                            params.update(data)
                            from_json = True
                        else:
                            body_error = "json_not_object"
            elif ctype.startswith("application/x-www-form-urlencoded"):
                form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
                params.update({k: v[-1] for k, v in form.items()})
            else:
                body_error = "invalid_post_type"
        auth = self.headers.get("Authorization") or ""
        token_param = params.pop("token", None)
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else (str(token_param) if token_param else None)
        with emu.lock:
            fault = emu._take_fault(method)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status == 200 and fault.error is None:
            fault = None  # slow(): only late
        with emu.lock:
            user_id = emu.ws.tokens[token].user_id if token in emu.ws.tokens else None
            if fault is not None:
                status = 200 if fault.error else fault.status
                body: dict[str, object] = {"ok": False, "error": fault.error or "fatal_error"}
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                if status == 429:
                    body["error"] = "ratelimited"
            elif body_error is not None:
                status, body, headers = 200, {"ok": False, "error": body_error}, {}
            else:
                status, body, headers, user_id = emu.handle(method, params, token, from_json=from_json)
            if warnings:
                body["warning"] = ",".join(warnings)
                meta = body.setdefault("response_metadata", {})
                assert isinstance(meta, dict)
                meta["warnings"] = warnings
            emu.calls.append(
                Call(
                    method=method,
                    params=dict(params),
                    http_status=status,
                    response=body,
                    at=emu.now(),
                    user_id=user_id,
                    content_type=ctype,
                    http_verb=self.command,
                )
            )
        self._send(status, body, headers)

    def _send(self, status: int, body: dict[str, object], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode("utf-8")
        if status >= 500:
            data = b"<html><body>Internal Server Error</body></html>"
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if status >= 500 else "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
            self.wfile.write(data)
