"""Connecting and forgetting Slack and Matrix accounts: tokens to the OS keyring, entries to config.toml.

Shared by `traystatus login`/`logout` (commands/accounts.py) and the settings window (accounts_service.py);
callers say what happened in their own words. No secret ever reaches a return value, message or log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from traystatus.core.accounts import AccountsSettings, MatrixAccount, SlackAccount
from traystatus.core.errors import ConfigError, SecretStoreError, TrayStatusError

# Scope -> what stops working without it: exactly the scopes of the methods the code calls (core/slack_app.py;
# doctor, login, the manifest and the connect dialog share it).
from traystatus.core.slack_app import SLACK_SCOPES


class SecretWriter(Protocol):
    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


def read_accounts(path: Path) -> AccountsSettings:
    """The accounts listed in ``path`` (none when the file does not exist yet)."""
    if not path.exists():
        return AccountsSettings()
    from zoneinfo import ZoneInfo

    from traystatus.adapters.config_toml import load_config_file

    return load_config_file(path, default_tz=ZoneInfo("UTC")).accounts


def check_slack_token(token: str) -> None:
    """Refuse what cannot be a Slack user token before sending it anywhere."""
    if token.startswith("xoxb-"):
        raise ConfigError(
            "Not a user token",
            "this is a bot token (xoxb-…); traystatus acts as you and needs "
            'a user token (xoxp-…) from your Slack app\'s "User OAuth Token".',
            key="token",
        )
    if not token.startswith(("xoxp-", "xoxe.xoxp-")):
        raise ConfigError(
            "Not a Slack user token",
            'Slack user tokens start with xoxp-; copy the "User OAuth '
            "Token\" from your Slack app's OAuth & Permissions page.",
            key="token",
        )


def missing_slack_scopes(scopes: tuple[str, ...]) -> list[str]:
    """The scopes traystatus uses that the token lacks (none known when Slack did not report any)."""
    return [scope for scope in SLACK_SCOPES if scope not in scopes] if scopes else []


def check_matrix_user(user: str) -> str:
    user = user.strip()
    if not user.startswith("@") or ":" not in user:
        raise ConfigError("Not a Matrix user id", f"{user!r}: use the full id, like @me:example.org.", key="user")
    return user


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackLogin:
    account: SlackAccount
    team: str  # the workspace's name on Slack
    user: str  # the user's name on Slack
    scopes: tuple[str, ...]
    missing: tuple[str, ...]
    added: bool  # a new config entry (False: an existing one was updated)


def login_slack(path: Path, token: str, *, store: SecretWriter, name: str = "") -> SlackLogin:
    """Check ``token`` with auth.test, keep it in ``store`` and record the workspace in ``path``."""
    from traystatus.adapters.service_clients import Purpose, slack_client

    check_slack_token(token)
    client = slack_client(token, Purpose.INTERACTIVE)
    try:
        ident = client.auth_test()
    finally:
        client.close()
    account = SlackAccount(name=name or ident.team or ident.team_id, team_id=ident.team_id, user_id=ident.user_id)
    entry = {"name": account.name, "team_id": account.team_id, "user_id": account.user_id}
    added = _record_then_store(path, "slack", entry, lambda: store.set(account.secret_key, token))
    return SlackLogin(
        account=account,
        team=ident.team,
        user=ident.user,
        scopes=ident.scopes,
        missing=tuple(missing_slack_scopes(ident.scopes)),
        added=added,
    )


def _record_then_store(path: Path, service: str, entry: Mapping[str, str], keep_secret: Callable[[], None]) -> bool:
    """The config entry first, then the secret: a config that cannot be written leaves no token in the
    keyring (nothing would ever find or delete it). A keyring that refuses undoes a new entry."""
    from traystatus.adapters.config_write import add_account, remove_account

    added = add_account(path, service, entry)
    try:
        keep_secret()
    except BaseException:
        if added:
            remove_account(path, service, {k: entry[k] for k in ("team_id", "user_id") if k in entry})
        raise
    return added


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixLogin:
    account: MatrixAccount
    refresh_token: bool  # the server gave a refresh token (kept in the keyring)
    added: bool


def login_matrix(
    path: Path,
    user: str,
    password: str,
    *,
    store: SecretWriter,
    base_url: str,
    device_name: str = "traystatus",
    name: str = "",
) -> MatrixLogin:
    """Password login on ``base_url`` (found with ``matrix_api.discover``), reusing this account's device."""
    from traystatus.adapters import matrix_api
    from traystatus.adapters.secrets import matrix_secret
    from traystatus.adapters.storage_problems import check_writable

    known = read_accounts(path).find_matrix(user)
    if known is None:  # a new entry is to be written: know it can be before a device is logged in on the server
        check_writable(path.parent, "the config file")
    session = matrix_api.login_password(
        base_url,
        user,
        password,
        device_name=device_name,
        device_id=known.device_id if known and known.device_id else None,
    )
    account = MatrixAccount(
        user_id=session.user_id, homeserver=session.homeserver, device_id=session.device_id, name=name
    )
    secret = matrix_secret(session.access_token, session.refresh_token, session.device_id)
    entry = {"user_id": session.user_id, "homeserver": session.homeserver, "device_id": session.device_id}
    if name:
        entry["name"] = name
    try:
        added = _record_then_store(path, "matrix", entry, lambda: store.set(account.secret_key, secret))
    except TrayStatusError:
        if not known or known.device_id != session.device_id:  # a new device nobody keeps a token for: end it
            matrix_logout(account, secret)
        raise
    return MatrixLogin(account=account, refresh_token=bool(session.refresh_token), added=added)


