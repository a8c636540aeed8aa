"""One calendar's hostile or broken VTIMEZONE cannot change another calendar's times.

icalendar resolves TZIDs through one process-wide cache; the app empties it before each parse, under a
lock (calendar_parse._from_ical). These tests attack that from the sides the sequential test in
test_calendar_zones.py does not: a file redefining IANA and Windows zone names, zones read after the
parse (the Outlook all-day UNTIL fix), and many calendars parsed at once on several threads.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_parse import ParseContext, expand, parse_calendar

QUIRKS = Path(__file__).resolve().parent.parent / "data" / "quirks"
START = datetime(2026, 11, 30, tzinfo=UTC)
END = START + timedelta(days=7)
BERLIN = ZoneInfo("Europe/Berlin")


def _zone(tzid: str, offset: str) -> str:
    return (
        f"BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


def _calendar(*parts: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n" + "".join(parts) + "END:VCALENDAR\r\n"


def _meeting(uid: str, tzid: str, local: str, title: str) -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID={tzid}:{local}\r\n"
        f"DURATION:PT1H\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n"
    )


#: redefines an IANA name, a Windows name and Outlook's custom name with a +09:00 (and one impossible) offset
HOSTILE = _calendar(
    _zone("Europe/Berlin", "+0900"),
    _zone("W. Europe Standard Time", "+0900"),
    _zone("Customized Time Zone", "+0900"),
    _zone("Customized Time Zone", "+5328"),
    _meeting("hostile@tests", "Customized Time Zone", "20261202T220000", "Hostile"),
)
#: uses the same names without defining them: IANA and Windows names are the real zones, the custom one unknown
VICTIM = _calendar(
    _meeting("iana@tests", "Europe/Berlin", "20261202T140000", "IANA"),
    _meeting("windows@tests", "W. Europe Standard Time", "20261202T150000", "Windows"),
    _meeting("custom@tests", "Customized Time Zone", "20261202T160000", "Undefined custom"),
)


def _utc_starts(text: str, ctx: ParseContext) -> dict[str, str]:
    events, _ = expand(parse_calendar(text, ctx), START, END, ctx)
    return {ev.title: ev.start.astimezone(UTC).strftime("%m-%d %H:%M") for ev in events}


def test_a_file_redefining_iana_windows_and_custom_names_changes_no_other_file() -> None:
    ctx = ParseContext(source="victim", zone=BERLIN)
    alone = _utc_starts(VICTIM, ctx)
    assert alone == {"IANA": "12-02 13:00", "Windows": "12-02 14:00", "Undefined custom": "12-02 15:00"}
    hostile = parse_calendar(HOSTILE, ParseContext(source="hostile", zone=BERLIN))
    assert _utc_starts(VICTIM, ctx) == alone
    # and the hostile file keeps its own first definition, not the impossible second one
    events, _ = expand(hostile, START, END, ParseContext(source="hostile", zone=BERLIN))
    assert [ev.start.astimezone(UTC).strftime("%m-%d %H:%M") for ev in events] == ["12-02 13:00"]


def test_the_outlook_all_day_fix_reads_until_in_the_files_own_zone_after_another_file_was_parsed() -> None:
    """Outlook writes an all-day series' UNTIL as the UTC start of its last day in the file's zone (+13:00
    here: 2026-12-04 00:00 is 12-03 11:00Z). Read in another file's -05:00, the last day would be lost."""
    series = (
        "BEGIN:VEVENT\r\nUID:leave@tests\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261201\r\n"
        "DTEND;VALUE=DATE:20261202\r\nRRULE:FREQ=DAILY;UNTIL=20261203T110000Z\r\nSUMMARY:Leave\r\nEND:VEVENT\r\n"
    )
    mine = _calendar(_zone("Customized Time Zone", "+1300"), series)
    other = _calendar(
        _zone("Customized Time Zone", "-0500"), _meeting("o@tests", "Customized Time Zone", "20261202T080000", "O")
    )
    ctx = ParseContext(source="leave", zone=ZoneInfo("Pacific/Auckland"))
    cal = parse_calendar(mine, ctx)
    parse_calendar(other, ParseContext(source="other", zone=BERLIN))  # fills the library's cache with -05:00
    events, _ = expand(cal, START, END, ctx)
    assert [ev.start.date() for ev in events] == [date(2026, 12, d) for d in (1, 2, 3, 4)]


def test_calendars_read_at_once_on_several_threads_each_keep_their_own_zone(tmp_path: Path) -> None:
    files = {"a": "customized_tz_a.ics", "b": "customized_tz_b.ics"}
    (tmp_path / "hostile.ics").write_text(HOSTILE)
    (tmp_path / "victim.ics").write_text(VICTIM)
    expected = {
        "a": ["2026-12-02 13:00"],
        "b": ["2026-12-02 13:00"],
        "hostile": ["2026-12-02 13:00"],
        "victim": ["2026-12-02 13:00", "2026-12-02 14:00", "2026-12-02 15:00"],
    }
    paths = {k: QUIRKS / v for k, v in files.items()} | {k: tmp_path / f"{k}.ics" for k in ("hostile", "victim")}
    wrong: list[str] = []

    def reader(key: str) -> None:
        for i in range(15):  # a new source each time: a source's memo would skip the parse
            source = IcsCalendarSource(key, str(paths[key]), zone=BERLIN, cache_dir=tmp_path / f"{key}{i}")
            result = source.load(START, END)
            got = sorted(ev.start.astimezone(UTC).strftime("%Y-%m-%d %H:%M") for ev in result.events)
            if result.error is not None or got != expected[key]:
                wrong.append(f"{key}: {got} {result.error}")

    threads = [threading.Thread(target=reader, args=(key,)) for key in expected for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert wrong == []


def test_an_unknown_tzid_is_searched_for_once_and_a_later_file_that_defines_it_still_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import icalendar.timezone.zoneinfo as provider_module

    searched: list[str] = []
    real = provider_module.zoneinfo.ZoneInfo

    def counting(name: str) -> ZoneInfo:
        searched.append(name)
        return real(name)

    monkeypatch.setattr(provider_module.zoneinfo, "ZoneInfo", counting)
    stamps = ",".join(f"20261201T{h:02d}{m:02d}00" for h in range(24) for m in range(0, 60, 2))  # 720 values
    flood = (
        "BEGIN:VEVENT\r\nUID:flood@tests\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Site Zone:20261201T090000\r\n"
        f"DURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nEXDATE;TZID=Site Zone:{stamps}\r\nSUMMARY:Flood\r\nEND:VEVENT\r\n"
    )
    ctx = ParseContext(source="flood", zone=BERLIN)
    cal = parse_calendar(_calendar(flood), ctx)
    events, _ = expand(cal, START, END, ctx)
    assert events and all(ev.start.tzinfo == BERLIN for ev in events)  # an unknown zone reads in the user's
    assert searched.count("Site Zone") <= 2, f"'Site Zone' searched for {searched.count('Site Zone')} times"

    ctx = ParseContext(source="defines it", zone=BERLIN)
    cal = parse_calendar(
        _calendar(_zone("Site Zone", "+0530"), _meeting("m@tests", "Site Zone", "20261202T100000", "M")), ctx
    )
    (meeting,) = expand(cal, START, END, ctx)[0]
    assert meeting.start.astimezone(UTC) == datetime(2026, 12, 2, 4, 30, tzinfo=UTC)  # its own +05:30
