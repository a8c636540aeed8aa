"""The ICS pre-filter never loses an occurrence: prefiltered vs. full parse on the corpus, the big
benchmark calendar and random calendars (series, RDATE, EXDATE, overrides, zones, floating, all-day).
"""

from __future__ import annotations

import importlib.util
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traystatus.adapters.calendar_parse import ParseContext, expand, parse_calendar
from traystatus.adapters.calendar_prefilter import prefilter
from traystatus.core.errors import CalendarError
from traystatus.core.model import CalendarEvent

ROOT = Path(__file__).resolve().parents[2]
ICS = ROOT / "tests" / "data" / "ics"
UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")

Key = tuple[str, datetime, datetime, bool, str, datetime | None]


def _keys(events: list[CalendarEvent]) -> list[Key]:
    return sorted((e.uid, e.start, e.end, e.all_day, e.title, e.recurrence_id) for e in events)


def _expand(text: str, start: datetime, end: datetime, zone: ZoneInfo, *, whole: bool = True) -> list[Key] | str:
    ctx = ParseContext(source="t", zone=zone)
    try:
        return _keys(expand(parse_calendar(text, ctx), start, end, ctx, whole=whole)[0])
    except CalendarError as e:
        return f"error: {e.title}"


def _same(text: str, start: datetime, end: datetime, zone: ZoneInfo) -> tuple[list[Key] | str, str]:
    """Assert that the prefiltered text expands exactly like the whole text; returns (events, prefiltered)."""
    full = _expand(text, start, end, zone)
    cut = prefilter(text, start, end)
    mine = _expand(cut, start, end, zone, whole=cut is text)  # as expand_document reads it
    if isinstance(full, str):  # a file that cannot be read whole may read once the far events are cut
        return full, cut
    assert mine == full, f"window {start} – {end}"
    return full, cut


# -- the corpus: windows around every date a file mentions ----------------------------------------

_DATE = re.compile(r'^(?:DTSTART|RECURRENCE-ID|EXDATE|RDATE)(?:"[^"]*"|[^:\r\n])*:(\d{8})', re.MULTILINE)
CORPUS = sorted(str(p.relative_to(ICS)) for p in ICS.rglob("*.ics"))


def _windows(text: str) -> list[tuple[datetime, datetime]]:
    """Windows around the dates the file's VEVENTs mention (not its VTIMEZONEs)."""
    found = set()
    for block in re.findall(r"BEGIN:VEVENT.*?END:VEVENT", text, re.DOTALL):
        for d in _DATE.findall(block):
            try:
                found.add(date(int(d[:4]), int(d[4:6]), int(d[6:8])))
            except ValueError:
                continue
    days = sorted(d for d in found if 1900 < d.year < 2100)
    if len(days) > 8:  # first, last and a spread in between
        step = len(days) / 6
        days = sorted({days[0], days[-1], *(days[int(i * step)] for i in range(6))})
    out = []
    for d in days:
        base = datetime(d.year, d.month, d.day, tzinfo=BERLIN)
        out += [
            (base, base + timedelta(days=1)),
            (base - timedelta(days=3), base + timedelta(days=30)),
            (base + timedelta(days=400), base + timedelta(days=414)),
        ]  # a later year: series only
    return out


#: a file that cannot be read at all (a clear error, see test_calendar_corpus): nothing to compare
NO_EVENTS = {"ical4j/boeing.ics"}


@pytest.mark.parametrize("rel", CORPUS)
def test_corpus_prefiltered_equals_full_parse(rel: str) -> None:
    text = (ICS / rel).read_bytes().decode("utf-8", errors="replace")
    found = 0
    for i, (start, end) in enumerate(_windows(text)):
        zone = (BERLIN, ZoneInfo("America/Los_Angeles"))[i % 2]
        events, _ = _same(text, start, end, zone)
        found += len(events) if isinstance(events, list) else 0
    assert (found > 0) is (rel not in NO_EVENTS), "the comparison must not be vacuous"


# -- the big calendar of the benchmark ------------------------------------------------------------


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_calendar", ROOT / "bench" / "bench_calendar.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big() -> str:
    text: str = _bench().generate(seed=11)
    return text


