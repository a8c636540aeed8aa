"""The user's working hours as a CalDAV server keeps them: the ``calendar-availability`` property (RFC 7953 §7).

Where it lives: on the scheduling inbox (``schedule-inbox-URL`` of the current user's principal, RFC 7953
§7.2.4), in the CalDAV namespace or Apple's (``http://calendarserver.org/ns/``); some servers (Xandikos) and
clients keep it on the calendar collection instead, and a server without scheduling (Radicale) stores it there
as a dead property. Reading tries the inbox, then the collection, the CalDAV name before Apple's (the order
Cyrus's own free-busy uses); writing goes where it was found (the inbox when the server has one). The two names
are separate properties on Cyrus: a save also updates an Apple copy that says otherwise, or Apple clients keep
showing the old hours. Each read is one or two small PROPFINDs (Depth 0), cheap enough for every refresh.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin
from xml.sax.saxutils import escape

import requests

from traystatus.core.errors import CalendarError

log = logging.getLogger(__name__)

_DAV, _CAL, _CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
_NAMES = (f"{{{_CAL}}}calendar-availability", f"{{{_CS}}}calendar-availability")
#: an availability larger than this is not a weekly schedule (and must not cost memory): ignored, said
MAX_BYTES = 256 * 1024
#: a multistatus carries the property under both names (Cyrus answers the Apple one with the CalDAV value)
_MAX_ANSWER = 4 * MAX_BYTES
_TOO_LARGE = f"is larger than {MAX_BYTES // 1024} KB: ignored"

#: ``request(method, url, body, depth)``: one authenticated request with the source's session and timeouts
Request = Callable[[str, str, str, str], requests.Response]


@dataclass(frozen=True, slots=True, kw_only=True)
class FoundAvailability:
    text: str  # the iCalendar text with the VAVAILABILITY components ("" when not set)
    url: str  # where it was found or would be written
    where: str  # "scheduling inbox" or "calendar"
    problem: str = ""  # said to the user (too large, the server refused, …)


def _propfind(names: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="{_DAV}" xmlns:c="{_CAL}" xmlns:cs="{_CS}">'
        f"<d:prop>{names}</d:prop></d:propfind>"
    )


class _Oversized(Exception):
    """A multistatus too large to hold a weekly schedule: the availability in it is ignored, and said."""


def _ok_props(resp: requests.Response) -> dict[str, ET.Element]:
    """The properties a 207 multistatus answered with 200, by their ``{ns}name``; :class:`_Oversized` past
    ``_MAX_ANSWER`` (never parsed, never silently "not set")."""
    if resp.status_code != 207:
        return {}
    if len(resp.content) > _MAX_ANSWER:
        raise _Oversized
    try:
        root = ET.fromstring(resp.content)  # noqa: S314 - no DTDs or entities in a multistatus; bounded size
    except ET.ParseError:
        return {}
    out: dict[str, ET.Element] = {}
    for propstat in root.iter(f"{{{_DAV}}}propstat"):
        status = propstat.findtext(f"{{{_DAV}}}status") or ""
        if " 200 " not in f"{status} ":
            continue
        for prop in propstat.iter(f"{{{_DAV}}}prop"):
            for child in prop:
                out[child.tag] = child
    return out


def _text_of(props: dict[str, ET.Element]) -> tuple[str | None, str]:
    for name in _NAMES:
        el = props.get(name)
        if el is not None and (el.text or "").strip():
            text = el.text or ""
            if len(text.encode()) > MAX_BYTES:
                return None, _TOO_LARGE
            return text, ""
    return None, ""


class CaldavAvailability:
    """Reads and writes ``calendar-availability`` for the user of one CalDAV calendar collection."""

    def __init__(self, collection_url: str, request: Request) -> None:
        self._collection = collection_url
        self._request = request
        self._inbox: str | None = None  # discovered once per process

    def _discover(self) -> tuple[str | None, str]:
        """One PROPFIND of the collection: its availability and the user's principal; then the principal's
        scheduling inbox (once per process). Returns the collection's availability text and a problem."""
        body = _propfind("<d:current-user-principal/><c:calendar-availability/><cs:calendar-availability/>")
        try:
            props = _ok_props(self._request("PROPFIND", self._collection, body, "0"))
        except (requests.RequestException, CalendarError) as e:
            self._inbox = None
            return None, f"could not be read ({type(e).__name__})"
        except _Oversized:
            return None, _TOO_LARGE
        if self._inbox is None:
            self._inbox = ""
            href = props.get(f"{{{_DAV}}}current-user-principal")
            principal = href.findtext(f"{{{_DAV}}}href") if href is not None else None
            if principal:
                url = urljoin(self._collection, principal)
                try:
                    found = _ok_props(self._request("PROPFIND", url, _propfind("<c:schedule-inbox-URL/>"), "0"))
                except (requests.RequestException, CalendarError, _Oversized) as e:
                    log.info("no scheduling inbox found (%s): availability from the calendar", type(e).__name__)
                    found = {}
                inbox = found.get(f"{{{_CAL}}}schedule-inbox-URL")
                inbox_href = inbox.findtext(f"{{{_DAV}}}href") if inbox is not None else None
                if inbox_href:
                    self._inbox = urljoin(url, inbox_href)
        return _text_of(props)

    def _read_at(self, url: str) -> tuple[str | None, str]:
        body = _propfind("<c:calendar-availability/><cs:calendar-availability/>")
        try:
            return _text_of(_ok_props(self._request("PROPFIND", url, body, "0")))
        except (requests.RequestException, CalendarError) as e:
            return None, f"could not be read ({type(e).__name__})"
        except _Oversized:
            return None, _TOO_LARGE

    def read(self) -> FoundAvailability:
        """The availability the server keeps, inbox first; ``text`` is "" when none is set."""
        on_calendar, calendar_problem = self._discover()
        problems = []
        inbox = self._inbox or ""
        if inbox:
            text, problem = self._read_at(inbox)
            if problem:
                problems.append(f"the availability on the scheduling inbox {problem}")
            if text:
                return FoundAvailability(text=text, url=inbox, where="scheduling inbox", problem="; ".join(problems))
        if calendar_problem:
            problems.append(f"the availability on the calendar {calendar_problem}")
        if on_calendar:
            return FoundAvailability(
                text=on_calendar, url=self._collection, where="calendar", problem="; ".join(problems)
            )
        where = "scheduling inbox" if inbox else "calendar"
        return FoundAvailability(text="", url=inbox or self._collection, where=where, problem="; ".join(problems))

    def write(self, ics: str) -> FoundAvailability:
        """Store ``ics`` (a VCALENDAR with VAVAILABILITY) where the server keeps it, so other clients see it."""
        target = self.read()
        stored, status = self._set(target.url, _CAL, ics)
        if not stored:
            return FoundAvailability(
                text="",
                url=target.url,
                where=target.where,
                problem=f"the server did not store the working hours on the {target.where} (HTTP {status})",
            )
        self._update_apple_copy(target.url, ics)
        return FoundAvailability(text=ics, url=target.url, where=target.where)

    def _set(self, url: str, namespace: str, ics: str) -> tuple[bool, int]:
        """PROPPATCH the property under ``namespace``: whether the server stored it, and its HTTP status."""
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><d:propertyupdate xmlns:d="{_DAV}" xmlns:x="{namespace}">'
            f"<d:set><d:prop><x:calendar-availability>{escape(ics)}</x:calendar-availability></d:prop></d:set>"
            "</d:propertyupdate>"
        )
        resp = self._request("PROPPATCH", url, body, "0")
        try:
            stored = f"{{{namespace}}}calendar-availability" in _ok_props(resp)
        except _Oversized:
            stored = False
        return stored, resp.status_code

    def _update_apple_copy(self, url: str, ics: str) -> None:
        """Apple's name, where the server keeps it apart and it now says otherwise, gets the same hours (its own
        request: a server that refuses that name must not undo the standard one). Best effort, logged."""
        try:
            props = _ok_props(self._request("PROPFIND", url, _propfind("<cs:calendar-availability/>"), "0"))
        except (requests.RequestException, CalendarError, _Oversized) as e:
            log.warning("the Apple copy of the working hours was not checked: %s", type(e).__name__)
            return
        el = props.get(_NAMES[1])
        copy = (el.text or "") if el is not None else ""
        if not copy.strip() or _same_text(copy, ics):
            return
        try:
            if self._set(url, _CS, ics)[0]:
                return
        except (requests.RequestException, CalendarError) as e:
            log.warning("the Apple copy of the working hours was not updated: %s", type(e).__name__)
            return
        log.warning("the server did not update the Apple copy of the working hours: Apple clients show the old ones")


def _same_text(a: str, b: str) -> bool:
    """Equal but for line endings (an XML body turns CRLF into LF) and surrounding blanks."""
    return re.sub(r"\r\n?", "\n", a).strip() == re.sub(r"\r\n?", "\n", b).strip()
