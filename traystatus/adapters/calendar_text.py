"""ICS text before the parser sees it: a cheap validity check for feed bodies and linear-time fixes.

Everything here reads the text line by line, once (no backtracking regex over the whole file): a
hostile file of any size costs time proportional to its length. Fixes are for what real producers
write and mean: a UTF-8 BOM, a bare VEVENT without its VCALENDAR, several VCALENDARs in one file,
TZIDs with stray whitespace; and, when the parser refuses a file, alarms and broken time zones
(the app never needs alarms, and a zone's standard rules serve when its VTIMEZONE is impossible).
"""

from __future__ import annotations

import re

from traystatus.core.errors import CalendarError

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r|$)")
_TZID_PARAM = re.compile(r";TZID=(\"[^\"]*\"|[^:;]*)", re.IGNORECASE)
_BAD_OFFSET = re.compile(r"TZOFFSET(?:FROM|TO):[+-]?(?:2[4-9]|[3-9]\d)", re.IGNORECASE)
_WRAPPER = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus//wrapped event//EN\r\n"


def validate_body(data: bytes, source: str = "calendar") -> CalendarError | None:
    """None when ``data`` is a whole calendar worth caching; else what is wrong with it.

    For a feed body before it replaces the last good copy: an empty body, a web page, text that is
    not iCalendar, or a calendar cut off before its END:VCALENDAR (a dropped connection) is refused.
    Linear in the size of ``data``; it does not parse property values (the parser still may warn).
    """
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        return _refused(source, "the server sent an empty body")
    if text[:1] == "<":
        return _refused(source, "it is a web page (HTML), not a calendar")
    depth: dict[str, int] = {}
    calendars = events = 0
    for line in _lines(text):
        key = line.strip().upper()
        if key.startswith("BEGIN:"):
            name = key[6:].strip()
            depth[name] = depth.get(name, 0) + 1
            calendars += name == "VCALENDAR"
            events += name in ("VEVENT", "VFREEBUSY")
        elif key.startswith("END:"):
            name = key[4:].strip()
            depth[name] = depth.get(name, 0) - 1
    if not calendars and not events:
        return _refused(source, "it is not an iCalendar file (no BEGIN:VCALENDAR)")
    if depth.get("VCALENDAR", 0) > 0 or depth.get("VEVENT", 0) > 0:
        return _refused(source, "it is cut off (a VCALENDAR or VEVENT is never closed): the download was incomplete")
    return None


def _refused(source: str, why: str) -> CalendarError:
    return CalendarError(
        f"Calendar '{source}' sent something that is not a whole calendar",
        f"{why}. The last good copy is kept; check the calendar's iCal/ICS address.",
    )


def _lines(text: str) -> list[str]:
    """The physical lines, each with its line break (so that joining them gives ``text`` back)."""
    return [m for m in _LINE.findall(text) if m]


def normalise(text: str) -> str:
    """BOM, CR-only line ends, bare VEVENT, several VCALENDARs and TZID whitespace fixed as the producer meant them."""
    if "\ufeff" in text:  # a BOM: at the start, or where a second file was appended (`cat a.ics b.ics`)
        text = text.replace("\ufeff", "")
    if "\r" in text and "\n" not in text:  # classic Mac OS line ends, a CR alone: else the file is one line
        text = text.replace("\r", "\r\n")  # (amid CRLF lines a CR stays text: a title's, escaped when shown)
    first = text.lstrip(" \t\r\n")[:13].upper()
    if first.startswith(("BEGIN:VEVENT", "BEGIN:VFREEBUSY")):
        text = _WRAPPER + text.rstrip("\r\n") + "\r\nEND:VCALENDAR\r\n"  # a bare event (a mail attachment, a script)
    upper = text.upper()
    if upper.count("BEGIN:VCALENDAR") > 1:
        text = _merge_calendars(text)
    if "TZID" in upper:
        text = _strip_tzids(text)
    return text


def _merge_calendars(text: str) -> str:
    """One VCALENDAR holding every component of all of them (the later ones' own properties dropped)."""
    out: list[str] = []
    depth = 0
    calendars = 0
    for line in _lines(text):
        key = line.strip().upper()
        if depth == 0:
            if key == "BEGIN:VCALENDAR":
                depth, calendars = 1, calendars + 1
                if calendars == 1:
                    out.append(line)
            continue  # blank lines between calendars
        if key.startswith("BEGIN:"):
            depth += 1
        elif key.startswith("END:"):
            depth -= 1
            if depth == 0:
                continue
        elif depth == 1 and calendars > 1:
            continue  # VERSION, PRODID, X-WR-… of a later calendar: the first one's stand
        out.append(line)
    if out and not out[-1].endswith(("\n", "\r")):
        out[-1] += "\r\n"
    out.append("END:VCALENDAR\r\n")
    return "".join(out)


