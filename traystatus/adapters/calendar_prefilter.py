"""Pre-filter of raw ICS text: drop VEVENT blocks that cannot touch a window before parsing them.

Parsing is what a big feed costs (most of its events are years away). Each VEVENT block is read
with a few string operations; a block is dropped only when it provably has no occurrence near the
window, so the expansion of what is kept equals the expansion of the whole file. Anything unusual
(RDATE, THISANDFUTURE, unreadable dates, exotic rules, duplicate UIDs or overrides) is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: naive and zoned times are compared as if UTC: no zone is more than 14 h off, and a DTEND in
#: another zone than its DTSTART misreads the length by at most 26 h (the all-day UNTIL fix is
#: covered in ``_last_start``).
MARGIN = timedelta(days=3)
_PROPS = re.compile(
    r"^(DTSTART|DTEND|DURATION|RRULE|RDATE|RECURRENCE-ID|UID)([;:][^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)",
    re.MULTILINE | re.IGNORECASE,
)
_EXDATE = re.compile(r"^EXDATE[;:][^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*", re.MULTILINE | re.IGNORECASE)
#: a physical line that is the start of a BEGIN:/END: line, folded on (the component boundary hides in the fold)
_BROKEN_NESTING = re.compile(
    r"^(?:b(?:e(?:g(?:i(?:n(?::[a-z-]*)?)?)?)?)?|e(?:n(?:d(?::[a-z-]*)?)?)?)\r?\n[ \t]", re.MULTILINE
)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_FOLD = re.compile(r"\r?\n[ \t]")
_DURATION = re.compile(r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_PERIOD = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
}


@dataclass(slots=True)
class _Block:
    start: int
    end: int
    uid: str = ""
    override: bool = False
    keep: bool | None = None  # None: decided after all blocks are known (overrides)
    span: tuple[datetime, datetime] | None = None  # the block's own [start, end]
    rid: datetime | None = None
    length: timedelta = timedelta(0)
    exdates: bool = False


def prefilter(text: str, start: datetime, end: datetime) -> str:
    """The ICS text with only the VEVENTs that may overlap [start, end); the rest of the text unchanged."""
    lower = text.translate(_ASCII_LOWER)  # str.lower() may change lengths (İ): offsets must stay valid
    if lower.count("\nbegin:") + lower.startswith("begin:") != lower.count("\nend:"):
        return text  # a component left open or closed twice: the parser decides what it means
    if _BROKEN_NESTING.search(lower):
        return text  # "b" + "\r\n egin:vevent": a BEGIN/END only the parser's unfolding sees
    if "begin:vcalendar" not in lower:
        return text  # bare VEVENTs (no VCALENDAR around them): cutting all of them would make it "not a calendar"
    blocks = _split(text, lower)
    if not blocks or not _outside_nests(lower, blocks):
        return text
    lo = start.astimezone(UTC).replace(tzinfo=None) - MARGIN
    hi = end.astimezone(UTC).replace(tzinfo=None) + MARGIN
    masters: dict[str, list[_Block]] = {}
    sticky: set[str] = set()  # UIDs whose every block is kept
    for b in blocks:
        try:
            _judge(text, b, lo, hi, sticky)
        except (OverflowError, ValueError):  # DURATION:P99999999W, COUNT=10**14: past datetime's range
            b.keep, b.span = True, None  # kept whole; the parser decides what it means (and names it)
        if not b.override:
            masters.setdefault(b.uid, []).append(b)
            if b.span is None:  # its instances' length is unknown: keep every override of it
                sticky.add(b.uid)
    sticky.update(uid for uid, group in masters.items() if len(group) > 1)
    seen: set[tuple[str, datetime]] = set()
    for b in blocks:  # one instance overridden twice (SEQUENCE decides): the library's choice, not ours
        if b.override and b.rid is not None:
            if (b.uid, b.rid) in seen:
                sticky.add(b.uid)
            seen.add((b.uid, b.rid))
    for b in blocks:
        if b.uid in sticky:
            b.keep = True
        elif b.keep is None:  # an override: its own time, or the instance it replaces, near the window
            group = masters.get(b.uid)
            length = group[0].length if group else timedelta(0)
            near = b.span is not None and b.span[0] <= hi and b.span[1] >= lo
            replaced = b.rid is not None and b.rid <= hi and _plus(b.rid, length) >= lo
            b.keep = near or replaced
    kept_rids: dict[str, list[datetime]] = {}  # the master's EXDATE of a kept override's instance hides it
    for b in blocks:
        if b.keep and b.override and b.rid is not None:
            kept_rids.setdefault(b.uid, []).append(b.rid)
    for uid in kept_rids:
        for master in masters.get(uid, ()):
            master.keep = True
    parts: list[str] = []
    pos = 0
    changed = False
    for b in blocks:
        if not b.keep:
            parts.append(text[pos : b.start])
            pos, changed = b.end, True
        elif b.exdates and b.span is not None and not b.override and b.uid not in sticky:
            pruned = _prune_exdates(text[b.start : b.end], _plus(lo, -b.length), hi, kept_rids.get(b.uid, []))
            if pruned is not None:
                parts.append(text[pos : b.start])
                parts.append(pruned)
                pos, changed = b.end, True
    if not changed:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def _plus(moment: datetime, td: timedelta) -> datetime:
    """``moment + td``, or datetime's bound it overflows (a DURATION of P99999999W, a year 9999 RECURRENCE-ID)."""
    try:
        return moment + td
    except OverflowError:
        return datetime.max if td > timedelta(0) else datetime.min  # noqa: DTZ901 - naive here, as lo and hi


