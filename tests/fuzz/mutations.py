"""What broken producers and hostile senders write, as mutations of a real calendar.

Each mutation takes the file's physical lines (with their line breaks) and a :class:`random.Random`
and returns new lines. A recipe (seed file, random seed, mutation names) replays exactly:
:func:`apply` with the same arguments gives the same bytes, on any machine.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

Lines = list[bytes]
Mutation = Callable[[Lines, random.Random], Lines]

HUGE = (b"99999999", b"999999999999", b"4294967296", b"99999999999999999999", b"0", b"-1", b"9" * 40)
_DIGITS = re.compile(rb"\d+")
_PROP = re.compile(rb"^([A-Za-z-]+)([;:])")
MUTATIONS: dict[str, Mutation] = {}


def mutation(fn: Mutation) -> Mutation:
    MUTATIONS[fn.__name__.strip("_")] = fn
    return fn


def _at(lines: Lines, *names: bytes) -> list[int]:
    """Indexes of the lines whose property name is one of ``names`` (all lines when none are given)."""
    if not names:
        return list(range(len(lines)))
    return [i for i, line in enumerate(lines) if line.upper().startswith(names)]


def _pick(lines: Lines, rng: random.Random, *names: bytes) -> int | None:
    found = _at(lines, *names)
    return rng.choice(found) if found else None


def _eol(line: bytes) -> bytes:
    return line[len(line.rstrip(b"\r\n")) :] or b"\r\n"


def _events(lines: Lines) -> list[tuple[int, int]]:
    """(first, last) line indexes of each VEVENT block."""
    out, begin = [], None
    for i, line in enumerate(lines):
        key = line.strip().upper()
        if key == b"BEGIN:VEVENT":
            begin = i
        elif key == b"END:VEVENT" and begin is not None:
            out.append((begin, i))
            begin = None
    return out


@mutation
def flip(lines: Lines, rng: random.Random) -> Lines:
    i = rng.randrange(len(lines))
    if lines[i]:
        j = rng.randrange(len(lines[i]))
        lines[i] = lines[i][:j] + bytes([lines[i][j] ^ rng.randint(1, 255)]) + lines[i][j + 1 :]
    return lines


@mutation
def dup(lines: Lines, rng: random.Random) -> Lines:
    i = rng.randrange(len(lines))
    lines[i:i] = [lines[i]] * rng.choice((1, 2, 50))
    return lines


@mutation
def cut(lines: Lines, rng: random.Random) -> Lines:
    i = rng.randrange(len(lines))
    lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
    return lines


@mutation
def drop(lines: Lines, rng: random.Random) -> Lines:
    if len(lines) > 1:
        del lines[rng.randrange(len(lines))]
    return lines


@mutation
def swap(lines: Lines, rng: random.Random) -> Lines:
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return lines


@mutation
def number(lines: Lines, rng: random.Random) -> Lines:
    """Any number on a line of a date or rule property becomes huge, zero or negative."""
    i = _pick(lines, rng, b"DTSTART", b"DTEND", b"DURATION", b"RRULE", b"EXDATE", b"RDATE", b"RECURRENCE-ID")
    i = rng.randrange(len(lines)) if i is None else i
    lines[i] = _DIGITS.sub(lambda _: rng.choice(HUGE), lines[i], count=rng.randint(1, 3))
    return lines


@mutation
def huge_rule(lines: Lines, rng: random.Random) -> Lines:
    """COUNT, INTERVAL or UNTIL past what a datetime can hold."""
    i = _pick(lines, rng, b"DTSTART")
    if i is None:
        return lines
    part = rng.choice(
        (
            b"COUNT=" + rng.choice(HUGE),
            b"INTERVAL=" + rng.choice(HUGE),
            b"UNTIL=99991231T235959Z",
            b"UNTIL=" + rng.choice(HUGE),
            b"UNTIL=00010101",
        )
    )
    freq = rng.choice((b"DAILY", b"WEEKLY", b"MONTHLY", b"YEARLY", b"HOURLY"))
    existing = _pick(lines, rng, b"RRULE")
    if existing is not None and rng.random() < 0.5:
        lines[existing] = lines[existing].rstrip(b"\r\n") + b";" + part + _eol(lines[existing])
    else:
        lines.insert(i + 1, b"RRULE:FREQ=" + freq + b";" + part + b"\r\n")
    return lines


@mutation
def huge_duration(lines: Lines, rng: random.Random) -> Lines:
    """DTEND replaced by a DURATION no datetime can add (or a negative, or an empty one)."""
    i = _pick(lines, rng, b"DTEND", b"DURATION", b"DTSTART")
    if i is None:
        return lines
    value = rng.choice((b"P99999999W", b"P999999999D", b"PT99999999999S", b"-P99999999W", b"P", b"PT", b"P1Y", b"P0D"))
    line = b"DURATION:" + value + b"\r\n"
    if lines[i].upper().startswith(b"DTSTART"):
        lines.insert(i + 1, line)
    else:
        lines[i] = line
    return lines


@mutation
def year_edge(lines: Lines, rng: random.Random) -> Lines:
    """A start, end or exception date in the year 1 or 9999 (datetime's edges)."""
    i = _pick(lines, rng, b"DTSTART", b"DTEND", b"RECURRENCE-ID", b"EXDATE", b"DUE")
    if i is not None:
        lines[i] = re.sub(rb"(?<=[:,])\d{4}", rng.choice((b"0001", b"9999", b"0000")), lines[i], count=1)
    return lines


@mutation
def nest(lines: Lines, rng: random.Random) -> Lines:
    i = rng.randrange(len(lines))
    depth = rng.choice((1, 10, 200, 2000))
    name = rng.choice((b"VALARM", b"VEVENT", b"X-THING"))
    closed = rng.randint(0, depth)
    lines[i:i] = [b"BEGIN:" + name + b"\r\n"] * depth + [b"END:" + name + b"\r\n"] * closed
    return lines


@mutation
def unclose(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng, b"END:")
    if i is not None:
        del lines[i]
    return lines


@mutation
def dense(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng, b"DTSTART")
    if i is not None:
        rule = rng.choice(
            (
                b"FREQ=SECONDLY",
                b"FREQ=MINUTELY;COUNT=99999999",
                b"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31",
                b"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYDAY=MO",
                b"FREQ=HOURLY;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55;BYSECOND=0,1,2,3,4,5,6,7,8,9",
                b"FREQ=YEARLY;BYWEEKNO=53;BYDAY=SU;BYMONTH=1",
                b"FREQ=MONTHLY;BYSETPOS=-366;BYDAY=MO",
            )
        )
        lines.insert(i + 1, b"RRULE:" + rule + b"\r\n")
    return lines


@mutation
def bad_rule(lines: Lines, rng: random.Random) -> Lines:
    """Rule parts out of their range, unknown or repeated."""
    i = _pick(lines, rng, b"DTSTART")
    if i is not None:
        part = rng.choice(
            (
                b"BYDAY=99MO",
                b"BYMONTHDAY=0",
                b"BYMONTH=13",
                b"FREQ=FOO",
                b"WKST=XX",
                b"BYHOUR=25",
                b"FREQ=DAILY;FREQ=WEEKLY",
            )
        )
        lines.insert(i + 1, b"RRULE:FREQ=WEEKLY;" + part + b"\r\n")
    return lines


@mutation
def truncate(lines: Lines, rng: random.Random) -> Lines:
    data = b"".join(lines)
    data = data[: rng.randrange(len(data) + 1)]
    return data.splitlines(keepends=True) or [b""]


@mutation
def bom(lines: Lines, rng: random.Random) -> Lines:
    i = rng.choice((0, 0, rng.randrange(len(lines))))
    lines[i] = b"\xef\xbb\xbf" + lines[i]
    return lines


@mutation
def line_ends(lines: Lines, rng: random.Random) -> Lines:
    """CRLF, LF and lone CR mixed in one file."""
    end = rng.choice((b"\n", b"\r", b"\r\n"))
    for i in rng.sample(range(len(lines)), k=min(len(lines), rng.randint(1, 20))):
        lines[i] = lines[i].rstrip(b"\r\n") + end
    return lines


@mutation
def folding(lines: Lines, rng: random.Random) -> Lines:
    """A line folded in the middle of a name or value, or a continuation line that lost its space."""
    i = rng.randrange(len(lines))
    line = lines[i]
    if line[:1] in (b" ", b"\t") and rng.random() < 0.5:
        lines[i] = line[1:]
    elif len(line) > 2:
        j = rng.randrange(1, len(line.rstrip(b"\r\n")) or 1)
        lines[i] = line[:j] + b"\r\n" + rng.choice((b" ", b"\t", b"  ")) + line[j:]
    return lines


@mutation
def bad_tzid(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng, b"DTSTART", b"DTEND", b"RECURRENCE-ID", b"EXDATE", b"TZID")
    if i is None:
        return lines
    tzid = rng.choice((b"Mars/Olympus", b"", b'"Customized Time Zone"', b"UTC+05:30", b"X" * 300, b"Europe/Berlin "))
    line = lines[i]
    if line.upper().startswith(b"TZID"):
        lines[i] = b"TZID:" + tzid + b"\r\n"
    elif b"TZID=" in line.upper():
        lines[i] = re.sub(rb"(?i)TZID=(\"[^\"]*\"|[^:;]*)", lambda _: b"TZID=" + tzid, line, count=1)
    else:
        m = _PROP.match(line)
        if m:
            lines[i] = m.group(1) + b";TZID=" + tzid + line[m.end(1) :]
    return lines


@mutation
def dup_uid(lines: Lines, rng: random.Random) -> Lines:
    """A copy of an event under the same UID: a second master, or an override (RECURRENCE-ID) near or far."""
    events = _events(lines)
    if not events:
        return lines
    a, b = rng.choice(events)
    copy = list(lines[a : b + 1])
    start = next((line for line in copy if line.upper().startswith(b"DTSTART")), None)
    if start is not None and rng.random() < 0.8:
        rid = b"RECURRENCE-ID" + start[len(b"DTSTART") :]
        if rng.random() < 0.4:
            rid = re.sub(rb"(?<=[:,])\d{4}", rng.choice((b"2026", b"1999", b"9999", b"2100")), rid, count=1)
        copy.insert(1, rid)
        if rng.random() < 0.3:
            copy = [line for line in copy if not line.upper().startswith(b"RRULE")]
    lines[b + 1 : b + 1] = copy
    return lines


@mutation
def exdate_flood(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng, b"DTSTART")
    if i is None:
        return lines
    value = _DIGITS.search(lines[i].split(b":")[-1])
    day = value.group(0)[:8] if value and len(value.group(0)) >= 8 else b"20261201"
    n = rng.choice((10, 1000, 20000))
    stamps = b",".join(day + b"T%02d%02d00Z" % (k // 60 % 24, k % 60) for k in range(n))
    lines.insert(i + 1, b"EXDATE:" + stamps + b"\r\n")
    return lines


@mutation
def rdate(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng, b"DTSTART")
    if i is not None:
        value = rng.choice(
            (
                b"RDATE;VALUE=PERIOD:20261202T100000Z/PT1H,20261203T100000Z/20261203T090000Z",
                b"RDATE:99991231T235959Z",
                b"RDATE;VALUE=DATE:20261202,garbage",
                b"RDATE:" + b",".join(b"2026120%dT1%d0000Z" % (k % 9 + 1, k % 10) for k in range(500)),
            )
        )
        lines.insert(i + 1, value + b"\r\n")
    return lines


@mutation
def empty_value(lines: Lines, rng: random.Random) -> Lines:
    i = _pick(lines, rng, b"DTSTART", b"DTEND", b"UID", b"RRULE", b"DURATION", b"SUMMARY", b"EXDATE", b"RECURRENCE-ID")
    if i is not None:
        lines[i] = lines[i].split(b":", 1)[0] + b":" + _eol(lines[i])
    return lines


@mutation
def value_type(lines: Lines, rng: random.Random) -> Lines:
    """A date where a date-time was, or the reverse, or a VALUE parameter that lies."""
    i = _pick(lines, rng, b"DTSTART", b"DTEND", b"RECURRENCE-ID", b"EXDATE")
    if i is None:
        return lines
    line = lines[i]
    choice = rng.randrange(3)
    if choice == 0:
        lines[i] = re.sub(rb"(\d{8})T\d{6}Z?", rb"\1", line)
    elif choice == 1:
        lines[i] = re.sub(rb"(?<=:)(\d{8})(?=\r?\n|$)", rb"\1T120000", line)
    else:
        m = _PROP.match(line)
        if m:
            lines[i] = (
                m.group(1) + rng.choice((b";VALUE=DATE", b";VALUE=DATE-TIME", b";VALUE=PERIOD")) + line[m.end(1) :]
            )
    return lines


@mutation
def lower_case(lines: Lines, rng: random.Random) -> Lines:
    """Property names and BEGIN/END lines in lower case (names are case-insensitive)."""
    for i in rng.sample(range(len(lines)), k=min(len(lines), rng.randint(1, 10))):
        m = _PROP.match(lines[i])
        if m:
            lines[i] = m.group(1).lower() + lines[i][m.end(1) :]
        elif lines[i].upper().startswith((b"BEGIN:", b"END:")):
            lines[i] = lines[i].lower()
    return lines


@mutation
def splice(lines: Lines, rng: random.Random) -> Lines:
    """One event's lines moved into another (two DTSTARTs, properties of both)."""
    events = _events(lines)
    if len(events) < 2:
        return lines
    (a, b), (c, _) = rng.sample(events, 2)
    moved = lines[a + 1 : b]
    lines[c + 1 : c + 1] = moved[: rng.randint(1, max(len(moved), 1))]
    return lines


def apply(data: bytes, rng_seed: int, names: list[str]) -> bytes:
    """``data`` with the named mutations applied in order, drawing from ``random.Random(rng_seed)``."""
    rng = random.Random(rng_seed)
    lines = data.splitlines(keepends=True) or [b""]
    for name in names:
        lines = MUTATIONS[name](lines, rng) or [b""]
    return b"".join(lines)