def _strip_tzids(text: str) -> str:
    """``TZID= Europe/Berlin `` and ``TZID:Europe/Berlin `` name the zone without the spaces."""
    out: list[str] = []
    for line in _lines(text):
        head = line[:6].upper()
        if head.startswith("TZID:"):
            body = line.rstrip("\r\n")
            line = "TZID:" + body[5:].strip() + line[len(body) :]
        elif ";TZID=" in line.upper():
            line = _TZID_PARAM.sub(lambda m: ";TZID=" + _clean_tzid(m.group(1)), line)
        out.append(line)
    return "".join(out)


def _clean_tzid(value: str) -> str:
    if value.startswith('"'):
        return '"' + value.strip('"').strip() + '"'
    return value.strip()


def drop_alarms(text: str) -> tuple[str, int]:
    """Text without its VALARM blocks (one left open ends with its event); one open to the end of the text
    stays (the parser then says what is wrong)."""
    out: list[str] = []
    pending: list[str] | None = None
    dropped = 0
    for line in _lines(text):
        key = line.strip().upper()
        if pending is None:
            if key == "BEGIN:VALARM":
                pending = [line]
            else:
                out.append(line)
        elif key == "END:VALARM":
            pending, dropped = None, dropped + 1
        elif key in ("END:VEVENT", "END:VTODO"):  # its event ends: the alarm was cut off, drop what it had
            pending, dropped = None, dropped + 1
            out.append(line)
        else:
            pending.append(line)
    if pending is not None:
        out.extend(pending)
    return "".join(out), dropped


#: what real zones' rules hold (yearly, a month, a weekday or a day): anything else dateutil may walk for
#: seconds, for ever (INTERVAL=0) or deadlock on (INTERVAL=-1, BYMONTH=999999999999: its cache lock, 0 % CPU)
_ZONE_RULE_PART = re.compile(
    r"FREQ=YEARLY|INTERVAL=0*1|BYMONTH=(?:0?[1-9]|1[0-2])|BYDAY=(?:[+-]?[1-5])?(?:MO|TU|WE|TH|FR|SA|SU)"
    r"|BYMONTHDAY=[+-]?(?:0?[1-9]|[12]\d|3[01])|WKST=(?:MO|TU|WE|TH|FR|SA|SU)|UNTIL=\d{8}(?:T\d{6}Z?)?|COUNT=\d{1,4}"
)
_ZONE_RULE_LINE = re.compile(r"^(RRULE|EXDATE)[;:]([^\r\n]*)", re.MULTILINE)


def _hostile_zone_line(name: str, value: str) -> bool:
    """An EXDATE (RFC 5545 allows none in a VTIMEZONE), or an RRULE with a part no real zone has."""
    if name == "EXDATE":
        return True
    parts = value.rsplit(":", 1)[-1].strip().split(";")
    if "FREQ=YEARLY" not in parts:
        return True
    for part in filter(None, parts):
        key, _, values = part.partition("=")
        if not all(_ZONE_RULE_PART.fullmatch(f"{key}={v}") for v in values.split(",")):
            return True
    return False


#: no real VTIMEZONE comes near this (a full IANA history in RDATEs is about 10 KB)
_MAX_TIMEZONE = 100_000


def hostile_timezones(upper: str) -> bool:
    """Whether a VTIMEZONE of the (upper-cased) text has a rule or size no real zone has (see ``drop_bad_timezones``).

    Cheap: only the VTIMEZONE blocks are searched, once each.
    """
    pos = 0
    while (b := upper.find("BEGIN:VTIMEZONE", pos)) >= 0:
        e = upper.find("END:VTIMEZONE", b)
        e = len(upper) if e < 0 else e
        if e - b > _MAX_TIMEZONE or any(
            _hostile_zone_line(m.group(1), m.group(2)) for m in _ZONE_RULE_LINE.finditer(upper, b, e)
        ):
            return True
        pos = e
    return False


