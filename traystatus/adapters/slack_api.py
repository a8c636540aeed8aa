"""Slack Web API client for a user token: calls, rate-limit waits, bounded retries, errors users can act on.

The token lives only in the session's Authorization header: never in a URL, exception, repr or log line.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from traystatus.adapters.clock import utc_now
from traystatus.core.errors import ServiceError
from traystatus.core.retry_policy import parse_retry_after

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
API_URL_ENV = "TRAYSTATUS_SLACK_API_URL"

# Methods Slack documents as accepting JSON bodies (json_input_supported); the rest get form posts.
JSON_METHODS = frozenset(
    {
        "users.profile.set",
        "dnd.setSnooze",
        "dnd.endSnooze",
        "dnd.endDnd",
        "users.setPresence",
        "chat.postMessage",
        "chat.update",
        "chat.delete",
    }
)
AUTH_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"})
RELOGIN = "reconnect with `traystatus login slack`"


class SlackApiError(ServiceError):
    """Slack answered ``ok: false``; ``error`` is Slack's error code (e.g. ``snooze_not_active``)."""

    def __init__(
        self,
        title: str,
        message: str,
        *,
        method: str,
        error: str,
        needed: str = "",
        retry_after: float | None = None,
        needs_action: bool = False,
    ) -> None:
        super().__init__(title, message, retry_after=retry_after, needs_action=needs_action)
        self.method = method
        self.error = error
        self.needed = needed  # for missing_scope: the scope(s) the method needs


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackIdentity:
    """Who a token acts for (auth.test) and the scopes it carries (``x-oauth-scopes``)."""

    team_id: str
    team: str
    user_id: str
    user: str
    url: str
    scopes: tuple[str, ...]


def default_api_url() -> str:
    return os.environ.get(API_URL_ENV) or DEFAULT_API_URL


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value)
    return str(value)


