"""The settings window's accounts port (``core.settings_editing.AccountsManager``) over the real services.

Connect checks a Slack token (auth.test, scopes) or logs in to Matrix (discovery, password, device kept,
presence capability); test re-checks a connected account; disconnect forgets it. Tokens go to the OS
keyring only; config.toml gets the account entries (comments kept). Every method is slow: call it on a
worker thread (the page's runner). Messages name the fix in the window's words, never a secret.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from traystatus.adapters.clock import utc_now
from traystatus.app import account_login
from traystatus.core.accounts import MatrixAccount, SlackAccount
from traystatus.core.errors import ConfigError, ServiceError, TrayStatusError
from traystatus.core.settings_editing import AccountSummary
from traystatus.core.slack_app import SLACK_SCOPES

log = logging.getLogger(__name__)

PRESENCE_OFF = "presence disabled on this server: nobody sees your status message there (Do Not Disturb still works)"
_FIXES = {
    "`traystatus login slack`": "Connect Slack… on the Accounts page",
    "`traystatus login matrix`": "Connect Matrix… on the Accounts page",
}


#: ``{"slack": [{name, team_id, user_id}], "matrix": [{user_id, homeserver, device_id, name?}]}``
Entries = dict[str, list[dict[str, object]]]


def _in_window_words(message: str) -> str:
    """The adapters name the CLI fix; in the window the fix is a button on this page."""
    for cli, button in _FIXES.items():
        message = message.replace(cli, button)
    return message


def _failed(e: TrayStatusError) -> str:
    return f"{e.title}: {_in_window_words(e.message)}"


def slack_detail(scopes: tuple[str, ...], missing: tuple[str, ...] | list[str]) -> str:
    if not scopes:
        return "Slack did not report the token's scopes; features may fail if some are missing"
    if not missing:
        return f"all {len(SLACK_SCOPES)} scopes found ({', '.join(SLACK_SCOPES)})"
    lacks = "; ".join(f"{s} (no {SLACK_SCOPES[s]})" for s in missing)
    return (
        f"missing scopes: {lacks}. Add them to your Slack app's user token scopes, reinstall it and "
        f"connect again. Found: {', '.join(scopes)}"
    )


class ServiceAccountsManager:
    """Accounts in ``config_path`` with tokens in the keyring (``make_store``) or TRAYSTATUS_* variables."""

    def __init__(
        self,
        config_path: Path,
        *,
        make_store: Callable[[], Any] | None = None,
        environ: Mapping[str, str] | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.config_path = config_path
        self._make_store = make_store
        self._environ = environ
        self._state_dir = state_dir  # where the sync keeps each account's last error (adapters.state_store)
        self._lock = threading.Lock()
        #: the last connect/test result per account this session, with the sync's last error when it was learnt:
        #: a sync that failed since then knows better (a token revoked after a successful Test)
        self._known: dict[str, tuple[AccountSummary, str]] = {}

    def __repr__(self) -> str:
        return f"ServiceAccountsManager({self.config_path})"

    def _store(self) -> Any:
        if self._make_store is not None:
            return self._make_store()
        from traystatus.adapters.secrets import KeyringSecretStore

        return KeyringSecretStore()

    def _remember(self, summary: AccountSummary) -> AccountSummary:
        last_error, _ = self._synced(summary.account_id)
        with self._lock:
            self._known[summary.account_id] = (summary, last_error)
        return summary

    def _synced(self, account_id: str) -> tuple[str, bool]:
        """What the last sync of this account said: (its error, "" when it worked; whether only the user can
        fix it). The tray, ``run --headless`` and ``apply`` all record it, so every surface tells the same."""
        if self._state_dir is None:
            return "", False
        from traystatus.adapters.state_store import StateStore

        try:
            _, retry = StateStore(self._state_dir).account(account_id)
        except (OSError, ValueError, TrayStatusError) as e:  # an unreadable state file: say what the keyring says
            log.warning("cannot read the sync state in %s: %s", self._state_dir, e)
            return "", False
        return retry.last_error, retry.needs_action

    def _from_sync(self, account: Any, error: str, needs_action: bool) -> AccountSummary:
        button = f"Connect {account.service.capitalize()}…"
        title, sep, message = error.partition(": ")
        if sep and message.lower().startswith(title.lower()):
            error = message  # "Slack token revoked: Slack token revoked or invalid (…)": once is enough
        detail = _in_window_words(error).rstrip(".").replace(" on the Accounts page", "")  # it is this page
        if account.source == "env":  # the token is the environment's: a button here cannot replace it
            from traystatus.adapters.secrets import ENV_MATRIX_TOKEN, ENV_SLACK_TOKEN

            var = ENV_SLACK_TOKEN if account.service == "slack" else ENV_MATRIX_TOKEN
            detail = detail.replace(f"reconnect with {button}", f"put a new token in {var} and restart traystatus")
            button = var
        if needs_action and button not in detail:
            detail += f" — use {button} again"
        elif not needs_action and "retr" not in detail.lower():
            detail += " — the sync tries again by itself"
        return AccountSummary(
            service=account.service,
            account_id=account.secret_key,
            label=_label(account),
            detail=f"last sync failed: {detail}",
            ok=False,
        )

    # -- listing -----------------------------------------------------------------------------------------------

    def _configured(self) -> list[Any]:
        from traystatus.adapters.secrets import configured_accounts

        return configured_accounts(account_login.read_accounts(self.config_path), self._environ)

    def list(self) -> list[AccountSummary]:
        """Every configured account; what is known of it this session, else whether its token is there."""
        out = []
        store: Any = None
        for account in self._configured():
            with self._lock:
                known = self._known.get(account.secret_key)
            error, needs_action = self._synced(account.secret_key)
            if known is not None and (not error or known[1] == error):
                out.append(known[0])
                continue
            if error:
                out.append(self._from_sync(account, error, needs_action))
                continue
            label = _label(account)
            if account.source == "env":
                out.append(
                    AccountSummary(
                        service=account.service,
                        account_id=account.secret_key,
                        label=label,
                        detail="token from the environment (TRAYSTATUS_* variables)",
                    )
                )
                continue
            try:
                store = store or self._store()
                present = bool(store.get(account.secret_key))
            except TrayStatusError as e:
                out.append(
                    AccountSummary(
                        service=account.service, account_id=account.secret_key, label=label, detail=_failed(e), ok=False
                    )
                )
                continue
            detail = (
                "token in the OS keyring"
                if present
                else (f"token missing from the OS keyring: use Connect {account.service.capitalize()}… again")
            )
            out.append(
                AccountSummary(
                    service=account.service, account_id=account.secret_key, label=label, detail=detail, ok=present
                )
            )
        return out

    def config_entries(self) -> Entries:
        """The ``[[accounts.*]]`` entries as they are in the file now (for an open editor to take over)."""
        import tomlkit

        try:
            text = self.config_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        accounts = tomlkit.parse(text).unwrap().get("accounts")
        return account_login.entries_of(accounts) if isinstance(accounts, Mapping) else {}

    # -- connecting --------------------------------------------------------------------------------------------

    def connect_slack(self, token: str, *, name: str = "") -> AccountSummary:
        token = token.strip()
        store = self._store()
        try:
            done = account_login.login_slack(self.config_path, token, store=store, name=name.strip())
        except ServiceError as e:  # the token was refused: say so next to the token field
            code = str(getattr(e, "error", ""))
            if code in ("invalid_auth", "token_revoked", "token_expired", "not_authed", "account_inactive"):
                raise ConfigError(
                    e.title,
                    f'Slack did not accept this token ({code}). Copy the "User OAuth '
                    "Token\" again from your Slack app's OAuth & Permissions page (reinstall the app "
                    "if it was revoked).",
                    key="token",
                ) from None
            raise ConfigError(e.title, _in_window_words(e.message), key="token") from None
        a = done.account
        log.info("Slack workspace %s connected from the settings window", a.team_id)
        return self._remember(
            AccountSummary(
                service="slack",
                account_id=a.secret_key,
                label=f"{a.name} ({done.user or a.user_id})",
                detail=slack_detail(done.scopes, done.missing),
                ok=not done.missing,
            )
        )

    def connect_matrix(self, user_id: str, password: str, *, homeserver: str = "") -> AccountSummary:
        from traystatus.adapters import matrix_api

        user = account_login.check_matrix_user(user_id)
        if not password:
            raise ConfigError(
                "Password missing",
                "enter the account's password (it is not kept: the "
                "homeserver gives a token, which goes to the OS keyring).",
                key="password",
            )
        store = self._store()
        try:
            base_url = matrix_api.discover(homeserver.strip() or user)
        except ServiceError as e:
            raise ConfigError(e.title, e.message, key="homeserver") from None
        try:
            done = account_login.login_matrix(self.config_path, user, password, store=store, base_url=base_url)
        except ServiceError as e:
            raise ConfigError(e.title, e.message, key="password") from None
        a = done.account
        log.info("Matrix account %s connected from the settings window", a.user_id)
        try:  # connected; now what works there (the token, presence)
            summary = self._matrix_summary(a, store.get(a.secret_key) or "", fresh=done)
        except TrayStatusError as e:
            summary = AccountSummary(
                service="matrix",
                account_id=a.secret_key,
                label=f"{a.display_name} on {a.homeserver}",
                detail=_failed(e),
                ok=False,
            )
        return self._remember(summary)

    # -- testing -----------------------------------------------------------------------------------------------

    def _find(self, account_id: str) -> Any:
        for account in self._configured():
            if account.secret_key == account_id:
                return account
        raise ConfigError(
            "No such account",
            f"{account_id} is no longer in {self.config_path}; it was disconnected or edited by hand.",
        )

    def _secret_of(self, account: Any, store: Any = None) -> str:
        from traystatus.adapters.secrets import secret_for

        if account.source == "env":
            return secret_for(account, None, self._environ)
        return secret_for(account, store or self._store(), self._environ)

    def test(self, account_id: str) -> AccountSummary:
        """Re-check a connected account; a failure comes back as a summary with ``ok=False`` and the fix."""
        account = self._find(account_id)
        try:
            secret = self._secret_of(account)
            if account.service == "slack":
                summary = self._test_slack(account, secret)
            else:
                summary = self._matrix_summary(_matrix_account(account), secret)
        except TrayStatusError as e:
            summary = AccountSummary(
                service=account.service, account_id=account_id, label=_label(account), detail=_failed(e), ok=False
            )
        return self._remember(summary)

    def _test_slack(self, account: Any, token: str) -> AccountSummary:
        from traystatus.adapters.service_clients import Purpose, slack_client

        client = slack_client(token, Purpose.INTERACTIVE, environ=self._environ or {})
        try:
            ident = client.auth_test()
        finally:
            client.close()
        if account.team_id and (ident.team_id, ident.user_id) != (account.team_id, account.user_id):
            raise ServiceError(
                "Token of another account",
                f"the stored token acts for {ident.user_id} in "
                f"{ident.team_id}, not {account.user_id} in {account.team_id}: use Connect Slack… "
                "again with this workspace's token.",
                needs_action=True,
            )
        missing = account_login.missing_slack_scopes(ident.scopes)
        return AccountSummary(
            service="slack",
            account_id=account.secret_key,
            label=f"{account.name} ({ident.user or ident.user_id})",
            detail=slack_detail(ident.scopes, missing),
            ok=not missing,
        )

    def _matrix_summary(
        self, account: MatrixAccount, secret: str, fresh: account_login.MatrixLogin | None = None
    ) -> AccountSummary:
        """whoami (the token works) and the presence capability of the homeserver."""
        from traystatus.adapters.matrix_api import MatrixSession
        from traystatus.adapters.secrets import matrix_secret, parse_matrix_secret
        from traystatus.adapters.service_clients import Purpose, matrix_client, matrix_session

        creds = parse_matrix_secret(secret)

        def keep(new: MatrixSession) -> None:  # a refreshed token goes back to the keyring
            self._store().set(account.secret_key, matrix_secret(new.access_token, new.refresh_token, new.device_id))

        session = matrix_session(account, creds)
        client = matrix_client(session, Purpose.INTERACTIVE, on_session_change=keep)
        who = client.whoami()
        if who.get("user_id") != account.user_id:
            raise ServiceError(
                "Token of another account",
                f"the stored token acts for {who.get('user_id')}: use Connect Matrix… again.",
                needs_action=True,
            )
        parts = [f"device {session.device_id}"]
        if fresh is not None and fresh.refresh_token:
            parts.append("refresh token kept")
        try:
            parts.append("presence works" if client.presence_enabled() else PRESENCE_OFF)
        except TrayStatusError as e:
            parts.append(f"presence not checked ({e.title})")
        if self._state_dir is not None:  # "Matrix shows you online: another session is active", …
            from traystatus.adapters.live_presence_file import LiveNoteFile

            if live := LiveNoteFile(self._state_dir).load(f"matrix:{account.user_id}", utc_now()):
                parts.append(live)
        return AccountSummary(
            service="matrix",
            account_id=account.secret_key,
            label=f"{account.display_name} on {account.homeserver}",
            detail="; ".join(parts),
        )

    # -- disconnecting -----------------------------------------------------------------------------------------

    def disconnect(self, account_id: str) -> None:
        """Forget the account: device logged out (Matrix), token deleted, config entry removed."""
        account = self._find(account_id)
        if account.source == "env":
            raise ConfigError(
                "Account from the environment",
                f"{_label(account)} comes from TRAYSTATUS_* variables; unset them to remove it.",
            )
        config = (
            SlackAccount(name=account.name, team_id=account.team_id, user_id=account.user_id)
            if account.service == "slack"
            else _matrix_account(account)
        )
        done = account_login.forget_account(self.config_path, config, self._store)
        with self._lock:
            self._known.pop(account_id, None)
        log.info("%s disconnected from the settings window", done.label)
        if done.problem is not None:
            raise ServiceError(
                "Disconnected, token not deleted",
                f"{done.label} was removed from the config, but {done.problem.title}: {done.problem.message}",
            )
        if done.warning:
            raise ServiceError("Disconnected, device still logged in", f"{done.label} was removed; {done.warning}")


def _label(account: Any) -> str:
    if account.service == "slack":
        return f"{account.name} ({account.team_id})" if account.team_id else account.name
    return f"{account.name} on {account.homeserver}" if account.homeserver else account.name


def _matrix_account(account: Any) -> MatrixAccount:
    name = "" if account.name == account.user_id else account.name
    return MatrixAccount(user_id=account.user_id, homeserver=account.homeserver, device_id=account.device_id, name=name)
