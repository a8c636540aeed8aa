"""`traystatus team` and `team overlap`: without a config (--member/--tz/--hours), with one, cached imports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.roster_cache import save_people
from traystatus.app.cli import run
from traystatus.core.team import SOURCE_SLACK, Person

MEMBERS = [
    "--member",
    "Nia=America/New_York",
    "--member",
    "Aiko=Asia/Tokyo;mon-fri 10:00-19:00",
    "--member",
    "Priya=Asia/Kolkata",
]


def team_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert run(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_team_json_without_a_config(capsys: pytest.CaptureFixture[str]) -> None:
    out = team_json(capsys, "team", "--tz", "Europe/London", *MEMBERS, "--at", "2026-03-10T15:00", "--json")
    assert isinstance(out, list)
    by = {r["name"]: r for r in out}
    assert out[0]["me"] is True and out[0]["name"] == "You" and out[0]["offset_minutes"] == 0
    assert by["Nia"]["offset_minutes"] == -240  # New York on summer time, London not yet
    assert by["Nia"]["local_time"] == "2026-03-10T11:00:00-04:00" and by["Nia"]["working"] is True
    assert by["Priya"]["offset_minutes"] == 330 and by["Priya"]["working"] is False
    assert by["Aiko"]["local_time"] == "2026-03-11T00:00:00+09:00" and by["Aiko"]["date_hint"] == "tomorrow"
    assert by["Aiko"]["zone"] == "Asia/Tokyo" and by["Aiko"]["badge"] == "night"


def test_team_at_a_time_of_day_with_an_offset(capsys: pytest.CaptureFixture[str]) -> None:
    out = team_json(
        capsys, "team", "--tz", "UTC", "--member", "K=Asia/Kathmandu", "--at", "2026-06-01T09:00+05:45", "--json"
    )
    assert isinstance(out, list)
    assert out[1]["local_time"] == "2026-06-01T09:00:00+05:45" and out[1]["offset_minutes"] == 345


def test_team_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["team", "--tz", "Europe/London", *MEMBERS, "--at", "2026-03-10T15:00"]) == 0
    text = capsys.readouterr().out
    assert "Nia" in text and "-4 h" in text and "+5 h 30 min" in text and "tomorrow" in text and "night" in text
    assert text.index("You") < text.index("Nia") < text.index("Priya") < text.index("Aiko")


def test_overlap_json_with_and_without_me(capsys: pytest.CaptureFixture[str]) -> None:
    out = team_json(
        capsys,
        "team",
        "overlap",
        "--tz",
        "Europe/London",
        *MEMBERS,
        "--with",
        "nia",
        "--at",
        "2026-03-10T08:00",
        "--days",
        "2",
        "--json",
    )
    assert isinstance(out, dict)
    assert out["people"] == ["You", "Nia"]
    assert [d["date"] for d in out["days"]] == ["2026-03-10", "2026-03-11"]
    span = out["days"][0]["spans"][0]
    assert (span["start"], span["end"], span["minutes"]) == (
        "2026-03-10T13:00:00+00:00",
        "2026-03-10T17:00:00+00:00",
        240,
    )
    assert out["best_slots"][0]["start"] == "2026-03-10T13:00:00+00:00"
    out = team_json(
        capsys,
        "team",
        "overlap",
        "--tz",
        "Europe/London",
        *MEMBERS,
        "--with",
        "Priya",
        "--with",
        "Aiko",
        "--without-me",
        "--at",
        "2026-03-10T00:00",
        "--json",
    )
    assert isinstance(out, dict)
    assert out["people"] == ["Priya", "Aiko"]
    # Aiko 10:00-19:00 JST = 01:00-10:00 UTC; Priya 09:00-17:00 IST = 03:30-11:30 UTC
    assert [(s["start"], s["end"]) for s in out["days"][0]["spans"]] == [
        ("2026-03-10T03:30:00+00:00", "2026-03-10T10:00:00+00:00")
    ]


def test_overlap_text_and_hours_for_me(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            [
                "team",
                "overlap",
                "--tz",
                "Europe/London",
                "--hours",
                "mon-fri 14:00-15:00",
                *MEMBERS,
                "--with",
                "Nia",
                "--at",
                "2026-03-10T08:00",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "Tue 10 Mar  14:00–15:00 (1 h)" in text
    assert "everyone" in text


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["team", "overlap", "--tz", "UTC", "--member", "A=UTC", "--with", "Bob"], "'Bob' is not in the team"),
        (["team", "overlap", "--tz", "UTC"], "Nobody to overlap with"),
        (["team", "--tz", "UTC", "--member", "A=Nowhere/Land"], "not an IANA zone"),
        (["team", "--tz", "UTC", "--member", "A"], 'expected "Name=Zone"'),
        (["team", "--tz", "UTC", "--at", "yesterday-ish"], "Bad --at"),
        (["team", "overlap", "--tz", "UTC", "--member", "A=UTC", "--days", "0"], "--days 0"),
    ],
)
def test_errors_without_traceback(argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_config_people_and_cached_imports(
    tmp_path: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'timezone = "Asia/Kolkata"\n[team]\nme_name = "Ravi"\n'
        '[[team.people]]\nname = "Bikash"\ntimezone = "Asia/Kathmandu"\nteam = "Ops"\n'
        'handle = "slack:U0BIKASH1"\n',
        encoding="utf-8",
    )
    cached = (
        Person(
            name="Bikash T.",
            tz=ZoneInfo("Europe/Paris"),
            handles=("slack:U0BIKASH1",),
            avatar_url="https://x/b.png",
            source=SOURCE_SLACK,
        ),
        Person(name="Hemi Tane", tz=ZoneInfo("Pacific/Chatham"), handles=("slack:U0HEMI001",), source=SOURCE_SLACK),
    )
    save_people(isolated_home / "state" / "traystatus" / "team_slack.json", cached, datetime(2026, 6, 1, tzinfo=UTC))
    out = team_json(capsys, "--config", str(config), "team", "--at", "2026-06-01T12:00", "--json")
    assert isinstance(out, list)
    assert [(r["name"], r["zone"], r["team"]) for r in out] == [
        ("Ravi", "Asia/Kolkata", ""),
        ("Bikash", "Asia/Kathmandu", "Ops"),
        ("Hemi Tane", "Pacific/Chatham", ""),
    ]
    assert out[2]["offset_minutes"] == 12 * 60 + 45 - 330
    # --member wins over the configured person of the same name
    out = team_json(
        capsys, "--config", str(config), "team", "--member", "bikash=Asia/Tokyo", "--at", "2026-06-01T12:00", "--json"
    )
    assert isinstance(out, list)
    assert ("bikash", "Asia/Tokyo") in [(r["name"], r["zone"]) for r in out]