@dataclass(frozen=True, slots=True, kw_only=True)
class Forgotten:
    label: str  # "Slack workspace 'Acme' (T123)" / "Matrix account @me:example.org"
    problem: SecretStoreError | None = None  # the keyring could not be cleaned: the token may still be there
    warning: str = ""  # e.g. the Matrix device could not be logged out on the server


def forget_account(
    path: Path, account: SlackAccount | MatrixAccount, make_store: Callable[[], SecretWriter]
) -> Forgotten:
    """Log a Matrix device out (best effort), delete the token from the keyring, remove the config entry.

    ``make_store`` is called inside the guard: no usable keyring still removes the entry (and says so).
    """
    from traystatus.adapters.config_write import remove_account

    problem: SecretStoreError | None = None
    warning = ""
    try:
        store = make_store()
        secret = store.get(account.secret_key)
        if isinstance(account, MatrixAccount) and secret:
            warning = matrix_logout(account, secret)
        store.delete(account.secret_key)
    except SecretStoreError as e:
        problem = e
    if isinstance(account, SlackAccount):
        remove_account(path, "slack", {"team_id": account.team_id, "user_id": account.user_id})
        label = f"Slack workspace {account.name!r} ({account.team_id})"
    else:
        remove_account(path, "matrix", {"user_id": account.user_id})
        label = f"Matrix account {account.user_id}"
    return Forgotten(label=label, problem=problem, warning=warning)


def matrix_logout(account: MatrixAccount, secret: str) -> str:
    """Best effort: end the device's session on the server so the token stops working; a warning if not."""
    from traystatus.adapters import matrix_api
    from traystatus.adapters.secrets import parse_matrix_secret
    from traystatus.adapters.service_clients import matrix_session

    session = matrix_session(account, parse_matrix_secret(secret))
    try:
        matrix_api.logout(session, timeout=10.0)
    except TrayStatusError as e:
        return (
            f"could not log the device out on {account.homeserver} ({e.title}); "
            "remove it in your Matrix client's session list."
        )
    return ""


def entries_of(table: Mapping[str, object]) -> dict[str, list[dict[str, object]]]:
    """``{"slack": [...], "matrix": [...]}`` from an ``accounts`` table (plain values), empty lists dropped."""
    out: dict[str, list[dict[str, object]]] = {}
    for service in ("slack", "matrix"):
        items = table.get(service)
        if isinstance(items, list) and items:
            out[service] = [dict(i) for i in items if isinstance(i, Mapping)]
    return out
