"""The systemd user unit for `traystatus run --headless`: systemd itself verifies it, and a strict parse checks
what it runs, how it restarts, that its environment comes from a file and that it holds no secret."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "packaging" / "linux" / "traystatus-headless.service"
TRAYSTATUS = Path(sys.executable).with_name("traystatus")


def parse_unit(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(
        strict=True, interpolation=None, delimiters=("=",), comment_prefixes=("#", ";"), empty_lines_in_values=False
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(text)
    return parser


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A home where pipx would have put the command (the unit's ExecStart path)."""
    bin_dir = tmp_path / "home" / ".local" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "traystatus").symlink_to(TRAYSTATUS)
    return tmp_path / "home"


def verify(unit: Path, home: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime)}
    return subprocess.run(
        ["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True, env=env, timeout=60
    )


def test_systemd_verifies_the_unit_without_a_warning(home: Path, tmp_path: Path) -> None:
    result = verify(UNIT, home, tmp_path)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_systemd_verify_catches_what_it_should(home: Path, tmp_path: Path) -> None:
    """The check above can fail: a misspelt setting or a missing command is reported."""
    broken = tmp_path / "traystatus-headless.service"
    broken.write_text(UNIT.read_text().replace("Restart=on-failure", "Restart=sometimes"))
    assert "restart" in verify(broken, home, tmp_path).stderr.lower()
    (home / ".local" / "bin" / "traystatus").unlink()
    missing = verify(UNIT, home, tmp_path)
    assert missing.returncode != 0 and "not executable" in missing.stderr


def test_unit_runs_headless_restarts_on_failure_and_stops_on_sigterm() -> None:
    unit = parse_unit(UNIT.read_text())
    assert unit.sections() == ["Unit", "Service", "Install"]
    service = unit["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv == ["%h/.local/bin/traystatus", "run", "--headless"]
    assert service["Type"] == "simple"
    assert service["Restart"] == "on-failure" and int(service["RestartSec"]) >= 10
    assert service.get("KillSignal", "SIGTERM") == "SIGTERM"
    assert unit["Install"]["WantedBy"] == "default.target"  # a user unit: started with the user's session


def test_the_command_line_is_one_the_cli_accepts() -> None:
    argv = shlex.split(parse_unit(UNIT.read_text())["Service"]["ExecStart"])
    result = subprocess.run([str(TRAYSTATUS), *argv[1:], "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--headless" in result.stdout, result.stderr


def test_environment_comes_from_a_file_and_no_secret_is_in_the_unit() -> None:
    text = UNIT.read_text()
    service = parse_unit(text)["Service"]
    assert service["EnvironmentFile"].startswith("-%h/.config/traystatus/")  # optional: keyring users have none
    assert "Environment" not in service and "PassEnvironment" not in service
    settings = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert not [line for line in settings if "TRAYSTATUS_" in line]
    # the documented example shows placeholders only, never something shaped like a real token
    assert not re.search(r"xox[abpr]-[0-9A-Za-z]{6,}|syt_[0-9A-Za-z]{6,}|MDAx[0-9A-Za-z]{10,}", text)
    for name in (
        "TRAYSTATUS_SLACK_TOKEN",
        "TRAYSTATUS_MATRIX_HOMESERVER",
        "TRAYSTATUS_MATRIX_USER",
        "TRAYSTATUS_MATRIX_TOKEN",
    ):
        assert f"#   {name}=" in text  # every variable the headless mode reads is documented next to the file
