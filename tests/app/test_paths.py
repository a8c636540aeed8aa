"""AppPaths on Linux follows the XDG rules exactly as platformdirs does (it is not imported at start-up any more):
set, unset and empty variables, and the config override."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from traystatus.app.paths import APP, AppPaths

VARS = ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")


@pytest.mark.parametrize("mode", ["set", "unset", "empty"])
def test_same_dirs_as_platformdirs(mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("TRAYSTATUS_CONFIG", raising=False)
    for var in VARS:
        if mode == "set":
            monkeypatch.setenv(var, str(tmp_path / var.lower()))
        elif mode == "unset":
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, "  ")
    paths = AppPaths.resolve(None)
    assert paths.config_file == Path(platformdirs.user_config_dir(APP)) / "config.toml"
    assert paths.state_dir == Path(platformdirs.user_state_dir(APP))
    assert paths.data_dir == Path(platformdirs.user_data_dir(APP))
    assert paths.cache_dir == Path(platformdirs.user_cache_dir(APP))
    assert paths.log_dir == Path(platformdirs.user_log_dir(APP))


def test_config_override_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(tmp_path / "env.toml"))
    assert AppPaths.resolve(None).config_file == tmp_path / "env.toml"
    assert AppPaths.resolve("~/x.toml").config_file == Path.home() / "x.toml"


def test_ensure_makes_the_dirs_private_and_tightens_old_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import stat

    for var in VARS:
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    paths = AppPaths.resolve(None)
    paths.state_dir.mkdir(parents=True)
    paths.state_dir.chmod(0o755)  # what an older traystatus left
    paths.config_file.parent.mkdir(parents=True)
    paths.config_file.parent.chmod(0o755)
    old = os.umask(0o022)
    try:
        paths.ensure()
    finally:
        os.umask(old)
    for d in (paths.state_dir, paths.data_dir, paths.cache_dir, paths.log_dir, paths.config_file.parent):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
    own = tmp_path / "elsewhere" / "config.toml"  # a --config outside our dirs: its dir is the user's
    own.parent.mkdir()
    own.parent.chmod(0o755)
    AppPaths.resolve(str(own)).ensure()
    assert stat.S_IMODE(own.parent.stat().st_mode) == 0o755
