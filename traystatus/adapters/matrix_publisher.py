"""``StatusPublisher`` for one Matrix account: presence + ``status_msg``, Do Not Disturb via the master push rule.

A homeserver with presence disabled accepts every presence PUT and always reads "offline": the first
write is read back once, and such a server is reported (``ServiceError``) instead of pretending.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime
from urllib.parse import quote, urlsplit

from traystatus.adapters.matrix_api import MatrixClient
from traystatus.core.errors import ServiceError
from traystatus.core.publishing import MATRIX_TRAITS, Observed, Operation, OpKind, Service, Traits

log = logging.getLogger(__name__)

NO_PRESENCE_TRAITS = dataclasses.replace(
    MATRIX_TRAITS,
    presence=False,
    why_not="presence is disabled on this homeserver: your status message and away are not shown there (ask its "
    "admin to enable presence); Do Not Disturb still follows the calendar",
)


class MatrixStatusPublisher:
    def __init__(self, client: MatrixClient, *, account: str | None = None) -> None:
        self._client = client
        self._account = account or f"matrix:{client.user_id}"
        self._presence_checked = False
        self.presence_disabled = False

    def __repr__(self) -> str:
        return f"MatrixStatusPublisher({self._account!r})"

    @property
    def account(self) -> str:
        return self._account

    @property
    def service(self) -> Service:
        return Service.MATRIX

    @property
    def traits(self) -> Traits:
        return NO_PRESENCE_TRAITS if self.presence_disabled else MATRIX_TRAITS

    def observe(self, *, dnd: bool = True) -> Observed:
        presence = self._client.get_presence()
        return Observed(
            message=str(presence.get("status_msg") or ""), dnd_on=self._client.dnd_enabled() if dnd else None
        )

    def send(self, op: Operation, now: datetime) -> None:
        if op.kind is OpKind.SET_PRESENCE:
            self._set_presence("unavailable" if op.away else "online", op.message)
        elif op.kind is OpKind.SET_DND:
            self._client.set_dnd(True)
        else:
            self._client.set_dnd(False)

    def describe_call(self, op: Operation, now: datetime) -> str:
        if op.kind is OpKind.SET_PRESENCE:
            body: dict[str, str] = {"presence": "unavailable" if op.away else "online"}
            if op.message:
                body["status_msg"] = op.message
            user = quote(self._client.user_id, safe="")
            return f"PUT /_matrix/client/v3/presence/{user}/status {json.dumps(body, ensure_ascii=False)}"
        enabled = "true" if op.kind is OpKind.SET_DND else "false"
        return f'PUT /_matrix/client/v3/pushrules/global/override/.m.rule.master/enabled {{"enabled": {enabled}}}'

    def _set_presence(self, presence: str, message: str) -> None:
        if self.presence_disabled:
            raise self._disabled_error()
        self._client.set_presence(presence, message or None)
        if not self._presence_checked:
            seen = self._client.get_presence()
            self._presence_checked = True
            if seen.get("presence") == "offline" and not seen.get("status_msg"):
                self.presence_disabled = True
                raise self._disabled_error()

    def _disabled_error(self) -> ServiceError:
        host = urlsplit(self._client.session.homeserver).netloc
        return ServiceError(
            "Matrix presence is disabled",
            f"{host} does not keep presence, so nobody sees your status message there. Ask its admin to set "
            "`presence: enabled: true` (Synapse); Do Not Disturb (the master push rule) still works.",
            needs_action=True,
        )
