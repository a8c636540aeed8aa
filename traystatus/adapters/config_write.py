"""Editing the user's config.toml in place (tomlkit keeps their comments), written atomically and private (0600)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from traystatus.adapters.calendar_secrets import LazySecrets, move_secret_addresses, plain_secret_addresses
from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import storage_error
from traystatus.core.errors import ConfigError

log = logging.getLogger(__name__)

# The keys that identify one account: a second login to the same account updates its entry.
IDENTITY = {"slack": ("team_id", "user_id"), "matrix": ("user_id",)}


def _load(path: Path) -> TOMLDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return tomlkit.document()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError("Configuration file unreadable", f"{path}: {e}") from None
    try:
        return tomlkit.parse(text)
    except TOMLKitError as e:
        raise ConfigError(
            "Configuration file is not valid TOML", f"{path}: {e}. Fix the syntax there, then run the command again."
        ) from None


def _save(path: Path, doc: TOMLDocument) -> None:
    """Every write also moves a secret calendar address an older config holds into the keyring (logged)."""
    move_secret_addresses(doc, LazySecrets(), on_disk=plain_secret_addresses(_load(path)))
    try:
        atomic_write(path, tomlkit.dumps(doc))
    except OSError as e:
        raise storage_error(e, path, "the config file", kept="the file is as it was before.") from None


def _accounts(doc: TOMLDocument, path: Path) -> Table:
    accounts = doc.get("accounts")
    if accounts is None:
        accounts = tomlkit.table(is_super_table=True)
        doc.append("accounts", accounts)
    if not isinstance(accounts, Table):
        raise ConfigError("Configuration error", f"{path}: accounts: expected a table; fix it by hand first.")
    return accounts


def _matches(item: Mapping[str, object], service: str, entry: Mapping[str, object]) -> bool:
    return all(item.get(k) == entry.get(k) for k in IDENTITY[service])


def add_account(path: Path, service: str, entry: Mapping[str, str]) -> bool:
    """Add ``[[accounts.<service>]]`` with ``entry``, or update the entry for the same account.

    Returns True when a new entry was added, False when an existing one was updated.
    """
    doc = _load(path)
    accounts = _accounts(doc, path)
    aot = accounts.get(service)
    if aot is None:
        aot = tomlkit.aot()
        accounts.append(service, aot)
    if not isinstance(aot, AoT):
        raise ConfigError(
            "Configuration error",
            f"{path}: accounts.{service}: expected [[accounts.{service}]] tables; fix it by hand first.",
        )
    for item in aot:
        if _matches(item, service, entry):
            if all(item.get(k) == v for k, v in entry.items()):
                return False  # nothing to change: the file is left alone (it may be read-only)
            for key, value in entry.items():
                item[key] = value
            _save(path, doc)
            log.info("Updated the %s account entry in %s", service, path)
            return False
    table = tomlkit.table()
    for key, value in entry.items():
        table[key] = value
    aot.append(table)
    _save(path, doc)
    log.info("Added a %s account entry to %s", service, path)
    return True


def remove_account(path: Path, service: str, identity: Mapping[str, str]) -> bool:
    """Remove the ``[[accounts.<service>]]`` entry whose identity keys match; True if one was removed."""
    if not path.exists():
        return False
    doc = _load(path)
    accounts = doc.get("accounts")
    aot = accounts.get(service) if isinstance(accounts, Table) else None
    if not isinstance(aot, AoT):
        return False
    keep = [i for i, item in enumerate(aot) if not _matches(item, service, identity)]
    if len(keep) == len(aot):
        return False
    for i in reversed(range(len(aot))):
        if i not in keep:
            del aot[i]
    if not keep:
        assert isinstance(accounts, Table)
        del accounts[service]
        if not accounts:
            del doc["accounts"]
    _save(path, doc)
    log.info("Removed a %s account entry from %s", service, path)
    return True


def calendar_tables(path: Path) -> list[dict[str, object]]:
    """The ``[[calendars]]`` tables, as plain values (none when the file does not exist)."""
    if not path.exists():
        return []
    return [
        {k: (v.unwrap() if hasattr(v, "unwrap") else v) for k, v in t.items()} for t in _calendars(_load(path), path)
    ]


def _calendars(doc: TOMLDocument, path: Path) -> AoT:
    aot = doc.get("calendars")
    if aot is None:
        aot = tomlkit.aot()
        doc.append("calendars", aot)
    if not isinstance(aot, AoT):
        raise ConfigError("Configuration error", f"{path}: calendars: expected [[calendars]] tables; fix it by hand.")
    return aot


def put_calendar(path: Path, entry: Mapping[str, object]) -> bool:
    """Add a ``[[calendars]]`` table with ``entry``, or replace the keys of the one with the same name (its other
    keys and comments stay). Returns True when a new table was added."""
    doc = _load(path)
    aot = _calendars(doc, path)
    for table in aot:
        if table.get("name") == entry.get("name"):
            for key in ("url", "path"):
                if key in table and key not in entry:
                    del table[key]
            for key, value in entry.items():
                table[key] = value
            _save(path, doc)
            log.info("Updated calendar '%s' in %s", entry.get("name"), path)
            return False
    table = tomlkit.table()
    for key, value in entry.items():
        table[key] = value
    aot.append(table)
    _save(path, doc)
    log.info("Added calendar '%s' to %s", entry.get("name"), path)
    return True
