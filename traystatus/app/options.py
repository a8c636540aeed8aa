"""The options every command shares (--calendar, --tz, --hours) and loading settings from them."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traystatus.adapters.config_toml import load_config_file
from traystatus.adapters.system_zone import system_zone
from traystatus.app.paths import AppPaths
from traystatus.core.calendar_secret import address_name, holds_secret_address, is_reference, reference_name
from traystatus.core.errors import ConfigError
from traystatus.core.hours import overnight_hint, parse_hours
from traystatus.core.settings import CalendarSourceConfig, Settings

log = logging.getLogger(__name__)

#: calendars for a run without --calendar (headless): files, URLs or keyring:NAME, separated by white space
ENV_CALENDARS = "TRAYSTATUS_CALENDARS"
MAX_STDIN_CHARS = 1_000_000  # addresses, not calendars: a runaway pipe is cut here


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
        metavar="FILE|URL|keyring:NAME|-",
        help="an .ics file, an http(s)/webcal URL, a secret address kept in the keyring (keyring:NAME, see "
        "`traystatus calendar add`), or - to read addresses from stdin, one a line, so that no secret shows on "
        f"the command line (repeatable; replaces the configured calendars; default: {ENV_CALENDARS} if set)",
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
    locations = getattr(args, "calendar_locations", None)  # stdin is read once, however often settings load
    if locations is None:
        locations = calendar_locations(getattr(args, "calendar", None) or [])
        args.calendar_locations = locations
    if locations:
        changes["calendars"] = tuple(CalendarSourceConfig(name=_display_name(loc), location=loc) for loc in locations)
    return dataclasses.replace(settings, **changes) if changes else settings  # type: ignore[arg-type]


def calendar_locations(given: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """``--calendar`` values with ``-`` read from stdin (one address a line); none given: ``TRAYSTATUS_CALENDARS``
    (whitespace-separated, for headless machines). A secret address typed on the command line is other local
    users' to read (the process list): said, with the way around it."""
    env = os.environ if environ is None else environ
    out: list[str] = []
    for value in given:
        if value.strip() == "-":
            out += _stdin_addresses()
            continue
        if holds_secret_address(value):
            log.warning(
                "A secret calendar address on the command line is visible to other users of this machine; "
                "pass --calendar - and give it on stdin, or keep it in the keyring (`traystatus calendar add`)"
            )
        out.append(value)
    if not given and env.get(ENV_CALENDARS, "").strip():
        out = env[ENV_CALENDARS].split()
    if given and not out:
        raise ConfigError("No calendar on stdin", "--calendar - read no address; give one a line on stdin.")
    return out


def _stdin_addresses() -> list[str]:
    """One address a line from a pipe; at a terminal, one address typed without echo."""
    if sys.stdin is None:
        return []
    if sys.stdin.isatty():
        return [a for a in [getpass.getpass("Calendar address (not shown): ").strip()] if a]
    lines = [line.strip() for line in sys.stdin.read(MAX_STDIN_CHARS).splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _display_name(location: str) -> str:
    """A name for a source that reveals no secret: the file name, the URL's host, or the keyring name."""
    if is_reference(location):
        return reference_name(location)
    if "://" in location:
        return address_name(location)
    return Path(location).name
