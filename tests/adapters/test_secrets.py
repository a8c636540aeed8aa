"""Secrets: a real Secret Service (gnome-keyring on a private D-Bus), refusal of plaintext/no keyrings, env accounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyrings.alt.file import PlaintextKeyring

from traystatus.adapters.secrets import (
    ENV_SLACK_KEY,
    EnvSecretStore,
    KeyringSecretStore,
    configured_accounts,
    matrix_secret,
    parse_matrix_secret,
    secret_for,
)
from traystatus.core.accounts import AccountsSettings, MatrixAccount, SlackAccount
from traystatus.core.errors import SecretStoreError

TOKEN = "xoxp-1234-5678-secret-service-test"


def test_real_secret_service_round_trip(os_keyring: KeyringBackend) -> None:
    store = KeyringSecretStore()
    assert store.backend_name == "keyring.backends.SecretService.Keyring"
    assert store.get("slack:T1:U1") is None
    store.set("slack:T1:U1", TOKEN)
    store.set("matrix:@me:example.org", matrix_secret("syt_abc", "syr_def", "DEVICE1"))
    assert store.get("slack:T1:U1") == TOKEN
    assert os_keyring.get_password("traystatus", "slack:T1:U1") == TOKEN  # really in the Secret Service
    assert parse_matrix_secret(store.get("matrix:@me:example.org") or "") == {
        "access_token": "syt_abc",
        "refresh_token": "syr_def",
        "device_id": "DEVICE1",
    }
    store.set("slack:T1:U1", TOKEN + "-rotated")
    assert store.get("slack:T1:U1") == TOKEN + "-rotated"
    store.delete("slack:T1:U1")
    store.delete("slack:T1:U1")  # deleting what is gone is fine
    assert store.get("slack:T1:U1") is None
    assert TOKEN not in repr(store)


def test_secret_service_items_are_under_service_traystatus(os_keyring: KeyringBackend) -> None:
    KeyringSecretStore().set("slack:T9:U9", TOKEN)
    items = list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"}))
    assert [i.get_attributes()["username"] for i in items] == ["slack:T9:U9"]


def test_plaintext_backend_is_refused(tmp_path: Path) -> None:
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    with pytest.raises(SecretStoreError) as e:
        KeyringSecretStore(backend).set("slack:T1:U1", TOKEN)
    assert e.value.title == "Insecure keyring refused" and "PlaintextKeyring" in e.value.message
    assert "gnome-keyring" in e.value.message
    assert not (tmp_path / "keyring_pass.cfg").exists()


def test_plaintext_default_without_dbus_is_refused(tmp_path: Path) -> None:
    # What keyring picks by itself with keyrings.alt installed and no D-Bus session (docs/platform-notes.md, "Keyring"),
    # in a fresh interpreter since keyring caches its choice.
    code = (
        "import keyring\nfrom traystatus.adapters.secrets import KeyringSecretStore\n"
        "from traystatus.core.errors import SecretStoreError\n"
        "print(type(keyring.get_keyring()).__name__)\n"
        "try:\n    KeyringSecretStore().set('slack:T1:U1', 'xoxp-x')\n"
        "except SecretStoreError as e:\n    print(e.title)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND")}
    env["XDG_DATA_HOME"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.splitlines() == ["PlaintextKeyring", "Insecure keyring refused"], out.stderr
    assert list(tmp_path.rglob("*.cfg")) == []


def test_no_keyring_says_what_to_install() -> None:
    with pytest.raises(SecretStoreError) as e:
        KeyringSecretStore(fail.Keyring())
    assert e.value.title == "No OS keyring" and "TRAYSTATUS_SLACK_TOKEN" in e.value.message


def test_unreachable_secret_service_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    store = KeyringSecretStore(SecretService.Keyring())
    with pytest.raises(SecretStoreError) as e:
        store.set("slack:T1:U1", TOKEN)
    assert e.value.title in ("Keyring error", "No OS keyring") and TOKEN not in str(e.value)


def test_env_store_defines_one_account_of_each() -> None:
    env = {
        "TRAYSTATUS_SLACK_TOKEN": TOKEN,
        "TRAYSTATUS_MATRIX_USER": "@bot:example.org",
        "TRAYSTATUS_MATRIX_HOMESERVER": "https://matrix.example.org/",
        "TRAYSTATUS_MATRIX_TOKEN": "syt_env",
    }
    store = EnvSecretStore(env)
    assert store.get(ENV_SLACK_KEY) == TOKEN
    assert json.loads(store.get("matrix:@bot:example.org") or "")["access_token"] == "syt_env"
    assert store.get("matrix:@other:example.org") is None and store.get("slack:T1:U1") is None
    with pytest.raises(SecretStoreError):
        store.set(ENV_SLACK_KEY, "x")
    with pytest.raises(SecretStoreError):
        store.delete(ENV_SLACK_KEY)
    assert TOKEN not in repr(store)


def test_configured_accounts_from_settings_and_env(os_keyring: KeyringBackend) -> None:
    settings = AccountsSettings(
        slack=(
            SlackAccount(name="Acme", team_id="T1", user_id="U1"),
            SlackAccount(name="Side", team_id="T2", user_id="U2"),
        ),
        matrix=(MatrixAccount(user_id="@me:example.org", homeserver="https://m.example.org", device_id="D1"),),
    )
    env = {
        "TRAYSTATUS_SLACK_TOKEN": TOKEN,
        "TRAYSTATUS_MATRIX_USER": "@me:example.org",
        "TRAYSTATUS_MATRIX_HOMESERVER": "https://env.example.org",
        "TRAYSTATUS_MATRIX_TOKEN": "syt_env",
    }
    accounts = configured_accounts(settings, env)
    assert [(a.service, a.name, a.secret_key, a.source) for a in accounts] == [
        ("slack", "Acme", "slack:T1:U1", "keyring"),
        ("slack", "Side", "slack:T2:U2", "keyring"),
        ("slack", "Slack (TRAYSTATUS_SLACK_TOKEN)", "slack:env", "env"),
        ("matrix", "@me:example.org", "matrix:@me:example.org", "env"),
    ]
    assert accounts[-1].homeserver == "https://env.example.org"
    assert configured_accounts(settings, {})[2].source == "keyring"
    KeyringSecretStore().set("slack:T1:U1", "xoxp-acme")
    assert secret_for(accounts[0], environ=env) == "xoxp-acme"
    assert secret_for(accounts[2], environ=env) == TOKEN
    with pytest.raises(SecretStoreError, match="traystatus login slack"):
        secret_for(accounts[1], environ=env)


def test_damaged_matrix_secret() -> None:
    with pytest.raises(SecretStoreError, match="login matrix"):
        parse_matrix_secret("not json")


def test_keyring_global_is_left_as_it_was() -> None:
    assert not type(keyring.get_keyring()).__module__.endswith("SecretService")
