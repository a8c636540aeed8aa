"""Where traystatus keeps its files: resolved once here (platformdirs) and passed down."""

from __future__ import annotations

import getpass
import os
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

APP = "traystatus"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "").strip()
    return (Path(value) if value else Path.home() / fallback) / APP


@dataclass(frozen=True, slots=True)
class AppPaths:
    config_file: Path  # the user's config.toml
    state_dir: Path  # the app's own state: what was applied, overrides, outbox, feed cache
    data_dir: Path  # the handoff archive
    cache_dir: Path  # calendar feed cache
    log_dir: Path

    @classmethod
    def resolve(cls, config_override: str | None = None) -> AppPaths:
        config = config_override or os.environ.get("TRAYSTATUS_CONFIG")
        if sys.platform.startswith("linux"):  # platformdirs' XDG rules, without importing it at start-up
            state = _xdg("XDG_STATE_HOME", ".local/state")
            return cls(
                config_file=Path(config).expanduser() if config else _xdg("XDG_CONFIG_HOME", ".config") / "config.toml",
                state_dir=state,
                data_dir=_xdg("XDG_DATA_HOME", ".local/share"),
                cache_dir=_xdg("XDG_CACHE_HOME", ".cache"),
                log_dir=state / "log",
            )
        import platformdirs

        return cls(
            config_file=Path(config).expanduser()
            if config
            else Path(platformdirs.user_config_dir(APP)) / "config.toml",
            state_dir=Path(platformdirs.user_state_dir(APP)),
            data_dir=Path(platformdirs.user_data_dir(APP)),
            cache_dir=Path(platformdirs.user_cache_dir(APP)),
            log_dir=Path(platformdirs.user_log_dir(APP)),
        )

    def ensure(self) -> None:
        for d in (self.state_dir, self.data_dir, self.cache_dir, self.log_dir):
            d.mkdir(parents=True, exist_ok=True)


def instance_name(paths: AppPaths) -> str:
    """The single-instance socket name: one per user and state dir (so isolated test homes do not meet)."""
    digest = f"{zlib.crc32(str(paths.state_dir).encode()):08x}"  # not hashlib: it loads libcrypto at start-up
    return f"traystatus-{getpass.getuser()}-{digest}"