class SlackClient:
    """``call(method, **params)`` returns Slack's JSON answer or raises :class:`ServiceError`."""

    def __init__(
        self,
        token: str,
        *,
        api_url: str | None = None,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 30.0,
        retries: int = 2,
    ) -> None:
        self._token = token
        base = api_url or default_api_url()
        self.api_url = base if base.endswith("/") else base + "/"
        self._session = session or requests.Session()
        self.timeout = timeout
        self._sleep = sleep
        self.max_wait = max_wait
        self.retries = retries

    def __repr__(self) -> str:
        return f"SlackClient(api_url={self.api_url!r})"

    @property
    def _host(self) -> str:
        return urlsplit(self.api_url).netloc or self.api_url

    def close(self) -> None:
        self._session.close()

    def call(self, method: str, **params: object) -> dict[str, Any]:
        data, _headers = self._request(method, params)
        return data

    def auth_test(self) -> SlackIdentity:
        data, headers = self._request("auth.test", {})
        scopes = tuple(s.strip() for s in headers.get("x-oauth-scopes", "").split(",") if s.strip())
        return SlackIdentity(
            team_id=str(data.get("team_id", "")),
            team=str(data.get("team", "")),
            user_id=str(data.get("user_id", "")),
            user=str(data.get("user", "")),
            url=str(data.get("url", "")),
            scopes=scopes,
        )

    # -- transport ------------------------------------------------------------------------------------
    def _send(self, method: str, params: Mapping[str, object]) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._token}"}
        url = self.api_url + method
        if method in JSON_METHODS:
            headers["Content-Type"] = "application/json; charset=utf-8"
            return self._session.post(
                url, data=json.dumps(dict(params)).encode("utf-8"), headers=headers, timeout=self.timeout
            )
        form = {k: _form_value(v) for k, v in params.items() if v is not None}
        return self._session.post(url, data=form, headers=headers, timeout=self.timeout)

    def _request(self, method: str, params: Mapping[str, object]) -> tuple[dict[str, Any], Mapping[str, str]]:
        waited = 0.0
        failures = 0
        limited_waits = 0
        while True:
            problem: str
            try:
                resp = self._send(method, params)
            except requests.Timeout:
                problem = f"no answer within {self.timeout:g} s"
            except requests.RequestException as e:
                problem = f"cannot connect ({type(e).__name__})"
            else:
                limited = resp.status_code == 429
                asked = parse_retry_after(resp.headers.get("Retry-After"), utc_now()) if limited else None
                if asked is not None:
                    wait = max(1.0, asked)  # at least a second: "Retry-After: 0" must not become a busy loop
                    limited_waits += 1  # and only a few of them: a short wait repeated is still a storm
                    if waited + wait <= self.max_wait and limited_waits <= max(1, self.retries):
                        log.info("Slack %s rate-limited; waiting %.0f s as asked", method, wait)
                        self._sleep(wait)
                        waited += wait
                        continue
                    raise self._rate_limited(method, asked)
                if resp.status_code < 500 and not limited:
                    return self._answer(method, resp), resp.headers
                # a 429 without a usable Retry-After (missing, negative, unreadable) backs off like a 5xx
                problem = "rate limited" if limited else f"server error HTTP {resp.status_code}"
            failures += 1
            backoff = min(0.5 * 2 ** (failures - 1), 8.0)
            if failures > self.retries or waited + backoff > self.max_wait:
                log.warning("Slack %s failed: %s", method, problem)
                if problem == "rate limited":
                    raise self._rate_limited(method, None)
                # no retry_after: the caller backs off exponentially (30 s, 1 min, … 15 min, with jitter)
                raise ServiceError(
                    "Slack unreachable",
                    f"{method} at {self._host}: {problem}. "
                    "traystatus keeps retrying; check the network or https://status.slack.com.",
                )
            log.info("Slack %s: %s; retrying in %.1f s", method, problem, backoff)
            self._sleep(backoff)
            waited += backoff

    @staticmethod
    def _rate_limited(method: str, asked: float | None) -> SlackApiError:
        when = f"asked to wait {asked:g} s" if asked is not None else "gave no time to wait"
        return SlackApiError(
            "Slack rate limit",
            f"Slack refused {method} for now and {when}; traystatus retries later.",
            method=method,
            error="ratelimited",
            retry_after=asked,
        )

    def _answer(self, method: str, resp: requests.Response) -> dict[str, Any]:
        try:
            data = resp.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise ServiceError(
                "Slack answered strangely",
                f"{method} at {self._host} returned HTTP "
                f"{resp.status_code} without a JSON object. Is {API_URL_ENV} pointing at Slack?",
            )
        if data.get("ok") is True:
            log.debug("Slack %s ok", method)
            return data
        error = str(data.get("error") or f"http_{resp.status_code}")
        log.warning("Slack %s refused: %s", method, error)
        raise _translate(method, error, data)


def _translate(method: str, error: str, data: Mapping[str, Any]) -> SlackApiError:
    if error in AUTH_ERRORS:
        what = {
            "account_inactive": "Slack account deactivated",
            "not_authed": "Slack token missing",
            "invalid_auth": "Slack token not accepted",
        }.get(error, "Slack token revoked")
        return SlackApiError(
            what,
            f"Slack token revoked or invalid ({error}) — {RELOGIN}.",
            method=method,
            error=error,
            needs_action=True,
        )
    if error == "missing_scope":
        needed = str(data.get("needed") or "")
        return SlackApiError(
            "Slack permission missing",
            f"{method} needs the scope {needed or '(not named)'}, which the Slack "
            f"token lacks. Add it to the app's user token scopes, reinstall, then {RELOGIN}.",
            method=method,
            error=error,
            needed=needed,
            needs_action=True,
        )
    if error in ("ratelimited", "rate_limited"):
        return SlackApiError(
            "Slack rate limit",
            f"Slack refused {method} for now (rate limit); traystatus will retry later.",
            method=method,
            error=error,
        )
    detail = ""
    meta = data.get("response_metadata")
    if isinstance(meta, Mapping) and meta.get("messages"):
        detail = " (" + "; ".join(str(m) for m in meta["messages"]) + ")"
    return SlackApiError(
        "Slack refused a request", f"{method} failed with {error}{detail}.", method=method, error=error
    )
