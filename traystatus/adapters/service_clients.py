"""The one place a Slack or Matrix client is built from an account: URL handling and the retry/timeout
policy chosen by what the client is for (a status sync, a handoff delivery, an interactive check)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import requests

from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.adapters.slack_api import API_URL_ENV, SlackClient


class Purpose(Enum):
    """What a client is for; it decides how long a call may take and how often it is retried."""

    SYNC = "sync"  # a status pass: short waits, a pass is never blocked long (the next pass retries)
    DELIVERY = "delivery"  # a handoff post: no retry inside the call (a retried post could duplicate)
    INTERACTIVE = "interactive"  # login, doctor, the settings window's test: the user is waiting
    ROSTER = "roster"  # a team import in the background: like a sync, a little more patient


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientPolicy:
    timeout: float  # seconds for one HTTP request
    retries: int  # retries of a failed request (down, 5xx, 429) inside one call
    max_wait: float  # seconds a call may sleep in total for retries and rate limits before giving up


POLICIES: Mapping[Purpose, ClientPolicy] = {
    Purpose.SYNC: ClientPolicy(timeout=10.0, retries=1, max_wait=5.0),
    Purpose.DELIVERY: ClientPolicy(timeout=15.0, retries=0, max_wait=0.0),
    Purpose.INTERACTIVE: ClientPolicy(timeout=10.0, retries=1, max_wait=10.0),
    Purpose.ROSTER: ClientPolicy(timeout=10.0, retries=1, max_wait=5.0),
}


class MatrixAccountLike(Protocol):
    """The non-secret parts of a Matrix account (config or environment) a client needs."""

    @property
    def user_id(self) -> str: ...
    @property
    def homeserver(self) -> str: ...
    @property
    def device_id(self) -> str: ...


def slack_api_url(environ: Mapping[str, str] | None = None) -> str | None:
    """The Slack API base from ``TRAYSTATUS_SLACK_API_URL`` (tests, the emulator), None for Slack itself."""
    env = os.environ if environ is None else environ
    return env.get(API_URL_ENV) or None


def slack_client(
    token: str,
    purpose: Purpose,
    *,
    environ: Mapping[str, str] | None = None,
    api_url: str | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SlackClient:
    """A client for ``token``; the API base is ``api_url`` if given, else the one ``environ`` names."""
    p = POLICIES[purpose]
    return SlackClient(
        token,
        api_url=api_url or slack_api_url(environ),
        session=session,
        sleep=sleep,
        timeout=p.timeout,
        retries=p.retries,
        max_wait=p.max_wait,
    )


def matrix_session(account: MatrixAccountLike, secret: Mapping[str, str | None]) -> MatrixSession:
    """The session from an account and its keyring secret (``parse_matrix_secret``): the homeserver
    without a trailing slash (paths are appended to it), the device the token was issued for."""
    return MatrixSession(
        homeserver=account.homeserver.rstrip("/"),
        user_id=account.user_id,
        access_token=str(secret["access_token"]),
        device_id=str(secret.get("device_id") or account.device_id or ""),
        refresh_token=secret.get("refresh_token"),
    )


def matrix_client(
    session: MatrixSession,
    purpose: Purpose,
    *,
    on_session_change: Callable[[MatrixSession], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> MatrixClient:
    p = POLICIES[purpose]
    return MatrixClient(
        session,
        on_session_change=on_session_change,
        sleep=sleep,
        timeout=p.timeout,
        retries=p.retries,
        max_wait=p.max_wait,
    )
