"""Wiring for the settings window: the config document, calendar test, status preview and accounts."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from traystatus.adapters.calendar_fetch_log import CalendarFetchLog
from traystatus.adapters.calendar_sources import build_sources, load_all
from traystatus.adapters.clock import utc_now
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.adapters.system_zone import system_zone
from traystatus.app.accounts_service import ServiceAccountsManager
from traystatus.app.calendar_hours_service import CalendarHoursService
from traystatus.app.paths import AppPaths
from traystatus.core.calendar_fetch import CalendarChecker, CalendarFetch
from traystatus.core.errors import CalendarError
from traystatus.core.plurals import counted
from traystatus.core.settings import CalendarSourceConfig, Settings
from traystatus.core.settings_editing import Runner

if TYPE_CHECKING:
    from traystatus.qt.settings.first_run import FirstRunWizard
    from traystatus.qt.settings.window import SettingsWindow

PREVIEW_HOURS = 24


def open_document(paths: AppPaths) -> TomlConfigDocument:
    return TomlConfigDocument(paths.config_file, default_tz=system_zone())


class FetchingCalendarChecker:
    """The Calendars page's :class:`CalendarChecker`: fetch one calendar for the next two weeks (on a worker
    thread) and say how it went; the fetch log in the cache dir says what every calendar's latest load gave."""

    def __init__(self, paths: AppPaths, zone: ZoneInfo) -> None:
        self._cache_dir, self._zone = paths.cache_dir, zone

    def __call__(self, config: CalendarSourceConfig) -> str:
        now = utc_now()
        settings = Settings(timezone=self._zone, calendars=(config,))
        sources = build_sources(settings, cache_dir=self._cache_dir)
        [result] = load_all(sources, now, now + timedelta(days=14))  # recorded in the fetch log too
        if result.error is not None and not result.events:
            raise result.error
        note = f" (stale: {result.error.message})" if result.error is not None else ""
        return f"{counted(len(result.events), 'event')} in the next 14 days{note}"

    def last_fetches(self) -> dict[str, CalendarFetch]:
        return CalendarFetchLog(self._cache_dir).read()


def make_calendar_tester(paths: AppPaths, zone: ZoneInfo) -> CalendarChecker:
    return FetchingCalendarChecker(paths, zone)


def _hm(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %H:%M")


def make_preview(paths: AppPaths):  # type: ignore[no-untyped-def]
    """The next 24 h as each service would show it, for the Status page."""

    def preview(settings: Settings) -> list[str]:
        from traystatus.adapters.state_store import StateStore
        from traystatus.app.container import SourcesReader
        from traystatus.core.status_sync import StatusSync

        now = utc_now().replace(second=0, microsecond=0)
        end = now + timedelta(hours=PREVIEW_HOURS)
        sync = StatusSync(  # the shared pipeline over the unsaved settings; it sends nothing here
            settings=settings,
            calendars=SourcesReader(build_sources(settings, cache_dir=paths.cache_dir)),
            publishers=(),
            store=StateStore(paths.state_dir),
            clock=lambda: now,
        )
        outlook, problems = sync.outlook(now, end)
        lines = [f"⚠ {p.source}: {p.title}" for p in problems]
        from traystatus.core.tray_view import outlook_line

        lines.extend(outlook_line(interval, d, settings.timezone, now=now) for interval, d in outlook)
        return lines

    return preview


def replace_calendar(settings: Settings, config: CalendarSourceConfig) -> Settings:
    return dataclasses.replace(settings, calendars=(config,))


__all__ = ["CalendarError", "make_calendar_tester", "make_preview", "open_document"]


def apply_start_at_login(settings: Settings, autostart: object | None = None) -> str:
    """Make the login entry (XDG autostart, LaunchAgent, Run key) match ``general.start_at_login`` after a
    save; returns "" or what went wrong, with the fix."""
    from traystatus.adapters.autostart import Autostart
    from traystatus.core.errors import TrayStatusError

    entry = autostart if isinstance(autostart, Autostart) else Autostart()
    want = settings.general.start_at_login
    try:
        if entry.is_enabled() != want:
            entry.set_enabled(want)
    except TrayStatusError as e:
        return f"{e.title}: {e.message}"
    return ""


def build_settings_window(paths: AppPaths, runner: Runner, *, first_run: bool) -> SettingsWindow | FirstRunWizard:
    """The settings window (or the first-run setup) on the configuration at ``paths``, wired to the real
    accounts, calendar test and status preview: the tray app and ``traystatus settings`` both build it here."""
    from traystatus.qt.settings.first_run import FirstRunWizard
    from traystatus.qt.settings.window import SettingsWindow

    zone = system_zone()
    doc = open_document(paths)
    common: dict[str, Any] = dict(
        default_zone=str(doc.get("timezone", zone.key)),
        runner=runner,
        accounts=make_accounts_manager(paths),
        calendar_tester=make_calendar_tester(paths, zone),
        preview=make_preview(paths),
    )
    if first_run:
        return FirstRunWizard(doc, **common)
    return SettingsWindow(doc, **common, calendar_hours=CalendarHoursService(paths.cache_dir))


def run_settings_window(args: object, *, first_run: bool = False) -> int:
    """Open the settings window (or first-run setup) as its own small app; returns when it closes."""
    from traystatus.qt.application import create_application
    from traystatus.qt.runner import ThreadRunner
    from traystatus.qt.settings.window import tell_problem

    paths = AppPaths.resolve(getattr(args, "config", None))
    paths.ensure()
    app = create_application(["traystatus"])
    app.setQuitOnLastWindowClosed(True)
    runner = ThreadRunner(app)
    window = build_settings_window(paths, runner, first_run=first_run)

    def saved(settings: Settings) -> None:
        problem = apply_start_at_login(settings)
        if problem:
            tell_problem(window, "Start at login", problem)

    window.saved.connect(saved)
    window.show()
    code = int(app.exec())
    runner.wait(2000)
    return code


def forward_settings_request(args: object, message: str) -> bool:
    """Ask a running traystatus to show the window; True if one took the request."""
    try:
        from traystatus.app.paths import instance_name
    except ImportError:
        return False
    from traystatus.qt.application import forward_to_running

    return forward_to_running(instance_name(AppPaths.resolve(getattr(args, "config", None))), message)


def make_accounts_manager(paths: AppPaths) -> ServiceAccountsManager:
    """The accounts port for the Accounts page: tokens to the OS keyring, entries to config.toml."""
    return ServiceAccountsManager(paths.config_file, state_dir=paths.state_dir)
