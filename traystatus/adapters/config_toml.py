"""Reading the user's config.toml into typed settings, with file, key and line in every error."""

from __future__ import annotations

import dataclasses
import logging
import re
import stat
import sys
import tomllib
import zoneinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from traystatus.core.calendar_secret import holds_secret_address, is_reference
from traystatus.core.errors import ConfigError
from traystatus.core.settings import Settings, settings_from_mapping

log = logging.getLogger(__name__)

__all__ = ["holds_secret_address", "load_config_file"]

_HEADER_RE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _key_lines(text: str) -> dict[str, int]:
    """Map every key path ("general.share_titles", "exceptions[2].last") and table to its first line."""
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    table = ""
    for i, line in enumerate(text.splitlines(), 1):
        header = _HEADER_RE.match(line)
        if header:
            name = header.group(2).replace(" ", "")
            parent, _, leaf = name.rpartition(".")
            prefix = ""
            for part in parent.split(".") if parent else []:  # parents may be arrays: use their latest item
                prefix = f"{prefix}.{part}" if prefix else part
                if prefix in counts:
                    prefix = f"{prefix}[{counts[prefix]}]"
            base = f"{prefix}.{leaf}" if prefix else leaf
            if header.group(1) == "[[":
                counts[base] = counts.get(base, 0) + 1
                lines.setdefault(base, i)
                base = f"{base}[{counts[base]}]"
            table = base
            lines.setdefault(table, i)
            continue
        key = _KEY_RE.match(line)
        if key:
            lines.setdefault(f"{table}.{key.group(1)}" if table else key.group(1), i)
    return lines


def _line_of(text: str, message: str) -> int | None:
    """The line of the key an error names (tomllib keeps no positions), or of its table."""
    m = re.search(r": ([A-Za-z0-9_.\-\[\]]+): ", message)
    if not m:
        return None
    lines = _key_lines(text)
    path = m.group(1)
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return None


def _suggest_zone(e: ConfigError) -> None:
    """Add the closest IANA zone name to an unknown-zone error (reading the zone list is I/O: done here)."""
    m = re.search(r"'([^']+)' is not an IANA time zone", e.message)
    if not m:
        return
    import difflib  # only for a typo: not loaded by every start

    close = difflib.get_close_matches(m.group(1), sorted(zoneinfo.available_timezones()), n=1)
    if close:
        e.message += f' Did you mean "{close[0]}"?'
        e.args = (f"{e.title}: {e.message}",)


def load_config_file(path: Path, *, default_tz: ZoneInfo) -> Settings:
    """Parse ``path``; raises :class:`ConfigError` naming the file, key, line and fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "Configuration file not found",
            f"{path} does not exist. Create it, or run without --config to use the defaults.",
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError("Configuration file unreadable", f"{path}: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError("Configuration file is not valid TOML", f"{path}: {e}. Fix the syntax there.") from None
    try:
        settings = settings_from_mapping(data, source=str(path), default_tz=default_tz)
    except ConfigError as e:
        _suggest_zone(e)
        e.message = _with_line(text, path, e.message)
        e.args = (f"{e.title}: {e.message}",)
        raise
    warnings = tuple(_with_line(text, path, w) for w in settings.warnings)
    for warning in warnings:
        log.warning("%s", warning)
    _warn_if_exposed(path, settings)
    return _relative_to(dataclasses.replace(settings, warnings=warnings), path.parent)


def _with_line(text: str, path: Path, message: str) -> str:
    """``file: key: …`` becomes ``file:line: key: …`` when the key's line is known."""
    line = _line_of(text, message)
    return message if line is None else message.replace(f"{path}: ", f"{path}:{line}: ", 1)


def _warn_if_exposed(path: Path, settings: Settings) -> None:
    """A config that other local users can read must not hold a secret address: say so, with the fix."""
    if sys.platform == "win32":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & 0o077 and any(holds_secret_address(c.location) for c in settings.calendars):
        log.warning(
            "%s is readable by other users (mode %s) and holds a secret calendar address; "
            "make it private with `chmod 600 %s`",
            path,
            oct(stat.S_IMODE(mode)),
            path,
        )


def _relative_to(settings: Settings, base: Path) -> Settings:
    """A relative calendar ``path`` is read from the config file's directory, not the current one."""
    calendars = []
    for c in settings.calendars:
        if (
            c.kind == "ics"
            and "://" not in c.location
            and not is_reference(c.location)
            and not c.location.startswith("~")
            and not Path(c.location).is_absolute()
        ):
            c = dataclasses.replace(c, location=str(base / c.location))
        calendars.append(c)
    return dataclasses.replace(settings, calendars=tuple(calendars))
