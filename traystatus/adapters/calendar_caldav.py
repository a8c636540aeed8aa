"""CalDAV calendars (placeholder until the requests-based client lands)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from traystatus.core.errors import CalendarError
from traystatus.core.ports import CalendarResult, SecretStore


class CaldavCalendarSource:
    def __init__(self, name: str, url: str, *, username: str, secrets: SecretStore | None,
                 zone: ZoneInfo, user_emails: frozenset[str] = frozenset(), timeout: float = 30.0) -> None:
        self.name = name

    def load(self, start: datetime, end: datetime) -> CalendarResult:
        return CalendarResult(source=self.name, error=CalendarError(
            f"Calendar '{self.name}' is not supported yet", "CalDAV support is not available in this build."))