def test_big_calendar_prefiltered_equals_full_parse(big: str) -> None:
    ctx = ParseContext(source="big", zone=BERLIN)
    cal = parse_calendar(big, ctx)  # parsed once; expanded per window
    windows = [
        datetime(2026, 3, 25, tzinfo=BERLIN),  # across a DST change
        datetime(2026, 11, 23, tzinfo=BERLIN),
        datetime(2028, 5, 20, tzinfo=BERLIN),
    ]  # the span's end
    total = 0
    for start in windows:
        end = start + timedelta(days=14)
        full = _keys(expand(cal, start, end, ctx)[0])
        cut = prefilter(big, start, end)
        assert len(cut) < len(big) / 4, "the pre-filter must drop most of a big feed"
        mine = _keys(expand(parse_calendar(cut, ctx), start, end, ctx)[0])
        assert mine == full, start
        total += len(full)
    assert total > 300


def test_big_calendar_keeps_overrides_moved_into_the_window(big: str) -> None:
    start = datetime(2026, 11, 23, tzinfo=BERLIN)
    cut = prefilter(big, start, start + timedelta(days=14))
    full_overrides = big.count("RECURRENCE-ID")
    assert 0 < cut.count("RECURRENCE-ID") < full_overrides / 10
    assert cut.startswith("BEGIN:VCALENDAR") and cut.rstrip().endswith("END:VCALENDAR")


# -- hand-written traps -----------------------------------------------------------------------------


