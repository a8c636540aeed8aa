"""Where traystatus keeps its files: resolved once here (platformdirs) and passed down."""

from __future__ import annotations

import getpass
import logging
import os
import stat
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from traystatus.adapters.private_files import private_dir

APP = "traystatus"
#: set while a ``--demo`` command runs (app.demo_mode): every directory is the demo's own, under this one
DEMO_HOME_ENV = "TRAYSTATUS_DEMO_HOME"
DEMO_CONFIG = "demo-config.toml"  # written by adapters.demo.prepare_demo at the demo root


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
        demo = os.environ.get(DEMO_HOME_ENV, "").strip()
        if demo:
            return cls.demo(Path(demo), config)
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

    @classmethod
    def demo(cls, root: Path, config: str | None = None) -> AppPaths:
        """The demo's own directories under ``root`` (``demo_root``): the tray and every ``--demo`` command
        share them, so a note written in the demo tray is in ``--demo notes list`` and nothing is the user's."""
        return cls(
            config_file=Path(config).expanduser() if config else root / DEMO_CONFIG,
            state_dir=root / "state",
            data_dir=root / "data",
            cache_dir=root / "cache",
            log_dir=root / "log",
        )

    def ensure(self) -> None:
        """Create the app's dirs 0700; tighten ours that an older version left open to other users.

        A dir that cannot be made (a read-only or full parent) is logged with the fix, not raised: what can
        run without it still does, and what writes there says so itself."""
        config_dir = self.config_file.parent
        for d in (self.state_dir, self.data_dir, self.cache_dir, self.log_dir):
            try:
                private_dir(d)
            except OSError as e:
                from traystatus.adapters.storage_problems import storage_error

                problem = storage_error(e, d, "a traystatus directory")
                logging.getLogger(__name__).warning("%s: %s", problem.title, problem.message)
                continue
            _tighten(d)
        if config_dir.name == APP:  # the default config dir is ours; a --config elsewhere is the user's
            _tighten(config_dir)


def demo_root(real: AppPaths) -> Path:
    """Where the demo keeps everything of its own: inside the real state dir, apart from the real files."""
    return real.state_dir / "demo"


def _tighten(d: Path) -> None:
    """Before files were created private, the dirs were 0755: other users could read meeting titles and
    notes in them. A dir of ours that others can enter becomes 0700 (once; logged)."""
    if sys.platform == "win32":
        return
    try:
        mode = stat.S_IMODE(d.stat().st_mode)
        if mode & 0o077:
            d.chmod(0o700)
            logging.getLogger(__name__).info("%s was readable by other users (%s): now 0700", d, oct(mode))
    except OSError:
        return  # not there or not ours to change: the files in it are still created 0600


def instance_name(paths: AppPaths) -> str:
    """The single-instance socket name: one per user and state dir (so isolated test homes do not meet)."""
    digest = f"{zlib.crc32(str(paths.state_dir).encode()):08x}"  # not hashlib: it loads libcrypto at start-up
    return f"traystatus-{getpass.getuser()}-{digest}"
