"""The system's zone however it is spelled: TZ in its forms, an /etc/localtime link (also into posix/ and
right/ copies, or through a second link), a stale /etc/timezone, and names that are no zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from traystatus.adapters.system_zone import system_zone, zone_name_from_path


def link(tmp_path: Path, target: str) -> Path:
    localtime = tmp_path / "localtime"
    localtime.symlink_to(target)
    return localtime


def zone(tmp_path: Path, *, tz: str = "", target: str = "", timezone: str = "") -> str:
    tmp_path = tmp_path / str(len(list(tmp_path.iterdir())))  # a fresh directory each call
    tmp_path.mkdir()
    localtime = link(tmp_path, target) if target else tmp_path / "absent"
    timezone_file = tmp_path / "timezone"
    if timezone:
        timezone_file.write_text(timezone + "\n")
    return system_zone(environ={"TZ": tz} if tz else {}, localtime=localtime, timezone_file=timezone_file).key


@pytest.mark.parametrize(
    ("target", "key"),
    [
        ("/usr/share/zoneinfo/Etc/UTC", "Etc/UTC"),
        ("/usr/share/zoneinfo/UTC", "UTC"),
        ("/usr/share/zoneinfo/posix/Europe/Berlin", "Europe/Berlin"),
        ("/usr/share/zoneinfo/right/Asia/Kolkata", "Asia/Kolkata"),
        ("../usr/share/zoneinfo/US/Eastern", "US/Eastern"),  # a relative link to a backward name
        ("/var/db/timezone/zoneinfo/Australia/Lord_Howe", "Australia/Lord_Howe"),  # macOS
    ],
)
def test_the_localtime_link_is_read_however_it_is_spelled(tmp_path: Path, target: str, key: str) -> None:
    assert zone(tmp_path, target=target) == key


def test_tz_wins_in_each_of_its_forms(tmp_path: Path) -> None:
    assert zone(tmp_path, tz=":Asia/Kathmandu", target="/usr/share/zoneinfo/Etc/UTC") == "Asia/Kathmandu"
    assert zone(
        tmp_path / "a" if (tmp_path / "a").mkdir() is None else tmp_path, tz="/usr/share/zoneinfo/Pacific/Chatham"
    ) == ("Pacific/Chatham")


def test_tz_pointing_at_a_localtime_link_follows_it(tmp_path: Path) -> None:
    localtime = link(tmp_path, "/usr/share/zoneinfo/America/New_York")
    assert system_zone(environ={"TZ": f":{localtime}"}, localtime=tmp_path / "x", timezone_file=tmp_path / "y").key == (
        "America/New_York"
    )


def test_localtime_beats_a_stale_etc_timezone_and_etc_timezone_is_the_fallback(tmp_path: Path) -> None:
    assert zone(tmp_path, target="/usr/share/zoneinfo/Europe/London", timezone="Etc/UTC") == "Europe/London"
    assert zone(tmp_path, timezone="Asia/Kolkata") == "Asia/Kolkata"


def test_names_that_are_no_zone_give_utc(tmp_path: Path) -> None:
    assert zone(tmp_path, tz="Mars/Olympus", target="/nowhere/zoneinfo/localtime", timezone="garbage\x00") == "UTC"


def test_zone_name_from_path() -> None:
    assert zone_name_from_path("/usr/share/zoneinfo/posix/Europe/Berlin") == "Europe/Berlin"
    assert zone_name_from_path("/etc/localtime") is None
    assert zone_name_from_path("/usr/share/zoneinfo/") is None