def _cal(*events: str, extra: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{extra}{body}END:VCALENDAR\r\n"


WIN = (datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 30, tzinfo=BERLIN))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "old series, open-ended",
            _cal(
                "UID:a\r\nSUMMARY:A\r\nDTSTART;TZID=Europe/Berlin:20200106T100000\r\n"
                "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH"
            ),
        ),
        (
            "old series, COUNT reaching the window",
            _cal(
                "UID:b\r\nSUMMARY:B\r\nDTSTART:20250101T090000Z\r\nDTEND:20250101T093000Z\r\nRRULE:FREQ=DAILY;COUNT=700"
            ),
        ),
        (
            "RDATE in the window",
            _cal(
                "UID:c\r\nSUMMARY:C\r\nDTSTART:20200101T090000Z\r\nDTEND:20200101T100000Z\r\n"
                "RDATE:20261124T090000Z,20261125T090000Z"
            ),
        ),
        (
            "override of an old instance moved into the window",
            _cal(
                "UID:d\r\nSUMMARY:D\r\nDTSTART:20200106T090000Z\r\nDTEND:20200106T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=5",
                "UID:d\r\nSUMMARY:D moved\r\nRECURRENCE-ID:20200113T090000Z\r\nDTSTART:20261124T090000Z\r\n"
                "DTEND:20261124T100000Z",
            ),
        ),
        (
            "override moving an instance of the window away",
            _cal(
                "UID:e\r\nSUMMARY:E\r\nDTSTART:20261102T090000Z\r\nDTEND:20261102T100000Z\r\nRRULE:FREQ=DAILY",
                "UID:e\r\nSUMMARY:E moved\r\nRECURRENCE-ID:20261123T090000Z\r\nDTSTART:20270301T090000Z\r\n"
                "DTEND:20270301T100000Z",
            ),
        ),
        (
            "THISANDFUTURE",
            _cal(
                "UID:f\r\nSUMMARY:F\r\nDTSTART:20200106T090000Z\r\nDTEND:20200106T100000Z\r\nRRULE:FREQ=WEEKLY",
                "UID:f\r\nSUMMARY:F later\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20200113T090000Z\r\n"
                "DTSTART:20200113T110000Z\r\nDTEND:20200113T120000Z",
            ),
        ),
        (
            "orphan override with its own rule",
            _cal(
                "UID:g\r\nSUMMARY:G\r\nRECURRENCE-ID:20200106T090000Z\r\n"
                "DTSTART:20200106T090000Z\r\nDTEND:20200106T100000Z\r\n"
                "RRULE:FREQ=WEEKLY"
            ),
        ),
        (
            "all-day series, Outlook UNTIL",
            _cal(
                "UID:h\r\nSUMMARY:OOO\r\nDTSTART;VALUE=DATE:20261116\r\n"
                "DTEND;VALUE=DATE:20261117\r\nRRULE:FREQ=WEEKLY;UNTIL=20261122T230000Z",
                extra="X-WR-TIMEZONE:Europe/Berlin\r\n",
            ),
        ),
        (
            "long all-day event from before",
            _cal("UID:i\r\nSUMMARY:Vacation\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261225"),
        ),
        ("floating time near the edge", _cal("UID:j\r\nSUMMARY:J\r\nDTSTART:20261122T233000\r\nDTEND:20261123T003000")),
        (
            "end in another zone",
            _cal(
                "UID:k\r\nSUMMARY:K\r\nDTSTART;TZID=Pacific/Kiritimati:20261121T100000\r\n"
                "DTEND;TZID=Pacific/Pago_Pago:20261122T140000"
            ),
        ),
        (
            "alarm with a long duration",
            _cal(
                "UID:l\r\nSUMMARY:L\r\nDTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\n"
                "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nDURATION:P400D\r\n"
                "END:VALARM"
            ),
        ),
        (
            "duplicate UIDs",
            _cal(
                "UID:m\r\nSUMMARY:M1\r\nDTSTART:20201124T090000Z\r\nDTEND:20201124T100000Z\r\nRRULE:FREQ=YEARLY",
                "UID:m\r\nSUMMARY:M2\r\nDTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z",
            ),
        ),
        (
            "EXDATE pruned, the one in the window kept",
            _cal(
                "UID:n\r\nSUMMARY:N\r\nDTSTART;TZID=Europe/Berlin:20250106T100000\r\nDTEND;TZID=Europe/Berlin:"
                "20250106T110000\r\nRRULE:FREQ=DAILY\r\nEXDATE;TZID=Europe/Berlin:20250113T100000,20261123T100000,\r\n"
                " 20270104T100000\r\nEXDATE;TZID=Europe/Berlin:20261130T100000"
            ),
        ),
        (
            "Windows zone name",
            _cal(
                "UID:o\r\nSUMMARY:O\r\nDTSTART;TZID=W. Europe Standard Time:20261124T090000\r\n"
                "DTEND;TZID=W. Europe Standard Time:20261124T100000"
            ),
        ),
        (
            "unknown zone",
            _cal(
                "UID:p\r\nSUMMARY:P\r\nDTSTART;TZID=Mars/Olympus:20261124T090000\r\n"
                "DTEND;TZID=Mars/Olympus:20261124T100000"
            ),
        ),
    ],
)
def test_traps(name: str, text: str) -> None:
    events, _ = _same(text, *WIN, BERLIN)
    assert events, f"{name}: the trap must have an occurrence in the window"


NOW = "BEGIN:VEVENT\r\nUID:now\r\nSUMMARY:Now\r\nDTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nEND:VEVENT\r\n"