def drop_open_events(text: str) -> tuple[str, int, int]:
    """Text without the VEVENTs never closed before the next one begins or the calendar ends (a line break
    lost before END:VEVENT, a cut download): a VEVENT holds no VEVENT, so each of them costs only itself.
    Inside a VEVENT, a part left open (``BEGIN:X-FOO`` with no ``END:X-FOO``) is closed just before the
    event ends, and an ``END:`` that closes nothing is dropped: the event keeps what it said before it.
    Returns the text, the events skipped and the parts mended.

    Lines are compared unfolded (``B`` + ``\r\n EGIN:VEVENT`` begins one); linear in the text.
    """
    out: list[str] = []
    pending: list[str] | None = None  # the lines of the VEVENT read so far
    parts: list[str] = []  # the components open inside it, innermost last
    open_count: dict[str, int] = {}  # how many of each name are in ``parts``
    dropped = mended = 0
    logical: list[str] = []

    def close(names: list[str], like: str) -> list[str]:
        end = like[len(like.rstrip("\r\n")) :] or "\r\n"
        return [f"END:{name}{end}" for name in reversed(names)]

    def flush() -> None:
        nonlocal pending, dropped, mended
        if not logical:
            return
        key = "".join(part.rstrip("\r\n")[1 if i else 0 :] for i, part in enumerate(logical)).strip().upper()
        if key == "BEGIN:VEVENT":
            if pending is not None:
                dropped += 1
            pending = []
            parts.clear()
            open_count.clear()
        elif pending is not None and key in ("END:VCALENDAR", "BEGIN:VTIMEZONE", "BEGIN:VTODO", "BEGIN:VFREEBUSY"):
            pending, dropped = None, dropped + 1
        elif pending is not None and key.startswith("BEGIN:"):
            parts.append(key[6:].strip())
            open_count[parts[-1]] = open_count.get(parts[-1], 0) + 1
        elif pending is not None and key.startswith("END:") and key != "END:VEVENT":
            name = key[4:].strip()
            if not open_count.get(name):  # closes nothing: icalendar would refuse the whole file for it
                mended += 1
                logical.clear()
                return
            at = len(parts) - 1
            while parts[at] != name:  # what lies above it is closed here: linear over the whole walk
                at -= 1
            if at < len(parts) - 1:  # closes an outer part: the inner ones end with it
                pending.extend(close(parts[at + 1 :], logical[-1]))
                mended += len(parts) - 1 - at
            for gone in parts[at:]:
                open_count[gone] -= 1
            del parts[at:]
        if pending is None:
            out.extend(logical)
        else:
            if key == "END:VEVENT" and parts:
                pending.extend(close(parts, logical[-1]))
                mended += len(parts)
                parts.clear()
                open_count.clear()
            pending.extend(logical)
            if key == "END:VEVENT":
                out.extend(pending)
                pending = None
        logical.clear()

    for line in _lines(text):
        if line[:1] in (" ", "\t") and logical:
            logical.append(line)
            continue
        flush()
        logical.append(line)
    flush()
    if pending is not None:
        out.extend(pending)  # open to the end of the text: the parser says what is wrong
    return "".join(out), dropped, mended


def drop_bad_timezones(text: str) -> tuple[str, int]:
    """Text without VTIMEZONEs whose offsets are impossible (``+5328``), whose TZID is empty, or whose rules no
    real zone has (not yearly, INTERVAL=0, EXDATE, over 100 KB: dateutil would take seconds or never end)."""
    out: list[str] = []
    block: list[str] | None = None
    bad = False
    size = dropped = 0
    for line in _lines(text):
        key = line.strip().upper()
        if block is None:
            if key == "BEGIN:VTIMEZONE":
                block, bad, size = [line], False, 0
            else:
                out.append(line)
            continue
        block.append(line)
        size += len(line)
        if key == "BEGIN:VTIMEZONE":  # never closed before the next: keep the first as it is
            out.extend(block[:-1])
            block, bad, size = [line], False, 0
        elif key == "END:VTIMEZONE":
            if bad or size > _MAX_TIMEZONE:
                dropped += 1
            else:
                out.extend(block)
            block = None
        elif (
            key == "TZID:"
            or (key.startswith("TZOFFSET") and _BAD_OFFSET.match(key))
            or ((m := _ZONE_RULE_LINE.match(key)) is not None and _hostile_zone_line(m.group(1), m.group(2)))
        ):
            bad = True
    if block is not None:
        out.extend(block)
    return "".join(out), dropped


#: transitions one STANDARD/DAYLIGHT rule may make in a year (real zones: one)
_TZ_PER_YEAR = 24
_TZ_RULE_UNIT = {"SECONDLY": "second", "MINUTELY": "minute", "HOURLY": "hour", "DAILY": "day", "WEEKLY": "week"}
_TZ_RULE_UNIT |= {"MONTHLY": "month"}