_TZID = re.compile(r";TZID=(\"[^\"]*\"|[^:;]*)", re.IGNORECASE)


def _exdates_like_start(body: str, dtstart: str) -> bool:
    """Every EXDATE is written like DTSTART (same TZID, UTC or not): only then may values be cut. A UTC EXDATE
    on a floating or unknown-zone start makes the library read the whole series in UTC: cutting the last one
    would move every instance."""
    zone = _TZID.search(dtstart.split(":", 1)[0] + ":")
    utc = dtstart.rstrip().upper().endswith("Z")
    for m in _EXDATE.finditer(body):
        line = _FOLD.sub("", m.group(0)).rstrip("\r\n")
        head, _, values = line.rpartition(":")
        other = _TZID.search(head + ":")
        if (zone and zone.group(1)) != (other and other.group(1)):
            return False
        if any(v.strip().upper().endswith("Z") != utc for v in values.split(",")):
            return False
    return True


def _prune_exdates(block: str, lo: datetime, hi: datetime, rids: list[datetime]) -> str | None:
    """Drop EXDATE values that cannot hide an instance near the window (they are half of a big series)."""
    changed = False

    def prune(m: re.Match[str]) -> str:
        nonlocal changed
        line = _FOLD.sub("", m.group(0)).rstrip("\r\n")
        head, _, values = line.rpartition(":")
        kept = []
        for v in values.split(","):
            moment = _moment(":" + v)
            if moment is None or lo <= moment[0] <= hi or any(abs(moment[0] - r) <= MARGIN for r in rids):
                kept.append(v)
        if len(kept) == len(values.split(",")):
            return m.group(0)
        changed = True
        return f"{head}:{','.join(kept)}\r\n" if kept else ""

    out = _EXDATE.sub(prune, block)
    return out if changed else None


def _split(text: str, lower: str) -> list[_Block]:
    """VEVENT blocks as (start, end) offsets, each from its BEGIN line to after its END line.

    Empty (the file is left alone) at the first sign of a broken structure: the parser decides then.
    """
    out: list[_Block] = []
    pos = 0
    begin, finish = "BEGIN:VEVENT", "\nEND:VEVENT"
    if lower.count("begin:vevent") != text.count(begin) or lower.count(finish.lower()) != text.count(finish):
        return []  # "begin:VEVENT": names are case-insensitive and the parser sees an event this search would not
    while True:
        b = text.find(begin, pos)
        if b < 0:
            return out
        if (
            (b > 0 and text[b - 1] != "\n")
            or text[b + 12 : b + 13] not in ("\r", "\n")
            or text[b + 13 : b + 15].lstrip("\n")[:1] in (" ", "\t")
        ):
            return []  # not a line of its own, or folded on
        e = text.find(finish, b)
        if e < 0 or text[e + 11 : e + 12] not in ("\r", "\n", ""):
            return []  # unterminated, or "END:VEVENTS"
        e += len(finish)
        while e < len(text) and text[e] in "\r\n":
            e += 1
        if text[e : e + 1] in (" ", "\t"):
            return []  # "END:VEVENT" folded on: not the end the parser sees
        if not _balanced(lower, b, e):
            return []
        out.append(_Block(b, e))
        pos = e


