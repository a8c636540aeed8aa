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