@pytest.mark.parametrize(
    ("name", "events"),
    [
        (
            "lower-case rule",
            "BEGIN:VEVENT\r\nUID:q\r\nSUMMARY:Q\r\nDTSTART:20200106T090000Z\r\n"
            "DTEND:20200106T100000Z\r\nrrule:FREQ=WEEKLY\r\nEND:VEVENT\r\n",
        ),
        (
            "lower-case END glues two events",
            "BEGIN:VEVENT\r\nUID:old\r\nSUMMARY:Old\r\nDTSTART:20200106T090000Z\r\n"
            "DTEND:20200106T100000Z\r\nend:vevent\r\n" + NOW.replace("UID:now", "UID:glued"),
        ),
        (
            "alarm closed after its event",
            "BEGIN:VEVENT\r\nUID:old\r\nDTSTART:20200106T090000Z\r\nBEGIN:VALARM\r\n"
            "END:VEVENT\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\n",
        ),
        (
            "END:VEVENT folded on",
            "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
            "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            "BEGIN:VEVENT\r\nUID:old\r\nDTSTART:20200106T090000Z\r\nEND:VEVENT\r\n x\r\n",
        ),
        (
            "a letter that grows in lower case",
            "BEGIN:VEVENT\r\nUID:old\r\nSUMMARY:İİİİİİİİ\r\nDTSTART:20200106T090000Z\r\nEND:VEVENT\r\n",
        ),
        ("END:VEVENT with a suffix", "BEGIN:VEVENT\r\nUID:old\r\nDTSTART:20200106T090000Z\r\nEND:VEVENT:\r\n"),
        (
            "lower-case alarm with a UID",
            "BEGIN:VEVENT\r\nSUMMARY:A\r\nDTSTART:20261124T080000Z\r\nbegin:valarm\r\n"
            "UID:alarm\r\nTRIGGER:-PT5M\r\nend:valarm\r\nUID:now\r\nEND:VEVENT\r\n",
        ),
    ],
)
def test_broken_or_unusual_structure(name: str, events: str) -> None:
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}{NOW}END:VCALENDAR\r\n"
    found, _ = _same(text, *WIN, BERLIN)
    assert isinstance(found, list) and found, name


def test_far_events_are_dropped_and_exdates_pruned() -> None:
    text = _cal(
        "UID:old\r\nSUMMARY:Old\r\nDTSTART:20200101T090000Z",
        "UID:new\r\nSUMMARY:New\r\nDTSTART:20300101T090000Z",
        "UID:now\r\nSUMMARY:Now\r\nDTSTART:20261124T090000Z\r\n"
        "RRULE:FREQ=DAILY\r\nEXDATE:20200101T090000Z,20261125T090000Z",
    )
    cut = prefilter(text, *WIN)
    assert "UID:old" not in cut and "UID:new" not in cut and "UID:now" in cut
    assert "EXDATE:20261125T090000Z\r\n" in cut


# -- random calendars -------------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Kiritimati"]
BASE = datetime(2026, 10, 20)  # the DST change of the zones above is within reach


def _fmt(moment: datetime, kind: str) -> str:
    if kind == "date":
        return f";VALUE=DATE:{moment:%Y%m%d}"
    if kind == "utc":
        return f":{moment:%Y%m%dT%H%M%S}Z"
    if kind == "floating":
        return f":{moment:%Y%m%dT%H%M%S}"
    return f";TZID={kind}:{moment:%Y%m%dT%H%M%S}"