_NESTING = re.compile(r"^(BEGIN|END):([^\r\n]*)", re.MULTILINE | re.IGNORECASE)
#: a property's first line with no colon, folded on: the fold is inside its name or parameters
_NAME_FOLD = re.compile(r"^[^ \t\r\n:][^:\r\n]*\r?\n[ \t]", re.MULTILINE)
_FOLDED_NESTING = re.compile(r"^(?:BEGIN|END):[^\r\n]*\r?\n[ \t]", re.MULTILINE | re.IGNORECASE)
_SUBCOMPONENT = re.compile(r"^BEGIN:", re.MULTILINE | re.IGNORECASE)


def _balanced(lower: str, start: int, end: int) -> bool:
    """The block's BEGIN/END lines nest properly (a stray END:VALARM would make the parser read it differently)."""
    if lower.count("\nbegin:", start, end) == 0 and lower.count("\nend:", start, end) == 1:
        return True  # the usual case: no subcomponent
    if _FOLDED_NESTING.search(lower, start, end):
        return False  # a BEGIN/END line folded on: the parser reads another name
    stack: list[str] = []
    closed = 0  # times the block's own component closed: once, at its end ("end:vevent" in lower case
    for m in _NESTING.finditer(lower, start, end):  # would otherwise glue two events into one block)
        name = m.group(2).strip().upper()
        if m.group(1).upper() == "BEGIN":
            if closed or (stack and name not in ("VALARM", "VLOCATION") and not name.startswith("X-")):
                return False  # a VTIMEZONE or VEVENT inside an event: the file's structure is broken
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
        elif not stack:
            closed += 1
    return not stack and closed == 1


def _outside_nests(lower: str, blocks: list[_Block]) -> bool:
    """The text around the VEVENT blocks nests properly on its own (an END:STANDARD without its BEGIN, with
    END:VCALENDAR gone too, balances the counts: cutting events would change what the parser makes of it)."""
    stack: list[str] = []
    pos = 0
    for b in [*blocks, _Block(len(lower), len(lower))]:
        for m in _NESTING.finditer(lower, pos, b.start):
            name = m.group(2).strip()
            if m.group(1) == "begin":
                stack.append(name)
            elif not stack or stack.pop() != name:
                return False
        if b.start < len(lower) and stack != ["vcalendar"]:
            return False  # a VEVENT inside something else than the calendar itself
        pos = b.end
    return not stack


def _judge(text: str, b: _Block, lo: datetime, hi: datetime, sticky: set[str]) -> None:
    body = text[b.start + 12 : b.end]
    if _SUBCOMPONENT.search(body):  # VALARM & co carry their own DURATION, even a UID
        body = _without_subcomponents(body)
    props: dict[str, str] = {}
    for found, rest in _PROPS.findall(body):
        name = found.upper()  # property names are case-insensitive
        if name in props:
            if name == "RRULE":  # several RRULEs: keep (rare, and the union is hard to bound)
                b.keep = True
            continue
        props[name] = _FOLD.sub("", rest) if "\n" in rest else rest
    b.uid = props.get("UID", ":").split(":", 1)[-1].strip()
    if _NAME_FOLD.search(body):  # "RRU" + fold + "LE:…": a name the search above cannot see; the parser decides
        sticky.add(b.uid)
        b.keep = True
        return
    b.override = "RECURRENCE-ID" in props
    rid_line = props.get("RECURRENCE-ID", "")
    if b.override and ("RRULE" in props or "RDATE" in props or "THISANDFUTURE" in rid_line.upper()):
        sticky.add(b.uid)  # a range, or a series of its own once its master is gone (the parser promotes it)
        b.keep = True
        return
    if b.keep:
        return
    first = _moment(props.get("DTSTART"))
    length = None if first is None else _length(props, *first)
    if first is None or length is None or "RDATE" in props:
        b.keep = True
        if b.override:  # which instance it replaces, and how the library ranks it, is unknown: keep them all
            sticky.add(b.uid)
        return
    dtstart = first[0]
    b.length = length
    b.span = (dtstart, dtstart + length)
    if b.override:
        rid = _moment(rid_line)
        if rid is None:
            b.keep = True
        else:
            b.rid = rid[0]
        return
    if dtstart > hi:
        b.keep = False
        return
    rule = props.get("RRULE")
    b.exdates = _EXDATE.search(body) is not None and _exdates_like_start(body, props["DTSTART"])
    if rule is None:
        b.keep = dtstart + length >= lo
        return
    last = _last_start(rule.split(":", 1)[-1], dtstart)
    b.keep = last is None or last + length >= lo


