"""Matrix accounts: homeserver discovery (`.well-known`), password login, token refresh and logout.

Also holds the small HTTP pieces ``matrix_api.MatrixClient`` shares: error translation to ``ServiceError``
and ``Retry-After`` parsing. Tokens never reach exceptions, reprs or logs.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from traystatus.adapters.clock import utc_now
from traystatus.core.errors import ServiceError
from traystatus.core.retry_policy import parse_retry_after

log = logging.getLogger(__name__)

CLIENT_V3 = "/_matrix/client/v3"
LOGIN_HINT = "log in again with `traystatus login matrix`"


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixSession:
    """One logged-in Matrix device. Store it whole (tokens in the keyring); its repr hides the tokens."""

    homeserver: str  # base URL, e.g. "https://matrix.example.org" (no trailing slash)
    user_id: str
    access_token: str = field(repr=False)
    device_id: str
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None  # when the access token expires (aware, UTC); None = no expiry known

    def to_json(self) -> str:
        """The whole session as JSON — it holds the tokens: for the OS keyring only, never a file or a log."""
        return json.dumps(
            {
                "homeserver": self.homeserver,
                "user_id": self.user_id,
                "access_token": self.access_token,
                "device_id": self.device_id,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> MatrixSession:
        """Read back ``to_json``; a damaged entry asks the user to log in again."""
        try:
            data = json.loads(text)
            expires = data.get("expires_at")
            return cls(
                homeserver=str(data["homeserver"]),
                user_id=str(data["user_id"]),
                access_token=str(data["access_token"]),
                device_id=str(data["device_id"]),
                refresh_token=data.get("refresh_token"),
                expires_at=datetime.fromisoformat(expires) if expires else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ServiceError(
                "Stored Matrix session unreadable",
                f"The saved Matrix login is damaged: {LOGIN_HINT}.",
                needs_action=True,
            ) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _server_url(server_name: str) -> str:
    """``host[:port]`` → an origin URL; plain http only for loopback hosts (tests, local proxies)."""
    host = urlsplit(f"//{server_name}").hostname or server_name
    return f"{'http' if _is_loopback(host) else 'https'}://{server_name}"


def _unreachable(url: str, exc: requests.RequestException) -> ServiceError:
    kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
    host = urlsplit(url).netloc or url
    return ServiceError(
        "Matrix homeserver unreachable",
        f"{host}: {kind}. Check the network and the homeserver address; traystatus retries later.",
    )


def discover(user_id_or_server_or_url: str, *, http: requests.Session | None = None, timeout: float = 10.0) -> str:
    """The homeserver base URL for ``@user:server``, ``server[:port]`` or a URL, via `/.well-known/matrix/client`.

    The result is checked with `/_matrix/client/versions`. Raises ``ServiceError`` with what to fix.
    """
    http = http or requests.Session()
    value = user_id_or_server_or_url.strip()
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        origin = f"{parts.scheme}://{parts.netloc}"
        fallback = value.rstrip("/")
    else:
        server_name = value.split(":", 1)[1] if value.startswith("@") and ":" in value else value
        if not server_name or "/" in server_name or "@" in server_name:
            raise ServiceError(
                "Matrix address not understood", f"{value!r} is neither @user:server, a server name nor a URL."
            )
        origin = fallback = _server_url(server_name)
    base = fallback
    try:
        resp = http.get(f"{origin}/.well-known/matrix/client", timeout=timeout)
    except requests.RequestException as exc:
        if not value.startswith(("http://", "https://")):
            raise _unreachable(origin, exc) from None
        resp = None
    if resp is not None and resp.status_code == 200:
        try:
            found = resp.json()["m.homeserver"]["base_url"]
        except (ValueError, KeyError, TypeError):
            raise ServiceError(
                "Matrix discovery failed",
                f"{origin}/.well-known/matrix/client is not valid: it needs "
                '{"m.homeserver": {"base_url": …}}. Give the homeserver URL instead.',
            ) from None
        if not isinstance(found, str) or not found.startswith(("http://", "https://")):
            raise ServiceError(
                "Matrix discovery failed", f"{origin}/.well-known/matrix/client has no usable m.homeserver.base_url."
            )
        base = found.rstrip("/")
    _check_versions(http, base, timeout)
    log.info("Matrix homeserver for %s: %s", value, base)
    return base


def _check_versions(http: requests.Session, base: str, timeout: float) -> None:
    try:
        resp = http.get(f"{base}/_matrix/client/versions", timeout=timeout)
        ok = resp.status_code == 200 and isinstance(resp.json().get("versions"), list)
    except requests.RequestException as exc:
        raise _unreachable(base, exc) from None
    except ValueError:
        ok = False
    if not ok:
        raise ServiceError(
            "Not a Matrix homeserver", f"{base} does not answer /_matrix/client/versions. Check the homeserver URL."
        )


def retry_after_seconds(resp: requests.Response, data: dict[str, Any]) -> float | None:
    """The wait a 429 asks for: the larger of the body's ``retry_after_ms`` and the ``Retry-After`` header."""
    waits: list[float] = []
    ms = data.get("retry_after_ms")
    if isinstance(ms, int | float) and ms >= 0:
        waits.append(ms / 1000.0)
    header = parse_retry_after(resp.headers.get("Retry-After"), utc_now())  # seconds or an HTTP-date
    if header is not None:
        waits.append(header)
    return max(waits) if waits else None


