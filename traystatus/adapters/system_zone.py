"""The system's own time zone as an IANA ``ZoneInfo``, however the system spells it: ``TZ`` (":Europe/Berlin",
a path), the /etc/localtime link (also into posix/ or right/ copies of the database), then /etc/timezone."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Files in the zone directory that are no zone a person lives in.
NOT_ZONES = frozenset({"localtime", "posixrules", "factory", "leap-seconds.list", "leapseconds"})


def zone_name_from_path(path: str) -> str | None:
    """ "/usr/share/zoneinfo/posix/Europe/Berlin" → "Europe/Berlin" (the part after the last zoneinfo/, without
    the posix/ or right/ copy it may point into); None for a path outside a zone directory."""
    if "zoneinfo/" not in path:
        return None
    name = path.rsplit("zoneinfo/", 1)[1]
    for copy in ("posix/", "right/"):
        name = name.removeprefix(copy)
    return name or None


def _localtime_names(localtime: Path) -> list[str]:
    """The link's own target first (what timedatectl and the installers write), then where it ends up."""
    names = []
    with contextlib.suppress(OSError):
        names.append(zone_name_from_path(str(localtime.readlink())))
    with contextlib.suppress(OSError, RuntimeError):
        names.append(zone_name_from_path(str(localtime.resolve())))
    return [n for n in names if n]


def system_zone(
    *,
    environ: Mapping[str, str] = os.environ,
    localtime: Path = Path("/etc/localtime"),
    timezone_file: Path = Path("/etc/timezone"),
) -> ZoneInfo:
    candidates: list[str] = []
    tz = environ.get("TZ", "").lstrip(":")
    if tz.startswith("/"):  # TZ=:/etc/localtime or a path into the zone directory
        candidates += _localtime_names(Path(tz)) if "zoneinfo/" not in tz else [zone_name_from_path(tz) or ""]
    else:
        candidates.append(tz)
    # /etc/localtime is what the system uses; /etc/timezone (Debian) can be left stale by timedatectl
    candidates += _localtime_names(localtime)
    with contextlib.suppress(OSError, UnicodeDecodeError):
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    for name in candidates:
        if name and name.lower() not in NOT_ZONES:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return ZoneInfo("UTC")
