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
    """BOM, bare VEVENT, several VCALENDARs and TZID whitespace fixed as the producer meant them."""
    text = text.lstrip("\ufeff")
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


def drop_open_events(text: str) -> tuple[str, int]:
    """Text without the VEVENTs never closed before the next one begins or the calendar ends (a line break
    lost before END:VEVENT, a cut download): a VEVENT holds no VEVENT, so each of them costs only itself.

    Lines are compared unfolded (``B`` + ``\r\n EGIN:VEVENT`` begins one); linear in the text.
    """
    out: list[str] = []
    pending: list[str] | None = None  # the lines of the VEVENT read so far
    dropped = 0
    logical: list[str] = []

    def flush() -> None:
        nonlocal pending, dropped
        if not logical:
            return
        key = "".join(part.rstrip("\r\n")[1 if i else 0 :] for i, part in enumerate(logical)).strip().upper()
        if key == "BEGIN:VEVENT":
            if pending is not None:
                dropped += 1
            pending = []
        elif pending is not None and key in ("END:VCALENDAR", "BEGIN:VTIMEZONE", "BEGIN:VTODO", "BEGIN:VFREEBUSY"):
            pending, dropped = None, dropped + 1
        if pending is None:
            out.extend(logical)
        else:
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
    return "".join(out), dropped


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
