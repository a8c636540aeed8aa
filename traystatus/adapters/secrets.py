"""Where tokens live: the OS keyring (service ``traystatus``; plaintext backends refused) or, headless, the environment.

Also lists the configured accounts (config file + environment) with where each one's secret comes from.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from traystatus.core.accounts import AccountsSettings, matrix_secret_key, slack_secret_key
from traystatus.core.errors import SecretStoreError

log = logging.getLogger(__name__)

SERVICE = "traystatus"
ENV_SLACK_TOKEN = "TRAYSTATUS_SLACK_TOKEN"  # noqa: S105 - the variable's name, not a token
ENV_MATRIX_HOMESERVER = "TRAYSTATUS_MATRIX_HOMESERVER"
ENV_MATRIX_USER = "TRAYSTATUS_MATRIX_USER"
ENV_MATRIX_TOKEN = "TRAYSTATUS_MATRIX_TOKEN"  # noqa: S105 - the variable's name, not a token
ENV_SLACK_KEY = "slack:env"  # the secret key of the account defined by TRAYSTATUS_SLACK_TOKEN

_INSTALL_HINT = (
    "Install and unlock a Secret Service provider (GNOME Keyring: `apt install gnome-keyring`, "
    "or KeePassXC with Secret Service enabled), or for headless use set "
    f"{ENV_SLACK_TOKEN} / {ENV_MATRIX_TOKEN} in the environment instead."
)
# Backends that keep secrets readable on disk or nowhere at all (docs/platform-notes.md, "Keyring").
_INSECURE = (
    "keyrings.alt.file.PlaintextKeyring",
    "keyrings.alt.Windows.RegistryKeyring",
    "keyring.backends.null.Keyring",
)


def _name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def writer_backend(backend: KeyringBackend) -> KeyringBackend:
    """The backend that would receive writes: a ChainerBackend writes to its first (highest priority) one."""
    inner = getattr(backend, "backends", None)
    if isinstance(inner, list | tuple):
        return inner[0] if inner else backend
    return backend


def check_backend(backend: KeyringBackend) -> None:
    """Refuse a backend that would store tokens in plaintext, or nowhere at all."""
    name = _name(backend)
    if name in _INSECURE or "plaintext" in type(backend).__name__.lower():
        raise SecretStoreError(
            "Insecure keyring refused",
            f"the keyring backend {name} keeps secrets in "
            f"a readable file; traystatus will not store tokens there. {_INSTALL_HINT}",
        )
    if name in ("keyring.backends.fail.Keyring", "keyring.backends.chainer.ChainerBackend"):
        raise SecretStoreError("No OS keyring", f"no keyring backend is available. {_INSTALL_HINT}")


class KeyringSecretStore:
    """The OS keyring under service ``traystatus``; raises :class:`SecretStoreError` with what to do."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        try:
            self._backend = writer_backend(backend or keyring.get_keyring())
        except Exception as e:  # a backend failing while keyring ranks them (SecretService without D-Bus)
            log.warning("No usable keyring backend: %s", type(e).__name__)
            raise SecretStoreError("No OS keyring", f"no keyring backend is usable. {_INSTALL_HINT}") from None
        check_backend(self._backend)

    def __repr__(self) -> str:
        return f"KeyringSecretStore({self.backend_name})"

    @property
    def backend_name(self) -> str:
        return _name(self._backend)

    def _fail(self, action: str, key: str, e: Exception) -> SecretStoreError:
        log.warning("Keyring %s of %s failed: %s", action, key, type(e).__name__)
        if isinstance(e, keyring.errors.NoKeyringError):
            return SecretStoreError("No OS keyring", f"could not {action} {key}: no keyring backend. {_INSTALL_HINT}")
        if isinstance(e, keyring.errors.KeyringLocked):
            return SecretStoreError(
                "Keyring locked",
                f"could not {action} {key}: the keyring is locked. "
                "Unlock it (log in to the desktop session) and try again.",
            )
        return SecretStoreError(
            "Keyring error",
            f"could not {action} {key} in {self.backend_name} "
            f"({type(e).__name__}). Is the keyring unlocked? {_INSTALL_HINT}",
        )

    def get(self, key: str) -> str | None:
        try:
            return self._backend.get_password(SERVICE, key)
        except Exception as e:  # keyring backends raise many kinds (D-Bus, locked, …)
            raise self._fail("read", key, e) from None

    def set(self, key: str, value: str) -> None:
        try:
            self._backend.set_password(SERVICE, key, value)
        except Exception as e:
            raise self._fail("store", key, e) from None

    def delete(self, key: str) -> None:
        """Delete ``key``; a key that is not there counts as deleted."""
        try:
            self._backend.delete_password(SERVICE, key)
        except keyring.errors.PasswordDeleteError:
            return
        except Exception as e:
            raise self._fail("delete", key, e) from None


