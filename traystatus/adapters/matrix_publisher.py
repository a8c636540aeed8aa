"""``StatusPublisher`` for one Matrix account: presence + ``status_msg``, Do Not Disturb via the master push rule.

A homeserver with presence disabled accepts every presence PUT and always reads "offline": the first
write is read back once, and such a server is reported (``ServiceError``) instead of pretending.
With a ``keeper`` (the runtimes' sync loop, ``matrix_sync``) the presence is also *held* between writes:
a device that only PUTs is shown offline ~30 s later.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from traystatus.adapters.clock import utc_now
from traystatus.adapters.matrix_api import MatrixClient
from traystatus.core.errors import ServiceError
from traystatus.core.live_presence import LiveState
from traystatus.core.publishing import MATRIX_TRAITS, Observed, Operation, OpKind, Service, Traits
from traystatus.core.status_map import EMOJI_CHARS, DesiredStatus

if TYPE_CHECKING:
    from traystatus.adapters.matrix_profile_status import MatrixProfileStatus
    from traystatus.adapters.matrix_sync import MatrixPresenceLoop

log = logging.getLogger(__name__)

NO_PRESENCE_TRAITS = dataclasses.replace(
    MATRIX_TRAITS,
    presence=False,
    why_not="presence is disabled on this homeserver: your status message and away are not shown there (ask its "
    "admin to enable presence); Do Not Disturb still follows the calendar",
)


def matrix_presence(away: bool) -> str:
    return "unavailable" if away else "online"


class MatrixStatusPublisher:
    def __init__(
        self,
        client: MatrixClient,
        *,
        account: str | None = None,
        keeper: MatrixPresenceLoop | None = None,
        profile: MatrixProfileStatus | None = None,
        reported: Callable[[datetime], str] | None = None,
    ) -> None:
        self._client = client
        self._keeper = keeper
        self._profile = profile
        self._reported = reported  # without a keeper: what the running traystatus's keeper said (`status`)
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
        if self.presence_disabled and self._keeper is not None and self._keeper.live().own is not None:
            # the server sends presence again (its admin turned it on): write it, and read the first write back
            log.info("%s: the homeserver keeps presence again", self._account)
            self.presence_disabled = self._presence_checked = False
        return NO_PRESENCE_TRAITS if self.presence_disabled else MATRIX_TRAITS

    # -- PresenceKeeper: the presence held between passes ----------------------------------------------------

    def hold(self, desired: DesiredStatus) -> None:
        """Every pass: the presence the keeper's syncs set (calls nothing itself; no keeper: nothing)."""
        if self._keeper is not None:
            self._keeper.set_desired(matrix_presence(desired.matrix_unavailable))

    def live(self) -> LiveState:
        if self._keeper is not None:
            return self._keeper.live()
        return LiveState(reported=self._reported(utc_now()) if self._reported is not None else "")

    def close(self) -> None:
        if self._keeper is not None:
            self._keeper.stop()

    def observe(self, *, dnd: bool = True) -> Observed:
        presence = self._client.get_presence()
        return Observed(
            message=str(presence.get("status_msg") or ""), dnd_on=self._client.dnd_enabled() if dnd else None
        )

    def send(self, op: Operation, now: datetime) -> None:
        if op.kind is OpKind.SET_PRESENCE:
            self._set_presence(matrix_presence(op.away), op.message)
            if self._profile is not None and op.carries_status and not op.keeps_manual:
                self._write_profile(op)
        elif op.kind is OpKind.SET_DND:
            self._client.set_dnd(True)
        else:
            self._client.set_dnd(False)

    def describe_call(self, op: Operation, now: datetime) -> str:
        if op.kind is OpKind.SET_PRESENCE:
            body: dict[str, str] = {"presence": matrix_presence(op.away)}
            if op.message:
                body["status_msg"] = op.message
            user = quote(self._client.user_id, safe="")
            return f"PUT /_matrix/client/v3/presence/{user}/status {json.dumps(body, ensure_ascii=False)}"
        enabled = "true" if op.kind is OpKind.SET_DND else "false"
        return f'PUT /_matrix/client/v3/pushrules/global/override/.m.rule.master/enabled {{"enabled": {enabled}}}'

    def _set_presence(self, presence: str, message: str) -> None:
        if self.presence_disabled:
            raise self._disabled_error()
        if self._keeper is not None:  # first: a sync starting during the PUT must not set the old presence back
            self._keeper.set_desired(presence)
        self._client.set_presence(presence, message or None)
        if not self._presence_checked:
            seen = self._client.get_presence()
            self._presence_checked = True
            if seen.get("presence") == "offline" and not seen.get("status_msg"):
                self.presence_disabled = True
                raise self._disabled_error()

    def _write_profile(self, op: Operation) -> None:
        """The MSC4426 profile status rides along; its failure never fails the presence write (already sent)."""
        assert self._profile is not None
        try:
            note = self._profile.write(op.text, EMOJI_CHARS.get(op.emoji, ""))
        except ServiceError as e:
            log.warning("%s: profile status not updated: %s: %s", self._account, e.title, e.message)
            return
        if note:
            log.info("%s: %s", self._account, note)

    def _disabled_error(self) -> ServiceError:
        host = urlsplit(self._client.session.homeserver).netloc
        return ServiceError(
            "Matrix presence is disabled",
            f"{host} does not keep presence, so nobody sees your status message there. Ask its admin to set "
            "`presence: enabled: true` (Synapse); Do Not Disturb (the master push rule) still works.",
            needs_action=True,
        )
