"""Where traystatus keeps its files: resolved once here (platformdirs) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "traystatus"


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
        return cls(
            config_file=Path(config).expanduser() if config else
            Path(platformdirs.user_config_dir(APP)) / "config.toml",
            state_dir=Path(platformdirs.user_state_dir(APP)),
            data_dir=Path(platformdirs.user_data_dir(APP)),
            cache_dir=Path(platformdirs.user_cache_dir(APP)),
            log_dir=Path(platformdirs.user_log_dir(APP)),
        )

    def ensure(self) -> None:
        for d in (self.state_dir, self.data_dir, self.cache_dir, self.log_dir):
            d.mkdir(parents=True, exist_ok=True)