def tame_timezones(text: str) -> tuple[str, list[str]]:
    """Text whose VTIMEZONE rules cost what a real zone costs; plus what was changed, naming the zone.

    icalendar lists every transition of a STANDARD/DAYLIGHT rule up to 2038 (or its UNTIL/COUNT)
    when it meets the zone: ``FREQ=SECONDLY`` there is two billion of them, and a rule that never
    matches walks to the year 9999. Real zones change once or twice a year, so a rule that is not
    yearly, is yearly only every few years, repeats more than :data:`_TZ_PER_YEAR` times a year or
    never matches is dropped (its block keeps its DTSTART: one transition); a COUNT over 100 or an
    UNTIL after 2038 is dropped too (icalendar then stops at 2038, where the zone data ends). An
    onset before 1900 (Outlook writes 1601; a hostile file the year 1) is read as in 1900: the kept
    rules are yearly, so only offsets before 1900 change, and the walk to now is 126 years, not 2,000.
    """
    lines = _lines(text)
    out: list[str] = []
    notes: list[str] = []
    zone, in_zone, in_rule, changed = "", False, False, False
    i = 0
    while i < len(lines):
        line = lines[i]
        key = line.strip().upper()
        i += 1
        if key == "BEGIN:VTIMEZONE":
            zone, in_zone = "", True
        elif key == "END:VTIMEZONE":
            in_zone = in_rule = False
        elif in_zone and key in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            in_rule = True
        elif in_zone and key in ("END:STANDARD", "END:DAYLIGHT"):
            in_rule = False
        elif in_zone and key.startswith("TZID:"):
            zone = line.strip()[5:][:60]
        elif in_rule and key.startswith("DTSTART") and (early := _early_onset(line)) is not None:
            out.append(early)  # not a repair: nothing after 1900 changes, so no note
            changed = True
            continue
        elif in_rule and key.startswith("RRULE"):
            folded = [line]
            while i < len(lines) and lines[i][:1] in (" ", "\t"):
                folded.append(lines[i])
                i += 1
            value = "".join(part.rstrip("\r\n").removeprefix(" ").removeprefix("\t") for part in folded)
            kept, why = _tame_zone_rule(value)
            if why:
                notes.append(f"the time zone '{zone or '?'}' {why}")
                changed = True
            if kept is not None:
                out.append(kept + "\r\n")
            continue
        out.append(line)
    return ("".join(out) if changed else text), notes


def _early_onset(line: str) -> str | None:
    """The DTSTART line of a STANDARD/DAYLIGHT block moved to 1900 when it is earlier; else None."""
    head, sep, value = line.rpartition(":")
    if not sep or not value[:4].isdigit() or int(value[:4]) >= 1900 or value[4:8] == "0229":
        return None
    return f"{head}:1900{value[4:]}"


def _tame_zone_rule(line: str) -> tuple[str | None, str]:
    """The RRULE line to keep (None: drop it) and, when it was changed, why."""
    name, _, value = line.partition(":")
    parts: dict[str, list[str]] = {}
    for item in value.split(";"):
        k, _, v = item.partition("=")
        parts[k.strip().upper()] = [x.strip() for x in v.split(",") if x.strip()]
    freq = (parts.get("FREQ") or [""])[0].upper()
    if freq != "YEARLY":
        unit = _TZ_RULE_UNIT.get(freq)
        return (
            None,
            f"changes its offset every {unit}; that rule was ignored"
            if unit
            else "has an unreadable rule; it was ignored",
        )
    try:
        interval = int((parts.get("INTERVAL") or ["1"])[0])
        months = len(parts.get("BYMONTH") or range(12))
        per_month = min(len(parts.get("BYMONTHDAY") or range(31)), 5 * len(parts.get("BYDAY") or range(7)))
        if not ({"BYMONTH", "BYMONTHDAY", "BYDAY"} & parts.keys()):
            months, per_month = 1, 1
        times = len(parts.get("BYHOUR") or [0]) * len(parts.get("BYMINUTE") or [0]) * len(parts.get("BYSECOND") or [0])
        count = int((parts.get("COUNT") or ["0"])[0])
        until = (parts.get("UNTIL") or [""])[0]
        matches = _zone_rule_can_match(parts)
    except ValueError:
        return None, "has an unreadable rule; it was ignored"
    if interval != 1 or {"BYYEARDAY", "BYWEEKNO"} & parts.keys() or not matches:
        return None, "has a rule no real zone has (or one that never matches); it was ignored"
    if months * per_month * times > _TZ_PER_YEAR:
        return None, f"changes its offset more than {_TZ_PER_YEAR} times a year; that rule was ignored"
    if count > 100 or (until[:4].isdigit() and int(until[:4]) > 2038):
        kept = ";".join(
            item for item in value.split(";") if item.partition("=")[0].strip().upper() not in ("COUNT", "UNTIL")
        )
        return f"{name}:{kept}", "has a rule running past 2038; it is read up to 2038"
    return line, ""


def _zone_rule_can_match(parts: dict[str, list[str]]) -> bool:
    days = [int(d) for d in parts.get("BYMONTHDAY") or []]
    if not days:
        return True
    months = [int(m) for m in parts.get("BYMONTH") or range(1, 13)]
    return any(1 <= m <= 12 and 0 < abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days)


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
