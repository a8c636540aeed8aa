"""config.toml → Settings: every section of the example file, and errors naming file, line, key and fix."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.config_toml import load_config_file
from traystatus.app.cli import run
from traystatus.core.errors import ConfigError
from traystatus.core.hours import format_hours
from traystatus.core.settings import Settings, settings_from_mapping

ROOT = Path(__file__).resolve().parents[2]
UTC_ZONE = ZoneInfo("UTC")


def load(tmp_path: Path, text: str) -> Settings:
    f = tmp_path / "config.toml"
    f.write_text(text, encoding="utf-8")
    return load_config_file(f, default_tz=UTC_ZONE)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as e:
        load(tmp_path, text)
    return e.value.message


def test_the_example_config_is_valid_and_read_fully() -> None:
    s = load_config_file(ROOT / "resources" / "config.example.toml", default_tz=UTC_ZONE)
    assert s.timezone == ZoneInfo("Europe/Berlin")
    assert format_hours(s.hours) == "mon-fri 09:00-12:30,13:30-17:30; sat 10:00-12:00"
    assert s.exceptions[0].first == s.exceptions[0].last == date(2026, 12, 24)
    assert s.exceptions[0].hours == () and s.exceptions[0].label == "Christmas Eve"
    assert s.exceptions[1].hours[0].start == time(10) and s.exceptions[1].last == date(2026, 12, 31)
    assert s.travel[0].tz == ZoneInfo("America/New_York")
    assert [c.name for c in s.calendars] == ["Work", "Team vacations"]
    assert s.rules.user_emails == ("me@example.org",)
    assert s.rules.calendar_kind("Team vacations") == "ignored"
    assert s.rules.tentative_is_busy is True


def test_defaults_without_a_file() -> None:
    s = settings_from_mapping({}, source="(none)", default_tz=ZoneInfo("Asia/Kolkata"))
    assert s.timezone == ZoneInfo("Asia/Kolkata")
    assert format_hours(s.hours) == "mon-fri 09:00-17:00"
    assert "vacation" in s.rules.ooo_words and s.rules.focus_words == ("focus",)


def test_working_hours_as_a_per_day_table(tmp_path: Path) -> None:
    s = load(tmp_path, '[working_hours]\nmon = "09:00-12:00,13:00-17:00"\nfri = "22:00-02:00"\nsun = "off"\n')
    assert format_hours(s.hours) == "mon 09:00-12:00,13:00-17:00; fri 22:00-02:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('schema_version = 1\ntimezon = "Europe/Berlin"\n', ":2: timezon: unknown key. Did you mean 'timezone'?"),
        (
            'timezone = "Europe/Berlinn"\n',
            ":1: timezone: 'Europe/Berlinn' is not an IANA time zone; use e.g. "
            '"Europe/Berlin". Did you mean "Europe/Berlin"?',
        ),
        ('schema_version = "1"\n', ":1: schema_version: expected a whole number, got str '1'."),
        ("schema_version = 9\n", "this file is for a newer traystatus (schema 9)"),
        (
            'working_hours = "mon-fri 9-5"\n',
            ":1: working_hours: '9-5' in 'mon-fri 9-5' is not a block like 09:00-17:30.",
        ),
        ("working_hours = 8\n", 'working_hours: expected "mon-fri 09:00-17:00" or a [working_hours] table.'),
        ('[working_hours]\nmonday = "09:00-17:00"\n', ":2: working_hours.monday: unknown key. Did you mean 'mon'?"),
        ("[general]\nshare_title = true\n", ":2: general.share_title: unknown key. Did you mean 'share_titles'?"),
        ('[general]\nshare_titles = "yes"\n', ":2: general.share_titles: expected true or false"),
        (
            "[[exceptions]]\ndate = 2026-12-24\n[[exceptions]]\nfirst = 2026-12-28\nlast = 2026-12-20\n",
            ":5: exceptions[2].last: 2026-12-20 is before 2026-12-28.",
        ),
        ('[[exceptions]]\ndate = "24.12.2026"\n', ":2: exceptions[1].date: expected a date like 2026-12-24"),
        ('[[exceptions]]\ndate = 2026-12-24\nhours = "all day"\n', ":3: exceptions[1].hours: 'all day'"),
        ("[[travel]]\nfirst = 2027-01-11\nlast = 2027-01-12\n", "travel[1].timezone: each [[travel]] needs timezone"),
        ('[[calendars]]\nname = "Work"\n', ':1: calendars[1].url: each [[calendars]] needs url = "https://…"'),
        ('[[calendars]]\npath = "a.ics"\nkind = "ical"\n', ":3: calendars[1].kind: must be one of ics, caldav"),
        ('[classification]\nooo_word = ["x"]\n', ":2: classification.ooo_word: unknown key. Did you mean 'ooo_words'?"),
        (
            '[classification]\n[[classification.calendars]]\nname = "A"\nkind = "busy"\n',
            ":4: classification.calendars[1].kind: must be one of auto, ooo, focus, meeting, free, ignored",
        ),
    ],
)
def test_errors_name_file_line_key_and_fix(tmp_path: Path, text: str, expected: str) -> None:
    message = error(tmp_path, text)
    assert message.startswith(str(tmp_path / "config.toml"))
    assert expected in message


def test_toml_syntax_errors_name_the_file_and_line(tmp_path: Path) -> None:
    message = error(tmp_path, 'timezone = "Europe/Berlin"\nworking_hours = mon-fri\n')
    assert str(tmp_path / "config.toml") in message and "line 2" in message


def test_the_cli_reports_config_errors_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[general]\nshare_title = true\n", encoding="utf-8")
    for argv in (["--config", str(bad), "plan"], ["plan", "--config", str(bad)]):
        assert run(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"traystatus: Configuration error: {bad}:2: general.share_title: unknown key.")
        assert "Traceback" not in err
    assert run(["plan", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(bad))
    assert run(["plan"]) == 2
    assert "share_title" in capsys.readouterr().err
    assert run(["plan", "--tz", "Mars/Olympus"]) == 2  # the env config is read first and still wins the error
    monkeypatch.delenv("TRAYSTATUS_CONFIG")
    assert run(["plan", "--tz", "Mars/Olympus"]) == 2
    assert "--tz 'Mars/Olympus' is not an IANA zone" in capsys.readouterr().err
    assert run(["plan", "--hours", "weekdays 9-5"]) == 2
    assert "Bad --hours" in capsys.readouterr().err


def test_relative_calendar_paths_are_read_from_the_config_files_directory(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        '[[calendars]]\npath = "cals/work.ics"\n[[calendars]]\npath = "~/home.ics"\n'
        '[[calendars]]\nurl = "webcal://example.org/x.ics"\n',
    )
    assert [c.location for c in s.calendars] == [
        str(tmp_path / "cals" / "work.ics"),
        "~/home.ics",
        "webcal://example.org/x.ics",
    ]
