"""[team] settings: people, hours, handles, teams, travel, imports; --member; configured people win."""

from __future__ import annotations

import tomllib
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.errors import ConfigError
from traystatus.core.hours import parse_hours
from traystatus.core.settings import settings_from_mapping
from traystatus.core.team import SOURCE_SLACK, Person, merge_roster, parse_member

CONFIG = """
timezone = "Europe/Berlin"

[team]
me_name = "Kim"
import_slack = true
slack_workspace = "acme"
matrix_room = "#team:example.org"
refresh_hours = 12

[[team.people]]
name = "Aiko Tanaka"
timezone = "Asia/Tokyo"
hours = "mon-fri 10:00-12:30,13:30-19:00"
handle = "slack:U0AIKO"
team = "Apps"

[[team.people]]
name = "Nia"
timezone = "America/New_York"
handles = ["@nia:example.org", "slack:U0NIA"]
teams = ["Backend", "Ops"]

[[team.people.travel]]
first = 2026-07-01
last = 2026-07-14
timezone = "Asia/Kolkata"
"""


def load(text: str):  # type: ignore[no-untyped-def]
    return settings_from_mapping(tomllib.loads(text), source="config.toml", default_tz=ZoneInfo("UTC")).team


def test_full_team_section() -> None:
    team = load(CONFIG)
    assert team.me_name == "Kim" and team.import_slack and team.slack_workspace == "acme"
    assert team.matrix_room == "#team:example.org" and team.refresh_hours == 12
    aiko, nia = team.people
    assert aiko.tz == ZoneInfo("Asia/Tokyo") and aiko.hours == parse_hours("mon-fri 10:00-12:30,13:30-19:00")
    assert aiko.handles == ("slack:U0AIKO",) and aiko.teams == ("Apps",) and aiko.initials == "AT"
    assert nia.hours == parse_hours("mon-fri 09:00-17:00")  # the default
    assert nia.teams == ("Backend", "Ops") and nia.handles == ("@nia:example.org", "slack:U0NIA")
    assert nia.zone_on(date(2026, 7, 2)) == ZoneInfo("Asia/Kolkata")
    assert nia.zone_on(date(2026, 7, 15)) == ZoneInfo("America/New_York")


def test_defaults_without_a_team_section() -> None:
    team = load("")
    assert team.people == () and not team.import_slack and team.matrix_room == "" and team.me_name == "You"


@pytest.mark.parametrize(
    ("snippet", "fragment"),
    [
        ('[[team.people]]\ntimezone = "UTC"', "team.people[1].name"),
        ('[[team.people]]\nname = "A"', "team.people[1].timezone"),
        ('[[team.people]]\nname = "A"\ntimezone = "Mars/Olympus"', "is not an IANA time zone"),
        ('[[team.people]]\nname = "A"\ntimezone = "UTC"\nhours = "mon-fri 9-5"', "team.people[1].hours"),
        ('[[team.people]]\nname = "A"\ntimezone = "UTC"\nzone = "UTC"', "unknown key"),
        ('[[team.people]]\nname = "A"\ntimezone = "UTC"\nhandle = "x"\nhandles = ["y"]', "not both"),
        (
            '[[team.people]]\nname = "A"\ntimezone = "UTC"\n[[team.people]]\nname = "a"\ntimezone = "UTC"',
            "listed twice",
        ),
        (
            '[[team.people]]\nname = "A"\ntimezone = "UTC"\n[[team.people.travel]]\nfirst = 2026-07-02\n'
            'last = 2026-07-01\ntimezone = "UTC"',
            "is before",
        ),
        ("[team]\nrefresh_hours = 0", "at least 1"),
    ],
)
def test_errors_name_the_key_and_the_fix(snippet: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as e:
        load(snippet)
    assert fragment in e.value.message
    assert "config.toml" in e.value.message


def test_parse_member() -> None:
    p = parse_member("Aiko=Asia/Tokyo")
    assert p.name == "Aiko" and p.tz == ZoneInfo("Asia/Tokyo") and p.hours == parse_hours("mon-fri 09:00-17:00")
    q = parse_member("Raj = Asia/Kolkata ; mon-fri 10:00-14:00; sat 10:00-12:00")
    assert q.name == "Raj" and q.hours == parse_hours("mon-fri 10:00-14:00; sat 10:00-12:00")


@pytest.mark.parametrize("spec", ["Aiko", "=Asia/Tokyo", "Aiko=", "Aiko=Nowhere/Land", "Aiko=UTC;mon 9-5"])
def test_parse_member_errors(spec: str) -> None:
    with pytest.raises(ConfigError):
        parse_member(spec)


def test_configured_people_win_over_imports() -> None:
    configured = [
        Person(name="Aiko Tanaka", tz=ZoneInfo("Asia/Tokyo"), handles=("slack:U1",), teams=("Apps",)),
        Person(name="Nia", tz=ZoneInfo("America/New_York")),
    ]
    slack = [
        Person(
            name="Aiko T.",
            tz=ZoneInfo("Europe/London"),
            handles=("slack:U1",),
            avatar_url="https://a/1.png",
            teams=("Imported",),
            source=SOURCE_SLACK,
        ),
        Person(
            name="nia",
            tz=ZoneInfo("Europe/Paris"),
            handles=("slack:U2",),
            avatar_url="https://a/2.png",
            source=SOURCE_SLACK,
        ),
        Person(name="Bo", tz=ZoneInfo("Europe/Oslo"), handles=("slack:U3",), source=SOURCE_SLACK),
    ]
    matrix = [Person(name="Bo", tz=ZoneInfo("Asia/Dubai"), handles=("@bo:example.org",))]
    aiko, nia, bo = merge_roster(configured, slack, matrix)
    assert aiko.name == "Aiko Tanaka" and aiko.tz == ZoneInfo("Asia/Tokyo") and aiko.teams == ("Apps",)
    assert aiko.avatar_url == "https://a/1.png"  # lent by the import
    assert nia.tz == ZoneInfo("America/New_York") and nia.handles == ("slack:U2",)  # matched by name
    assert bo.tz == ZoneInfo("Europe/Oslo") and bo.handles == ("slack:U3", "@bo:example.org")  # earlier import wins


@pytest.mark.parametrize(
    ("name", "initials"),
    [("Aiko Tanaka", "AT"), ("cher", "CH"), ("Jean-Luc Picard", "JP"), ("", "?"), ("Ana María de la Cruz", "AC")],
)
def test_initials(name: str, initials: str) -> None:
    assert Person(name=name, tz=ZoneInfo("UTC")).initials == initials