class EnvSecretStore:
    """Read-only secrets from the environment: one Slack and one Matrix account, for headless machines."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if environ is None else environ

    def __repr__(self) -> str:
        return "EnvSecretStore()"

    def get(self, key: str) -> str | None:
        if key == ENV_SLACK_KEY:
            return self._env.get(ENV_SLACK_TOKEN) or None
        user, token = self._env.get(ENV_MATRIX_USER), self._env.get(ENV_MATRIX_TOKEN)
        if user and token and key == matrix_secret_key(user):
            return json.dumps({"access_token": token, "refresh_token": None, "device_id": ""})
        return None

    def set(self, key: str, value: str) -> None:
        raise SecretStoreError(
            "Secrets come from the environment",
            f"cannot store {key}: accounts defined by "
            "TRAYSTATUS_* environment variables are read-only. Change the variables instead.",
        )

    def delete(self, key: str) -> None:
        raise SecretStoreError(
            "Secrets come from the environment",
            f"cannot delete {key}: it is defined by TRAYSTATUS_* environment variables. Unset them instead.",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfiguredAccount:
    """One account to drive, with the key of its secret and where the secret is kept."""

    service: str  # "slack" | "matrix"
    name: str
    secret_key: str
    source: str  # "keyring" | "env"
    team_id: str = ""  # Slack (empty for the environment account until auth.test)
    user_id: str = ""
    homeserver: str = ""  # Matrix
    device_id: str = ""


def configured_accounts(
    accounts: AccountsSettings,
    environ: Mapping[str, str] | None = None,
) -> list[ConfiguredAccount]:
    """Accounts from config.toml (secrets in the keyring) plus those the environment defines."""
    env = os.environ if environ is None else environ
    out = [
        ConfiguredAccount(
            service="slack",
            name=a.name,
            secret_key=slack_secret_key(a.team_id, a.user_id),
            source="keyring",
            team_id=a.team_id,
            user_id=a.user_id,
        )
        for a in accounts.slack
    ]
    out += [
        ConfiguredAccount(
            service="matrix",
            name=a.display_name,
            secret_key=matrix_secret_key(a.user_id),
            source="keyring",
            user_id=a.user_id,
            homeserver=a.homeserver,
            device_id=a.device_id,
        )
        for a in accounts.matrix
    ]
    if env.get(ENV_SLACK_TOKEN):
        out.append(
            ConfiguredAccount(
                service="slack", name=f"Slack ({ENV_SLACK_TOKEN})", secret_key=ENV_SLACK_KEY, source="env"
            )
        )
    user, server, token = env.get(ENV_MATRIX_USER), env.get(ENV_MATRIX_HOMESERVER), env.get(ENV_MATRIX_TOKEN)
    if user and token:
        out = [a for a in out if not (a.service == "matrix" and a.user_id == user)]  # the environment wins
        out.append(
            ConfiguredAccount(
                service="matrix",
                name=user,
                secret_key=matrix_secret_key(user),
                source="env",
                user_id=user,
                homeserver=(server or "").rstrip("/"),
            )
        )
    return out


def secret_for(
    account: ConfiguredAccount,
    keyring_store: Any = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The account's secret (Slack token, or Matrix JSON); raises :class:`SecretStoreError` if it is missing."""
    store = EnvSecretStore(environ) if account.source == "env" else (keyring_store or KeyringSecretStore())
    value = store.get(account.secret_key)
    if not value:
        raise SecretStoreError(
            "Token missing",
            f"no token for {account.service} account {account.name!r} in the "
            f"{'environment' if account.source == 'env' else 'OS keyring'}. "
            f"Run `traystatus login {account.service}` again.",
        )
    return str(value)


def matrix_secret(access_token: str, refresh_token: str | None, device_id: str) -> str:
    """The JSON kept under ``matrix:<user_id>``."""
    return json.dumps({"access_token": access_token, "refresh_token": refresh_token, "device_id": device_id})


def parse_matrix_secret(value: str) -> dict[str, str | None]:
    try:
        data = json.loads(value)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise SecretStoreError(
            "Matrix credentials unreadable",
            "the keyring entry for this Matrix account is damaged. Run `traystatus login matrix` again.",
        )
    return {
        "access_token": data["access_token"],
        "refresh_token": data.get("refresh_token"),
        "device_id": str(data.get("device_id") or ""),
    }
