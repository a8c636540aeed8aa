"""Secret calendar addresses in the OS keyring: storing one, reading a reference back when a calendar loads,
and moving the plain addresses an older config holds into the keyring (docs/configuration.md, "Secret
addresses").

The config and the command line hold only ``keyring:NAME``; the address itself is the keyring entry
``calendar:NAME`` of service ``traystatus`` and is read by the source that fetches it, nowhere else.
"""

from __future__ import annotations

import logging
import shlex
import time
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from traystatus.core.calendar_secret import (
    holds_secret_address,
    is_reference,
    new_reference_name,
    redact_url,
    reference,
    reference_name,
    secret_key,
)
from traystatus.core.errors import CalendarError, SecretStoreError, TrayStatusError
from traystatus.core.ports import CalendarResult, CalendarSource, SecretStore

log = logging.getLogger(__name__)

#: how long an address read from the keyring is used before it is read again (while its fetches work)
REREAD_SECONDS = 3600.0


def keyring_store() -> SecretStore:
    from traystatus.adapters.secrets import KeyringSecretStore

    return KeyringSecretStore()


class LazySecrets:
    """``secrets``, or the OS keyring opened at the first use: a config without secret addresses never needs one."""

    def __init__(self, secrets: SecretStore | None = None) -> None:
        self._store = secrets

    def store(self) -> SecretStore:
        if self._store is None:
            self._store = keyring_store()
        return self._store


def read_address(location: str, secrets: SecretStore, *, calendar: str = "") -> str:
    """The address a ``keyring:NAME`` reference stands for; raises :class:`SecretStoreError` saying what to do.
    ``calendar``: the calendar's name in the config, for the command that gives the address again."""
    key = secret_key(location)
    value = (secrets.get(key) or "").strip()
    if not value:
        name = shlex.quote(calendar or reference_name(location))
        raise SecretStoreError(
            "Calendar address missing",
            f"the keyring has no entry {key} for {location}. Give the address again with "
            f"`traystatus calendar add - --name {name}` (it asks for it without showing it) "
            f"or `keyring set traystatus {key}`.",
        )
    return value


class SecretAddressSource:
    """A calendar whose address is a keyring entry. The address is read at the first load, again after a
    load that failed (a reset address put in the keyring is picked up at the next refresh) and at most once an
    hour otherwise: a locked keyring prompts to be unlocked, which must not happen at every 2-minute refresh.
    The inner source is made per address."""

    def __init__(
        self,
        name: str,
        location: str,
        *,
        make: Callable[[str], CalendarSource],
        secrets: LazySecrets,
        clock: Callable[[], float] = time.monotonic,
        calendar: str = "",
    ) -> None:
        self.name, self._location, self._make, self._secrets, self._clock = name, location, make, secrets, clock
        self._calendar = calendar or name
        self._address = ""
        self._inner: CalendarSource | None = None
        self._read_at: float | None = None  # when the address was last read, None: read at the next load

    def __repr__(self) -> str:
        return f"SecretAddressSource({self.name!r}, {self._location!r})"

    def _source(self) -> CalendarSource:
        now = self._clock()
        if self._inner is not None and self._read_at is not None and now - self._read_at < REREAD_SECONDS:
            return self._inner
        address = read_address(self._location, self._secrets.store(), calendar=self._calendar)
        self._read_at = now
        if self._inner is None or address != self._address:
            self._inner, self._address = self._make(address), address
        return self._inner

    def load(self, start: datetime, end: datetime) -> CalendarResult:
        try:
            source = self._source()
        except TrayStatusError as e:
            error = CalendarError(f"Calendar '{self.name}' could not be read", f"{e.title}: {e.message}")
            return self.last_good(start, end, error)
        result = source.load(start, end)
        if result.error is not None:
            self._read_at = None  # the address may have been reset: read the keyring again next time
        return result

    def last_good(self, start: datetime, end: datetime, error: CalendarError) -> CalendarResult:
        last_good = getattr(self._inner, "last_good", None)
        if callable(last_good):
            result = last_good(start, end, error)
            assert isinstance(result, CalendarResult)
            return result
        return CalendarResult(source=self.name, error=error)


def store_address(secrets: SecretStore, display_name: str, url: str, taken: set[str]) -> str:
    """Keep ``url`` in the keyring under a new name (not in ``taken``, which gets it); returns the reference."""
    name = new_reference_name(display_name, taken)
    secrets.set(secret_key(reference(name)), url.strip())
    taken.add(name)
    return reference(name)


def _calendar_tables(doc: Any) -> list[Any]:
    calendars = doc.get("calendars") if hasattr(doc, "get") else None
    if calendars is None:
        return []
    try:
        return [t for t in calendars if hasattr(t, "get")]
    except TypeError:
        return []


def referenced_names(doc: Any) -> set[str]:
    return {
        reference_name(str(t.get("url")))
        for t in _calendar_tables(doc)
        if isinstance(t.get("url"), str) and is_reference(str(t.get("url")))
    }


def plain_secret_calendars(doc: Any) -> list[str]:
    """Names of the calendars whose ``url`` is a secret address written in the file itself."""
    return [
        str(t.get("name") or f"calendar {i + 1}")
        for i, t in enumerate(_calendar_tables(doc))
        if isinstance(t.get("url"), str) and holds_secret_address(str(t.get("url")))
    ]


def plain_secret_addresses(doc: Any) -> set[str]:
    """The secret addresses written in the document as they are (not as keyring references)."""
    return {
        str(t.get("url"))
        for t in _calendar_tables(doc)
        if isinstance(t.get("url"), str) and holds_secret_address(str(t.get("url")))
    }


def move_secret_addresses(doc: Any, secrets: LazySecrets, *, on_disk: Collection[str] = ()) -> list[str]:
    """Move every secret ``url`` of ``[[calendars]]`` in the tomlkit ``doc`` into the keyring, leaving a
    reference; returns one note per calendar moved (or left). An address the file already held (``on_disk``)
    stays where it is when the keyring cannot take it, with a note, so a save never fails for an older config;
    a new one raises :class:`SecretStoreError`: it is not written to the file."""
    notes = []
    taken = referenced_names(doc)
    for i, table in enumerate(_calendar_tables(doc)):
        url = table.get("url")
        if not isinstance(url, str) or not holds_secret_address(url):
            continue
        name = str(table.get("name") or f"calendar {i + 1}")
        try:
            ref = store_address(secrets.store(), name, str(url), taken)
        except SecretStoreError as e:
            if str(url) not in on_disk:
                raise
            log.warning("The secret address of calendar '%s' stays in the config file: %s", name, e.title)
            notes.append(f"The secret address of calendar '{name}' stays in the config file: {e.title} ({e.message})")
            continue
        table["url"] = ref
        log.warning("Moved the secret address of calendar '%s' (%s) into the keyring as %s", name, redact_url(url), ref)
        notes.append(
            f"The secret address of calendar '{name}' ({redact_url(url)}) now lives in the OS keyring; "
            f'the config holds url = "{ref}" instead.'
        )
    return notes