def response_json(resp: requests.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def refused(resp: requests.Response, data: dict[str, Any], what: str) -> ServiceError:
    """A ServiceError for a 4xx answer (never quoting the request, which may carry a token)."""
    errcode = str(data.get("errcode") or f"HTTP {resp.status_code}")
    error = str(data.get("error") or resp.reason or "")[:200]
    needs_action = errcode in {"M_FORBIDDEN", "M_USER_DEACTIVATED", "M_MISSING_TOKEN", "M_UNKNOWN_TOKEN"}
    return ServiceError("Matrix request refused", f"{what}: {errcode} {error}".strip(), needs_action=needs_action)


def session_expired(user_id: str) -> ServiceError:
    return ServiceError(
        "Matrix session expired",
        f"The homeserver no longer accepts the session of {user_id}: {LOGIN_HINT}.",
        needs_action=True,
    )


def _expiry(data: dict[str, Any]) -> datetime | None:
    ms = data.get("expires_in_ms")
    return utc_now() + timedelta(milliseconds=ms) if isinstance(ms, int) else None


def login_password(
    base_url: str,
    user: str,
    password: str,
    *,
    device_id: str | None = None,
    device_name: str = "traystatus",
    http: requests.Session | None = None,
    timeout: float = 10.0,
) -> MatrixSession:
    """Password login (``m.id.user``), asking for a refresh token; pass ``device_id`` to log the same device in."""
    http = http or requests.Session()
    base = base_url.rstrip("/")
    body: dict[str, Any] = {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": password,
        "initial_device_display_name": device_name,
        "refresh_token": True,
    }
    if device_id:
        body["device_id"] = device_id
    try:
        resp = http.post(f"{base}{CLIENT_V3}/login", json=body, timeout=timeout)
    except requests.RequestException as exc:
        raise _unreachable(base, exc) from None
    data = response_json(resp)
    if resp.status_code == 429:
        wait = retry_after_seconds(resp, data)
        raise ServiceError(
            "Matrix login rate-limited",
            f"{base} asks to wait {wait or 1:.0f} s before logging in again.",
            retry_after=wait,
        )
    if resp.status_code == 403:
        raise ServiceError(
            "Matrix login refused",
            f"{base} refused user {user!r} with this password ({data.get('errcode', 'M_FORBIDDEN')}). "
            "Check the user name and password.",
            needs_action=True,
        )
    if resp.status_code >= 500:
        raise ServiceError(
            "Matrix homeserver error", f"{base} answered HTTP {resp.status_code} to the login; try again later."
        )
    if resp.status_code != 200:
        raise refused(resp, data, "login")
    try:
        return MatrixSession(
            homeserver=base,
            user_id=str(data["user_id"]),
            access_token=str(data["access_token"]),
            device_id=str(data["device_id"]),
            refresh_token=data.get("refresh_token"),
            expires_at=_expiry(data),
        )
    except KeyError:
        raise ServiceError("Matrix login failed", f"{base} gave an incomplete login answer.") from None


def refresh_session(
    session: MatrixSession, *, http: requests.Session | None = None, timeout: float = 10.0
) -> MatrixSession:
    """A new access token from the refresh token (`POST /refresh`); the old refresh token dies once it is used."""
    if not session.refresh_token:
        raise session_expired(session.user_id)
    http = http or requests.Session()
    try:
        resp = http.post(
            f"{session.homeserver}{CLIENT_V3}/refresh", json={"refresh_token": session.refresh_token}, timeout=timeout
        )
    except requests.RequestException as exc:
        raise _unreachable(session.homeserver, exc) from None
    data = response_json(resp)
    if resp.status_code == 200 and "access_token" in data:
        log.info("Matrix access token of %s refreshed", session.user_id)
        return replace(
            session,
            access_token=str(data["access_token"]),
            refresh_token=data.get("refresh_token") or session.refresh_token,
            expires_at=_expiry(data),
        )
    if resp.status_code == 429:
        wait = retry_after_seconds(resp, data)
        raise ServiceError("Matrix rate limit", "The homeserver refused the token refresh for now.", retry_after=wait)
    if resp.status_code >= 500:
        raise ServiceError(
            "Matrix homeserver error",
            f"{session.homeserver} answered HTTP {resp.status_code} to a token refresh; retrying later.",
        )
    raise session_expired(session.user_id)


def logout(session: MatrixSession, *, http: requests.Session | None = None, timeout: float = 10.0) -> None:
    """Log this device out (its tokens stop working). An already-dead token counts as logged out."""
    http = http or requests.Session()
    try:
        resp = http.post(
            f"{session.homeserver}{CLIENT_V3}/logout",
            json={},
            headers={"Authorization": f"Bearer {session.access_token}"},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise _unreachable(session.homeserver, exc) from None
    data = response_json(resp)
    if resp.status_code == 200 or data.get("errcode") == "M_UNKNOWN_TOKEN":
        return
    raise refused(resp, data, "logout")
