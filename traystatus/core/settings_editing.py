"""The port through which the settings window and first-run setup edit the user's configuration.

Validation is the same code that reads the file (``settings_from_mapping``): one source of truth for
what is valid, and every error carries the key path so the editor can show it next to the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from traystatus.core.settings import Settings


class SettingsDocument(Protocol):
    """An editable config document: ``get``/``set`` by dotted key path (``general.share_titles``,
    ``calendars[2].url`` — arrays of tables are 1-based), ``validate`` without saving, ``save`` atomically."""

    @property
    def location(self) -> str: ...

    def get(self, key: str, default: object = None) -> object: ...

    def set(self, key: str, value: object) -> None: ...

    def remove(self, key: str) -> None: ...

    def items(self, key: str) -> list[dict[str, object]]:
        """The tables of an array of tables (``calendars``, ``exceptions``, ``team.people``)."""
        ...

    def set_items(self, key: str, items: list[dict[str, object]]) -> None: ...

    def validate(self) -> Settings:
        """The settings this document would give; raises ``ConfigError`` (with ``key``)."""
        ...

    def save(self) -> Settings:
        """Validate, then write atomically keeping the user's comments and layout; a secret calendar address
        moves into the keyring on the way (said in ``notes``)."""
        ...

    @property
    def notes(self) -> list[str]:
        """What the last save did that the user should hear about (an address moved into the keyring)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSummary:
    """One connected account as the Accounts page shows it (no secret in here)."""

    service: str  # "slack" | "matrix"
    account_id: str  # "slack:T123:U456", "matrix:@me:example.org"
    label: str  # "Acme (you@acme)" / "@me:example.org"
    detail: str = ""  # scopes found, "presence disabled on this server", …
    ok: bool = True


#: the file's ``[[accounts.*]]`` tables by service ("slack", "matrix")
AccountEntries = dict[str, list[dict[str, object]]]


class AccountsManager(Protocol):
    """Connect/disconnect/test accounts; secrets go to the keyring, never into the document."""

    def list(self) -> list[AccountSummary]: ...

    def connect_slack(self, token: str, *, name: str = "") -> AccountSummary: ...

    def connect_matrix(self, user_id: str, password: str, *, homeserver: str = "") -> AccountSummary: ...

    def disconnect(self, account_id: str) -> None: ...

    def test(self, account_id: str) -> AccountSummary: ...

    def config_entries(self) -> AccountEntries:
        """The file's ``[[accounts.*]]`` entries by service, after a connect or disconnect (for an open editor)."""
        ...


#: Runs a slow job off the GUI thread and calls back on the GUI thread: (job, on_done(result|error)).
Runner = Callable[[Callable[[], object], Callable[[object], None]], None]


class CalendarHoursPort(Protocol):
    """The Working hours page's view of the calendars' own working hours (RFC 7953 availability). Both calls
    are slow (network): the page runs them through its :data:`Runner`."""

    def origin(self, settings: Settings) -> str:
        """Where today's hours come from, in one or two sentences (with any warning about the availability)."""
        ...

    def save_target(self, settings: Settings) -> str:
        """The name of the calendar :meth:`save` writes to ("" when no CalDAV calendar is configured)."""
        ...

    def save(self, settings: Settings) -> str:
        """Store ``settings``' weekly hours and zone on that calendar's server; says where. Raises
        :class:`~traystatus.core.errors.TrayStatusError` with what failed."""
        ...
