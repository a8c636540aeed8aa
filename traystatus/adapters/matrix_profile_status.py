"""The MSC4426 profile status (``org.matrix.msc4426.status``; ``m.status`` once stable): text + emoji in the
user's public profile, where the homeserver accepts custom profile fields (Matrix 1.16, MSC4133).

MSC4426 says the field is the user's: traystatus writes it only when it is empty or carries traystatus's
mark, unless the user opts in (``[status] matrix_profile_status = "always"``). The field has no expiry:
traystatus clears its own when the state ends. docs/matrix.md has the details.
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from traystatus.adapters.matrix_api import MatrixClient
from traystatus.adapters.matrix_login import response_json
from traystatus.core.errors import ServiceError

log = logging.getLogger(__name__)

UNSTABLE_KEY = "org.matrix.msc4426.status"
STABLE_KEY = "m.status"
MARK = "org.traystatus.by"
MODES = ("own", "always", "never")
TEXT_MAX_BYTES = 256
EMOJI_MAX_BYTES = 32


def _cut(text: str, max_bytes: int) -> str:
    """At most ``max_bytes`` of UTF-8, never splitting a character."""
    data = text.encode("utf-8")
    return text if len(data) <= max_bytes else data[:max_bytes].decode("utf-8", errors="ignore")


class MatrixProfileStatus:
    """``write(text, emoji)`` sets or clears (both empty) the profile status; returns a note when left alone."""

    def __init__(self, client: MatrixClient, *, mode: str = "own", timeout: float = 10.0) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self._client = client
        self._mode = mode
        self._timeout = timeout
        self._key: str | None = None  # the field name to use; "" when the server has no profile fields

    def key(self) -> str:
        """The field this server takes ("" for none), probed once through ``/versions`` and ``/capabilities``."""
        if self._key is None:
            self._key = "" if self._mode == "never" else self._probe()
        return self._key

    def _probe(self) -> str:
        session = self._client.session
        auth = {"Authorization": f"Bearer {session.access_token}"}
        try:
            versions = response_json(
                requests.get(f"{session.homeserver}/_matrix/client/versions", timeout=self._timeout)
            )
            caps = response_json(
                requests.get(
                    f"{session.homeserver}/_matrix/client/v3/capabilities", headers=auth, timeout=self._timeout
                )
            )
        except requests.RequestException:
            return ""  # asked again by the next process; presence + status_msg carry the status meanwhile
        unstable = versions.get("unstable_features") or {}
        fields = (caps.get("capabilities") or {}).get("m.profile_fields") or {}
        has_fields = bool(fields.get("enabled")) or any(
            unstable.get(f) for f in ("uk.tcpip.msc4133", "uk.tcpip.msc4133.stable")
        )
        if not has_fields:
            return ""
        allowed = fields.get("allowed")
        disallowed = fields.get("disallowed") or []
        key = STABLE_KEY if unstable.get("org.matrix.msc4426.stable") else UNSTABLE_KEY
        if (isinstance(allowed, list) and key not in allowed) or key in disallowed:
            return ""
        return key

    def write(self, text: str, emoji: str) -> str:
        key = self.key()
        if not key:
            return ""
        current = self._client.get_profile().get(key)
        ours = isinstance(current, dict) and current.get(MARK) == "traystatus"
        empty = not current or (isinstance(current, dict) and not (current.get("text") or current.get("emoji")))
        if not (ours or empty or self._mode == "always"):
            return f"profile status set outside traystatus ({_describe(current)!r}): left alone"
        if not (text or emoji):
            if ours or (self._mode == "always" and not empty):
                self._client.set_profile_field(key, {})  # cleared: an empty status
            return ""
        value: dict[str, Any] = {"text": _cut(text, TEXT_MAX_BYTES), MARK: "traystatus"}
        if emoji:
            value["emoji"] = _cut(emoji, EMOJI_MAX_BYTES)
        try:
            self._client.set_profile_field(key, value)
        except ServiceError as e:
            if e.title == "Matrix profile field not supported":
                self._key = ""
                return ""
            raise
        return ""


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(str(value.get(k) or "") for k in ("emoji", "text")).strip()[:80]
    return str(value)[:80]
