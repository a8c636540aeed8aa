"""The single error root: every failure the user may see carries a title and a message."""

from __future__ import annotations


class TrayStatusError(Exception):
    """An error meant for people: ``title`` says what failed, ``message`` what to do about it.

    Adapters translate library exceptions into these at the boundary. Never put a secret
    (token, password, secret calendar URL) in either field.
    """

    def __init__(self, title: str, message: str) -> None:
        super().__init__(f"{title}: {message}")
        self.title = title
        self.message = message


class ConfigError(TrayStatusError):
    """The configuration (file or command-line options) is wrong; names file, key and fix.

    ``key`` is the dotted key path the error is about (e.g. ``general.share_titles`` or
    ``calendars[2].url``) when known, so an editor can show the error next to that field.
    """

    def __init__(self, title: str, message: str, *, key: str = "") -> None:
        super().__init__(title, message)
        self.key = key


class CalendarError(TrayStatusError):
    """A calendar source could not be read or parsed."""


class ServiceError(TrayStatusError):
    """A chat service (Slack, Matrix) refused or could not be reached."""

    def __init__(
        self, title: str, message: str, *, retry_after: float | None = None, needs_action: bool = False
    ) -> None:
        super().__init__(title, message)
        #: seconds to wait before trying again (rate limits), when the server said so
        self.retry_after = retry_after
        #: True when only the user can fix it (revoked token, missing scope)
        self.needs_action = needs_action


class SecretStoreError(TrayStatusError):
    """The OS keyring is missing, locked or refused."""


class StorageError(TrayStatusError):
    """A file or directory of traystatus's own could not be written (permissions, read-only, disk full).

    ``path`` is where; the message says why and what to do, and what was kept."""

    def __init__(self, title: str, message: str, *, path: str = "") -> None:
        super().__init__(title, message)
        self.path = path