@st.composite
def calendars(draw: st.DrawFn) -> str:
    hours = st.integers(-24 * 200, 24 * 120)
    events = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["date", "utc", "floating", *ZONES]))
        start = BASE + timedelta(hours=draw(hours))
        if kind == "date":
            start = start.replace(hour=0)
        lines = [f"UID:u{i}", f"SUMMARY:E{i}", f"DTSTART{_fmt(start, kind)}"]
        length = (
            timedelta(days=draw(st.integers(1, 3)))
            if kind == "date"
            else timedelta(minutes=draw(st.sampled_from([0, 30, 60, 600, 3000])))
        )
        if draw(st.booleans()):
            lines.append(f"DTEND{_fmt(start + length, kind)}")
        elif kind != "date":
            lines.append(f"DURATION:PT{int(length.total_seconds() // 60)}M")
        recurring = draw(st.booleans())
        if recurring:
            freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
            rule = f"FREQ={freq};INTERVAL={draw(st.integers(1, 3))}"
            end_kind = draw(st.sampled_from(["open", "count", "until"]))
            if end_kind == "count":
                rule += f";COUNT={draw(st.integers(1, 40))}"
            elif end_kind == "until":
                until = start + timedelta(days=draw(st.integers(0, 200)))
                rule += f";UNTIL={until:%Y%m%d}" if kind == "date" else f";UNTIL={until:%Y%m%dT%H%M%S}Z"
            if freq == "WEEKLY" and draw(st.booleans()):
                rule += ";BYDAY=" + ",".join(
                    draw(st.lists(st.sampled_from(["MO", "TU", "WE", "SA"]), min_size=1, max_size=3, unique=True))
                )
            lines.append(f"RRULE:{rule}")
            step = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 30}[freq]
            nth = st.integers(0, 30)
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"EXDATE{_fmt(start + timedelta(days=step * draw(nth)), kind)}")
            if draw(st.integers(0, 4)) == 0:
                lines.append(f"RDATE{_fmt(start + timedelta(hours=draw(hours)), kind)}")
        events.append("\r\n".join(lines))
        if recurring:
            for _ in range(draw(st.integers(0, 2))):  # overrides, moved anywhere
                rid = start + timedelta(days=7 * draw(st.integers(0, 20)))
                moved = BASE + timedelta(hours=draw(hours))
                if kind == "date":
                    moved = moved.replace(hour=0)
                events.append(
                    "\r\n".join(
                        [
                            f"UID:u{i}",
                            f"SUMMARY:E{i} moved",
                            f"RECURRENCE-ID{_fmt(rid, kind)}",
                            f"DTSTART{_fmt(moved, kind)}",
                            f"DTEND{_fmt(moved + length, kind)}",
                        ]
                    )
                )
    draw(st.randoms()).shuffle(events)
    return _cal(*events)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=calendars(),
    offset=st.integers(0, 24 * 60),
    days=st.integers(1, 21),
    zone=st.sampled_from([BERLIN, ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Kathmandu")]),
)
def test_random_calendars_prefiltered_equals_full_parse(text: str, offset: int, days: int, zone: ZoneInfo) -> None:
    start = (BASE + timedelta(hours=offset)).replace(tzinfo=zone)
    _same(text, start, start + timedelta(days=days), zone)


# -- damaged real files ------------------------------------------------------------------------------

SMALL = [
    p.read_bytes().decode("utf-8", errors="replace") for p in sorted(ICS.rglob("*.ics")) if p.stat().st_size < 60_000
]
DAMAGE = [":", ";", "=", "BEGIN:VEVENT\r\n", "END:VEVENT\r\n", "END:VALARM\r\n", " ", "Z", "\r\n ", "0"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), year=st.integers(1997, 2026), days=st.sampled_from([1, 14, 60, 400]))
def test_damaged_files_prefiltered_never_lose_what_the_full_parse_reads(
    data: st.DataObject, year: int, days: int
) -> None:
    lines = data.draw(st.sampled_from(SMALL)).splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(lines) - 1))
        what = data.draw(st.sampled_from(["delete", "duplicate", "insert", "lower", "cut"]))
        line = lines[i]
        j = data.draw(st.integers(0, len(line)))
        if what == "delete":
            del lines[i]
        elif what == "duplicate":
            lines.insert(i, lines[data.draw(st.integers(0, len(lines) - 1))])
        elif what == "insert":
            lines[i] = line[:j] + data.draw(st.sampled_from(DAMAGE)) + line[j:]
        elif what == "lower":
            lines[i] = line.lower()
        else:
            lines[i] = line[:j] + line[j + 2 :]
    start = datetime(year, data.draw(st.integers(1, 12)), 1, tzinfo=BERLIN)
    _same("".join(lines), start, start + timedelta(days=days), BERLIN)


def test_bare_events_without_a_vcalendar_read_the_same_prefiltered() -> None:
    """Found by the damage fuzzer: a file of bare VEVENTs reads as a calendar with no events in a far window;
    cutting every event used to leave an empty text, refused as "not a calendar"."""
    text = (
        "BEGIN:VEVENT\nUID:soccer\nSUMMARY:Soccer\nRRULE:FREQ=WEEKLY;UNTIL=20111206T205000Z\n"
        "DTSTART;TZID=America/New_York:20111112T155000\nDTEND;TZID=America/New_York:20111112T170000\nEND:VEVENT\n"
    )
    start = datetime(1997, 1, 1, tzinfo=BERLIN)
    events, _ = _same(text, start, start + timedelta(days=1), BERLIN)
    assert events == []
    events, _ = _same(text, datetime(2011, 11, 12, tzinfo=BERLIN), datetime(2011, 11, 13, tzinfo=BERLIN), BERLIN)
    assert [e[0] for e in events] == ["soccer"]