def _without_subcomponents(body: str) -> str:
    """The block's own lines: nested components (balanced, see ``_balanced``) cut out."""
    out, pos, depth = [], 0, 0
    for m in _NESTING.finditer(body):
        if m.group(1).upper() == "BEGIN":
            if depth == 0:
                out.append(body[pos : m.start()])
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                pos = m.end()
    out.append(body[pos:] if depth == 0 else "")
    return "".join(out)


def _moment(line: str | None) -> tuple[datetime, bool] | None:
    """(naive datetime, is_date) from a property line like ``;TZID=X:20260101T100000Z``."""
    if not line:
        return None
    value = line[line.rfind(":") + 1 :]
    if "," in value:
        value = value[: value.find(",")]
    value = value.strip()
    if len(value) not in (8, 15, 16):
        return None
    try:
        moment = datetime.fromisoformat(value)  # 3.11 reads the basic format: 20260101T100000Z
    except ValueError:
        return None
    return moment.replace(tzinfo=None), len(value) == 8


def _duration(value: str) -> timedelta | None:
    m = _DURATION.match(value.strip())
    if m is None or not any(m.groups()[1:]):
        return None
    sign, w, d, h, mi, s = m.groups()
    td = timedelta(weeks=int(w or 0), days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=int(s or 0))
    return -td if sign == "-" else td


def _length(props: dict[str, str], dtstart: datetime, is_date: bool) -> timedelta | None:
    """How long one instance lasts (≥ 0), or None when it cannot be read (keep the block)."""
    if "DTEND" in props:
        dtend = _moment(props["DTEND"])
        if dtend is None or dtend[0] < dtstart:  # an end before the start: the library swaps them (year 1 → 2019)
            return None
        return max(dtend[0] - dtstart, timedelta(days=1) if is_date else timedelta(0))
    if "DURATION" in props:
        td = _duration(props["DURATION"].rsplit(":", 1)[-1])
        return None if td is None else max(td, timedelta(0))
    return timedelta(days=1) if is_date else timedelta(0)


def _last_start(rule: str, dtstart: datetime) -> datetime | None:
    """A bound on the last instance's start, or None when the rule is open-ended or too exotic to bound."""
    parts = dict(p.split("=", 1) for p in rule.strip().upper().split(";") if "=" in p)
    if "UNTIL" in parts:
        until = _moment(":" + parts["UNTIL"])
        return None if until is None else until[0] + timedelta(days=1)  # DATE UNTIL counts the whole day
    if "COUNT" not in parts:
        return None
    freq = parts.get("FREQ", "")
    by = {k for k in parts if k.startswith("BY")}
    step = _PERIOD.get(freq)
    if step is None or not parts["COUNT"].isdigit() or not parts.get("INTERVAL", "1").isdigit():
        return None
    if by - {"BYDAY"} or ("BYDAY" in by and (freq not in ("DAILY", "WEEKLY") or re.search(r"\d", parts["BYDAY"]))):
        return None
    if "BYDAY" in by and freq == "DAILY":
        step = timedelta(weeks=1)  # at least one matching day a week
    count, interval = int(parts["COUNT"]), max(int(parts.get("INTERVAL", "1")), 1)
    return dtstart + step * interval * count + timedelta(weeks=1)
