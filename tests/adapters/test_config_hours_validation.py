"""Working hours and zones in config.toml: overlapping blocks and an empty zone are errors naming the file, line,
key and fix; a block written backwards ("17:00-09:00") is a warning and is honoured as an overnight block."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.config_toml import load_config_file
from traystatus.core.engine import build_timeline
from traystatus.core.errors import ConfigError

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as e:
        load_config_file(path, default_tz=UTC_ZONE)
    return e.value.message


@pytest.mark.parametrize(
    ("body", "line", "key", "says"),
    [
        (
            'working_hours = "mon-fri 09:00-13:00,12:00-17:00"\n',
            2,
            "working_hours",
            "write them as one block 09:00-17:00",
        ),
        ('working_hours = "mon 22:00-06:00; tue 05:00-09:00"\n', 2, "working_hours", "mon's runs overnight into tue"),
        ('working_hours = "sun 22:00-06:00; mon 05:00-09:00"\n', 2, "working_hours", "sun's runs overnight into mon"),
        ('working_hours = "mon 09:00-17:00,09:00-17:00"\n', 2, "working_hours", "'09:00-17:00' is listed twice"),
        ('[working_hours]\nmon = "08:00-12:00,11:00-15:00"\n', 3, "working_hours.mon", "overlap"),
        ('[working_hours]\nmon = "20:00-04:00"\ntue = "03:00-09:00"\n', 4, "working_hours.tue", "into tue"),
        (
            '[[exceptions]]\nfirst = 2026-12-24\nlast = 2026-12-26\nhours = "22:00-06:00,05:00-07:00"\n',
            5,
            "exceptions[1].hours",
            "runs overnight into the next day",
        ),
        (
            '[[team.people]]\nname = "Ana"\ntimezone = "Asia/Tokyo"\nhours = "mon 09:00-12:00,11:30-18:00"\n',
            5,
            "team.people[1].hours",
            "overlap",
        ),
    ],
)
def test_overlapping_blocks_are_rejected_with_file_line_key_and_fix(
    tmp_path: Path, body: str, line: int, key: str, says: str
) -> None:
    path = write(tmp_path, 'timezone = "Europe/Berlin"\n' + body)
    message = error_of(path)
    assert message.startswith(f"{path}:{line}: {key}: "), message
    assert says in message
    assert "make one end before the other starts" in message or "keep one" in message


def test_touching_blocks_and_nightly_shifts_are_no_overlap(tmp_path: Path) -> None:
    path = write(tmp_path, 'working_hours = "mon 22:00-24:00; tue 00:00-06:00; wed-sun 22:00-06:00"\n')
    settings = load_config_file(path, default_tz=UTC_ZONE)
    assert str(settings.hours) == "mon 22:00-24:00; tue 00:00-06:00; wed-sun 22:00-06:00"
    assert settings.warnings == ()  # a night shift is what 22:00-06:00 means: no nagging on every run


@pytest.mark.parametrize(
    ("body", "line", "key", "says"),
    [
        ('timezone = ""\n', 1, "timezone", "remove the line to use the system's zone"),
        ('timezone = "   "\n', 1, "timezone", "is empty"),
        ('timezone = "Europe/Berln"\n', 1, "timezone", 'Did you mean "Europe/Berlin"?'),
        ('[[team.people]]\nname = "Ana"\ntimezone = ""\n', 3, "team.people[1].timezone", "it is required"),
        ('[[travel]]\nfirst = 2026-12-01\nlast = 2026-12-03\ntimezone = ""\n', 4, "travel[1].timezone", "is empty"),
    ],
)
def test_an_empty_or_unknown_zone_is_an_error_with_the_fix(
    tmp_path: Path, body: str, line: int, key: str, says: str
) -> None:
    path = write(tmp_path, body)
    message = error_of(path)
    assert message.startswith(f"{path}:{line}: {key}: "), message
    assert says in message
    assert "Europe/Berlin" in message


def test_a_backwards_block_warns_names_the_line_and_is_kept_overnight(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, 'timezone = "Europe/Berlin"\n\n[working_hours]\nmon = "17:00-09:00"\nfri = "17:00-09:00"\n')
    with caplog.at_level(logging.WARNING):
        settings = load_config_file(path, default_tz=UTC_ZONE)
    assert settings.warnings == (
        f"{path}:4: working_hours.mon: '17:00-09:00' runs overnight (16 h, until 09:00 the next day): "
        "did you mean 09:00-17:00? It is kept as an overnight block; write 09:00-17:00 if you meant the day.",
        f"{path}:5: working_hours.fri: '17:00-09:00' runs overnight (16 h, until 09:00 the next day): "
        "did you mean 09:00-17:00? It is kept as an overnight block; write 09:00-17:00 if you meant the day.",
    )
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == list(settings.warnings)
    # honoured as written: Monday 17:00 to Tuesday 09:00 is working time, Tuesday midday is not
    tl = build_timeline(
        settings, [], [], datetime(2026, 11, 23, 12, tzinfo=BERLIN), datetime(2026, 11, 24, 12, tzinfo=BERLIN)
    )
    available = [
        (a.start.astimezone(BERLIN), a.end.astimezone(BERLIN)) for a in tl.intervals if a.state.value == "available"
    ]
    assert available == [(datetime(2026, 11, 23, 17, tzinfo=BERLIN), datetime(2026, 11, 24, 9, tzinfo=BERLIN))]


def test_one_warning_per_key_for_a_day_range(tmp_path: Path) -> None:
    path = write(tmp_path, 'working_hours = "mon-fri 17:00-09:00"\n')
    settings = load_config_file(path, default_tz=UTC_ZONE)
    assert len(settings.warnings) == 1
    assert settings.warnings[0].startswith(f"{path}:1: working_hours: '17:00-09:00' runs overnight")


def _cli(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run(
        [sys.executable, "-m", "traystatus", *argv], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_cli_shows_the_warning_and_still_plans(tmp_path: Path) -> None:
    """As a user runs it (a real process, its real stderr): the warning once, then the plan."""
    path = write(tmp_path, 'timezone = "Europe/Berlin"\nworking_hours = "mon-fri 17:00-09:00"\n')
    done = _cli("--config", str(path), "plan", "--days", "1")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("did you mean 09:00-17:00?") == 1
    assert f"{path}:2: working_hours:" in done.stderr
    assert done.stdout.strip()
    doctor = _cli("--config", str(path), "doctor")
    assert "did you mean 09:00-17:00?" in doctor.stdout
    bad = write(tmp_path, 'timezone = ""\n')
    done = _cli("--config", str(bad), "plan", "--days", "1")
    assert done.returncode == 2
    assert f"traystatus: Configuration error: {bad}:1: timezone: is empty" in done.stderr
    assert "Traceback" not in done.stderr


def test_hours_option_warns_too(tmp_path: Path) -> None:
    done = _cli("plan", "--tz", "Europe/Berlin", "--hours", "mon-sun 18:00-08:00", "--days", "1")
    assert done.returncode == 0, done.stderr
    assert "--hours: '18:00-08:00' runs overnight (14 h" in done.stderr
    done = _cli("plan", "--tz", "Europe/Berlin", "--hours", "mon 09:00-12:00,11:00-13:00", "--days", "1")
    assert done.returncode == 2
    assert "Bad --hours: '09:00-12:00' and '11:00-13:00' overlap" in done.stderr


def test_an_empty_tz_option_is_an_error() -> None:
    done = _cli("plan", "--tz", "", "--days", "1")
    assert done.returncode == 2
    assert "traystatus: Unknown time zone: --tz is empty; give an IANA zone, e.g. --tz Europe/Berlin." in done.stderr
