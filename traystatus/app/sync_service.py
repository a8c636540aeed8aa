"""The accounts of the sync: ``build_publishers`` turns configured accounts (config + keyring, or environment)
into publishers for the shared pipeline (``core.status_sync.StatusSync``, built in ``app.container``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from traystatus.core.errors import TrayStatusError
from traystatus.core.publishing import (
    StatusPublisher,
)
from traystatus.core.settings import Settings

log = logging.getLogger(__name__)

# -- accounts ----------------------------------------------------------------------------------------------


def build_publishers(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    keyring_store: Any = None,
    keep_presence: bool = False,
    state_dir: Any = None,
) -> tuple[list[StatusPublisher], list[str]]:
    """A publisher per configured account (config + keyring, or TRAYSTATUS_* variables); problems as text.
    ``keep_presence`` (the long-running runtimes): Matrix publishers hold presence with a sync loop that starts
    on the first pass (``core.live_presence.PresenceDuty`` stops it); what it must tell the user is kept in
    ``state_dir``, where `traystatus status` and the settings window read it."""
    from traystatus.adapters.secrets import configured_accounts, parse_matrix_secret, secret_for

    publishers: list[StatusPublisher] = []
    problems: list[str] = []
    for account in configured_accounts(settings.accounts, environ):
        try:
            secret = secret_for(account, keyring_store, environ)
            if account.service == "slack":
                publishers.append(_slack(account, secret, environ))
            else:
                publishers.append(
                    _matrix(
                        account,
                        parse_matrix_secret(secret),
                        keyring_store,
                        keep_presence=keep_presence,
                        profile_mode=settings.status.matrix_profile_status,
                        state_dir=state_dir,
                    )
                )
        except TrayStatusError as e:
            problems.append(f"{account.service} {account.name}: {e.title}: {e.message}")
    return publishers, problems


def _slack(account: Any, token: str, environ: Mapping[str, str] | None) -> StatusPublisher:
    from traystatus.adapters.service_clients import Purpose, slack_client
    from traystatus.adapters.slack_publisher import SlackStatusPublisher

    client = slack_client(token, Purpose.SYNC, environ=environ)
    ident = f"{account.team_id}:{account.user_id}" if account.team_id else "env"
    return SlackStatusPublisher(client, account=f"slack:{ident}")


def _matrix(
    account: Any,
    secret: Mapping[str, str | None],
    keyring_store: Any,
    *,
    keep_presence: bool = False,
    profile_mode: str = "own",
    state_dir: Any = None,
) -> StatusPublisher:
    from traystatus.adapters.matrix_api import MatrixSession
    from traystatus.adapters.matrix_publisher import MatrixStatusPublisher
    from traystatus.adapters.secrets import KeyringSecretStore, matrix_secret
    from traystatus.adapters.service_clients import Purpose, matrix_client, matrix_session

    if not account.homeserver:
        raise TrayStatusError(
            "Matrix homeserver missing",
            f"{account.name}: set TRAYSTATUS_MATRIX_HOMESERVER "
            "to the homeserver's URL, e.g. https://matrix.example.org.",
        )
    session = matrix_session(account, secret)

    def keep(fresh: MatrixSession) -> None:  # refreshed tokens go back to the keyring
        if account.source == "keyring":
            store = keyring_store or KeyringSecretStore()
            store.set(account.secret_key, matrix_secret(fresh.access_token, fresh.refresh_token, fresh.device_id))

    client = matrix_client(session, Purpose.SYNC, on_session_change=keep)
    from traystatus.adapters.live_presence_file import LiveNoteFile
    from traystatus.adapters.matrix_profile_status import MatrixProfileStatus

    account_id = f"matrix:{account.user_id}"
    notes = LiveNoteFile(state_dir) if state_dir is not None else None
    keeper = None
    if keep_presence:
        from traystatus.adapters.matrix_sync import MatrixPresenceLoop

        keeper = MatrixPresenceLoop(client, on_change=(lambda live: notes.save(account_id, live)) if notes else None)
    return MatrixStatusPublisher(
        client,
        account=account_id,
        keeper=keeper,
        profile=MatrixProfileStatus(client, mode=profile_mode),
        reported=(lambda now: notes.load(account_id, now)) if notes is not None and keeper is None else None,
    )
