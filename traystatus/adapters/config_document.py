"""The user's config.toml as an editable document: tomlkit keeps comments and layout; saves are atomic."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import tomlkit
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from traystatus.adapters.calendar_secrets import LazySecrets, move_secret_addresses, plain_secret_addresses
from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import storage_error
from traystatus.core.errors import ConfigError
from traystatus.core.ports import SecretStore
from traystatus.core.settings import SCHEMA_VERSION, Settings, settings_from_mapping

_PART = re.compile(r"^([A-Za-z0-9_]+)(?:\[(\d+)\])?$")
HEADER = (
    "traystatus configuration — edited by hand or in the settings window (comments are kept).\n"
    "Every key is described in docs/configuration.md. Secrets never go here: they live in the keyring."
)


class TomlConfigDocument:
    """Implements ``core.settings_editing.SettingsDocument`` over a TOML file."""

    def __init__(self, path: Path, *, default_tz: ZoneInfo, secrets: SecretStore | None = None) -> None:
        self.path = path
        self.default_tz = default_tz
        self.secrets = LazySecrets(secrets)  # where a secret calendar address goes when saved (the OS keyring)
        self.notes: list[str] = []  # what the last save did that the user should know (an address moved)
        self.doc = self._load()
        self.on_disk = plain_secret_addresses(self.doc)  # an older file's plain addresses (moved when saved)

    @property
    def location(self) -> str:
        return str(self.path)

    def _load(self) -> TOMLDocument:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            doc = tomlkit.document()
            for line in HEADER.splitlines():
                doc.add(tomlkit.comment(line))
            doc.add("schema_version", SCHEMA_VERSION)
            return doc
        try:
            return tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as e:
            raise ConfigError(
                "Configuration file is not valid TOML",
                f"{self.path}: {e}. Fix the syntax there before editing in the window.",
            ) from None

    def reload(self) -> None:
        self.doc = self._load()
        self.on_disk = plain_secret_addresses(self.doc)

    # -- navigation -------------------------------------------------------------------------
    def _walk(self, key: str, *, create: bool) -> tuple[Any, str]:
        """The container holding the last part of ``key``, and that part's name."""
        parts = key.split(".")
        node: Any = self.doc
        for part in parts[:-1]:
            m = _PART.match(part)
            if not m:
                raise ValueError(f"bad key path {key!r}")
            name, index = m[1], m[2]
            if name not in node:
                if not create:
                    return None, parts[-1]
                node[name] = tomlkit.aot() if index else tomlkit.table()
            node = node[name]
            if index:
                i = int(index) - 1
                while create and len(node) <= i:
                    node.append(tomlkit.table())
                if i >= len(node):
                    return None, parts[-1]
                node = node[i]
        return node, parts[-1]

    def get(self, key: str, default: object = None) -> object:
        node, last = self._walk(key, create=False)
        if node is None or last not in node:
            return default
        value = node[last]
        return value.unwrap() if hasattr(value, "unwrap") else value

    def set(self, key: str, value: object) -> None:
        node, last = self._walk(key, create=True)
        if last in node and isinstance(node[last], (Table, AoT)) and not isinstance(value, dict | list):
            raise ValueError(f"{key} is a table")
        node[last] = value

    def remove(self, key: str) -> None:
        node, last = self._walk(key, create=False)
        if node is not None and last in node:
            del node[last]

    def items(self, key: str) -> list[dict[str, object]]:
        value = self.get(key, [])
        return [dict(v) for v in value] if isinstance(value, list) else []

    def set_items(self, key: str, items: list[dict[str, object]]) -> None:
        if not items:
            self.remove(key)
            return
        aot = tomlkit.aot()
        for item in items:
            t = tomlkit.table()
            for k, v in item.items():
                if v not in ("", None):
                    t[k] = v
            aot.append(t)
        node, last = self._walk(key, create=True)
        node[last] = aot

    # -- validation and saving --------------------------------------------------------------
    def validate(self) -> Settings:
        return settings_from_mapping(self.doc.unwrap(), source=str(self.path), default_tz=self.default_tz)

    def text(self) -> str:
        return tomlkit.dumps(self.doc)

    def save(self) -> Settings:
        """Validate, move secret calendar addresses into the keyring (see ``notes``), write atomically."""
        self.validate()
        self.notes = move_secret_addresses(self.doc, self.secrets, on_disk=self.on_disk)
        settings = self.validate()
        try:
            atomic_write(self.path, self.text())
        except OSError as e:  # the edits stay in the window (and in ``self.doc``): saving again can work
            raise storage_error(e, self.path, "the config file", kept="your changes are still here, unsaved.") from None
        self.on_disk = plain_secret_addresses(self.doc)
        return settings
