"""Shared packaging fixtures: the pipx install of this checkout (the "wheel install" to compare with)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pipx_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`pipx install .` into a throw-away PIPX_HOME (wheels come from pip's normal cache)."""
    home = tmp_path_factory.mktemp("pipx")
    env = dict(
        os.environ,
        PIPX_HOME=str(home / "home"),
        PIPX_BIN_DIR=str(home / "bin"),
        PIPX_MAN_DIR=str(home / "man"),
        PIP_CACHE_DIR=os.path.expanduser("~/.cache/pip"),
    )
    env.pop("XDG_CACHE_HOME", None)
    subprocess.run(
        [sys.executable, "-m", "pipx", "install", "--python", sys.executable, str(ROOT)],
        check=True,
        capture_output=True,
        env=env,
    )
    yield home / "home" / "venvs" / "traystatus"
