"""The Working hours page's :class:`~traystatus.core.settings_editing.CalendarHoursPort`: where today's hours
come from (the calendars read once, as the tray's pipeline reads them) and saving the page's hours to the first
CalDAV calendar's server as ``calendar-availability`` (RFC 7953), so other clients see the same hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from traystatus.adapters.calendar_caldav import CaldavCalendarSource
from traystatus.adapters.calendar_secrets import keyring_store, read_address
from traystatus.adapters.calendar_sources import build_sources, load_all
from traystatus.adapters.clock import utc_now
from traystatus.core.availability import apply_calendar_hours
from traystatus.core.availability_ics import weekly_availability_ics
from traystatus.core.calendar_secret import is_reference, redact_url
from traystatus.core.errors import ConfigError
from traystatus.core.settings import CalendarSourceConfig, Settings
from traystatus.core.work_periods import hours_page_origin


def _today(settings: Settings, now: datetime) -> tuple[datetime, datetime]:
    day = now.astimezone(settings.timezone).date()
    start = datetime.combine(day, time(0), tzinfo=settings.timezone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def _first_caldav(settings: Settings) -> CalendarSourceConfig | None:
    return next((c for c in settings.calendars if c.kind == "caldav"), None)


class CalendarHoursService:
    """Reads and writes the calendars' working hours for the settings window (call off the GUI thread)."""

    def __init__(self, cache_dir: Path, *, timeout: float = 20.0) -> None:
        self._cache_dir, self._timeout = cache_dir, timeout

    def origin(self, settings: Settings) -> str:
        now = utc_now()
        start, end = _today(settings, now)
        sources = build_sources(settings, cache_dir=self._cache_dir, timeout=self._timeout)
        results = load_all(sources, start, end)
        components = [c for r in results for c in r.availability]
        derived, notes = apply_calendar_hours(settings, components, start, end)
        # a calendar that could not be read may hold hours of its own: say so rather than a confident "below"
        unread = [
            f"{r.error.title} ({r.error.message.split(' (')[0]}), so its working hours are not known"
            for r in results
            if r.error is not None and not r.availability
        ]
        return " ".join([hours_page_origin(derived, start, end), *(f"⚠ {n}." for n in [*notes, *unread])])

    def save_target(self, settings: Settings) -> str:
        config = _first_caldav(settings)
        return config.name if config is not None else ""

    def save(self, settings: Settings) -> str:
        config = _first_caldav(settings)
        if config is None:
            raise ConfigError("No CalDAV calendar", "Add a CalDAV calendar on the Calendars page first.")
        now = utc_now()
        try:
            ics = weekly_availability_ics(
                settings.hours, settings.timezone, today=now.astimezone(settings.timezone).date(), stamp=now
            )
        except ValueError as e:
            raise ConfigError("Working hours not saved", f"{e}: give at least one day some hours.") from None
        location = config.location
        if is_reference(location):  # a collection whose address is a keyring entry (url = "keyring:NAME")
            location = read_address(location, keyring_store())
        source = CaldavCalendarSource(
            config.name,
            location,
            username=config.username,
            secrets=None,  # the keyring, as the calendar's own loads use it
            zone=settings.timezone,
            timeout=self._timeout,
            cache_dir=self._cache_dir,
        )
        found = source.write_hours(ics)
        return (
            f"Saved your hours ({settings.timezone.key}) to the {found.where} of '{config.name}' "
            f"({redact_url(found.url)}), where other calendar apps on that server read them."
        )
