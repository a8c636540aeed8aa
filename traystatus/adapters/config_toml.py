"""Reading the user's config.toml into typed settings, with file, key and line in every error."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

from traystatus.core.errors import ConfigError
from traystatus.core.settings import Settings, settings_from_mapping


def _line_of(text: str, message: str) -> int | None:
    """Best-effort line of the key an error names (tomllib keeps no positions)."""
    m = re.search(r": ([A-Za-z0-9_.\[\]]+): ", message)
    if not m:
        return None
    last = re.sub(r"\[\d+\]", "", m.group(1)).split(".")[-1]
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*{re.escape(last)}\s*=", line) or line.strip() in (f"[{m.group(1)}]", f"[[{last}]]"):
            return i
    return None


def load_config_file(path: Path, *, default_tz: ZoneInfo) -> Settings:
    """Parse ``path``; raises :class:`ConfigError` naming the file, key, line and fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("Configuration file not found", f"{path} does not exist. Create it, "
                          "or run without --config to use the defaults.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError("Configuration file unreadable", f"{path}: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError("Configuration file is not valid TOML", f"{path}: {e}. Fix the syntax there.") from None
    try:
        return settings_from_mapping(data, source=str(path), default_tz=default_tz)
    except ConfigError as e:
        line = _line_of(text, e.message)
        if line is not None:
            e.message = e.message.replace(f"{path}: ", f"{path}:{line}: ", 1)
            e.args = (f"{e.title}: {e.message}",)
        raise
