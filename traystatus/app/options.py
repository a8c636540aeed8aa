"""The options every command shares (--calendar, --tz, --hours) and loading settings from them."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traystatus.adapters.config_toml import load_config_file
from traystatus.adapters.system_zone import system_zone
from traystatus.app.paths import AppPaths
from traystatus.core.errors import ConfigError
from traystatus.core.hours import overnight_hint, parse_hours
from traystatus.core.settings import CalendarSourceConfig, Settings

log = logging.getLogger(__name__)


def add_settings_options(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("settings (override the config file; enough without one)")
    g.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="config file (default: the platform's config dir, or TRAYSTATUS_CONFIG)",
    )
    g.add_argument(
        "--calendar",
        action="append",
        default=[],
        metavar="FILE|URL",
        help="an .ics file or http(s)/webcal URL (repeatable); replaces the configured calendars",
    )
    g.add_argument("--tz", metavar="ZONE", help="your IANA time zone, e.g. Europe/Berlin (default: the system's)")
    g.add_argument(
        "--hours", metavar="SPEC", help='working hours, e.g. "mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00"'
    )


def load_settings(args: argparse.Namespace) -> Settings:
    """Config file (if any) + command-line overrides. A missing default config file is fine."""
    explicit = getattr(args, "config", None)
    paths = AppPaths.resolve(explicit)
    if paths.config_file.exists() or explicit:
        settings = load_config_file(paths.config_file, default_tz=system_zone())
    else:
        settings = Settings(timezone=system_zone())
    changes: dict[str, object] = {}
    if getattr(args, "tz", None) is not None:
        if not args.tz.strip():  # `--tz "$ZONE"` with ZONE unset: say so rather than use the system's zone
            raise ConfigError("Unknown time zone", "--tz is empty; give an IANA zone, e.g. --tz Europe/Berlin.")
        try:
            changes["timezone"] = ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                "Unknown time zone",
                f"--tz {args.tz!r} is not an IANA zone; use e.g. Europe/Berlin or America/New_York.",
            ) from None
    if getattr(args, "hours", None):
        try:
            changes["hours"] = hours = parse_hours(args.hours)
            changes["hours_pinned"] = True
        except ConfigError as e:
            raise ConfigError(
                "Bad --hours", f'{e.message} Format: "mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00".'
            ) from None
        hints = dict.fromkeys(h for day in hours.days for b in day if (h := overnight_hint(b)))
        for hint in hints:
            log.warning("--hours: %s", hint)
        changes["warnings"] = (*settings.warnings, *(f"--hours: {h}" for h in hints))
    if getattr(args, "calendar", None):
        changes["calendars"] = tuple(
            CalendarSourceConfig(name=_display_name(loc), location=loc) for loc in args.calendar
        )
    return dataclasses.replace(settings, **changes) if changes else settings  # type: ignore[arg-type]


def _display_name(location: str) -> str:
    """A name for a source that reveals no secret: the file name, or the URL's host."""
    if "://" in location:
        return location.split("://", 1)[1].split("/", 1)[0]
    return Path(location).name
