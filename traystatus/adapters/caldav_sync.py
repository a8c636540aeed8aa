"""CalDAV collection sync (RFC 6578 ``sync-collection``) and its cache between processes.

An unchanged collection costs one small REPORT that returns the same ``DAV:sync-token``; a change costs
that REPORT (listing only the changed and removed members with their ETags) plus one
``calendar-multiget`` of the changed ones. The members' iCalendar text, their ETags and the token live in
one private file in the cache dir (named by a hash of the collection URL, never the URL itself), so a new
process (``plan``, ``status``, a restarted tray) starts from there instead of reading everything again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from traystatus.adapters.private_files import atomic_write

log = logging.getLogger(__name__)

DAV, CAL = "DAV:", "urn:ietf:params:xml:ns:caldav"
#: members asked for per calendar-multiget (servers limit request sizes)
MULTIGET_BATCH = 200
#: members kept per collection: past this the calendar is read by time range instead (memory bound)
MAX_MEMBERS = 20_000
_VERSION = 1


def sync_body(token: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="{DAV}">'
        f"<d:sync-token>{escape(token)}</d:sync-token><d:sync-level>1</d:sync-level>"
        "<d:prop><d:getetag/></d:prop></d:sync-collection>"
    )


def multiget_body(hrefs: Iterable[str]) -> str:
    listed = "".join(f"<d:href>{escape(h)}</d:href>" for h in hrefs)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="{DAV}" xmlns:c="{CAL}">'
        f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{listed}</c:calendar-multiget>"
    )


def is_invalid_token(status: int, body: bytes) -> bool:
    """The server no longer knows our token (RFC 6578 §3.2: DAV:valid-sync-token precondition)."""
    return status in (403, 409, 410) and b"valid-sync-token" in body


def is_unsupported(status: int) -> bool:
    """The collection answers, but not to sync-collection: read it by time range instead."""
    return status in (400, 403, 405, 409, 415, 422, 501)


@dataclass(frozen=True, slots=True)
class Changes:
    token: str
    changed: dict[str, str]  # href → ETag ("" if the server sent none)
    removed: frozenset[str]


def _status_ok(el: ET.Element) -> bool:
    status = el.findtext(f"{{{DAV}}}status") or ""
    return " 200 " in f"{status} " or status.endswith(" 200")


def normal_href(href: str) -> str:
    """Servers answer with paths, sometimes full URLs, sometimes percent-encoded differently."""
    return unquote(urlsplit(href.strip()).path)


def parse_changes(root: ET.Element) -> Changes:
    changed: dict[str, str] = {}
    removed: set[str] = set()
    for resp in root.iter(f"{{{DAV}}}response"):
        href = normal_href(resp.findtext(f"{{{DAV}}}href") or "")
        if not href or href.endswith("/"):  # the collection itself
            continue
        if "404" in (resp.findtext(f"{{{DAV}}}status") or ""):
            removed.add(href)
            continue
        etag = ""
        for propstat in resp.iter(f"{{{DAV}}}propstat"):
            if _status_ok(propstat):
                etag = (propstat.findtext(f"{{{DAV}}}prop/{{{DAV}}}getetag") or "").strip()
        changed[href] = etag
    token = (root.findtext(f"{{{DAV}}}sync-token") or "").strip()
    return Changes(token=token, changed=changed, removed=frozenset(removed))


def parse_multiget(root: ET.Element) -> dict[str, tuple[str, str]]:
    """href → (ETag, iCalendar text) for the members the server returned."""
    out: dict[str, tuple[str, str]] = {}
    for resp in root.iter(f"{{{DAV}}}response"):
        href = normal_href(resp.findtext(f"{{{DAV}}}href") or "")
        for propstat in resp.iter(f"{{{DAV}}}propstat"):
            if not _status_ok(propstat):
                continue
            data = propstat.findtext(f"{{{DAV}}}prop/{{{CAL}}}calendar-data") or ""
            etag = (propstat.findtext(f"{{{DAV}}}prop/{{{DAV}}}getetag") or "").strip()
            if href and "BEGIN:VCALENDAR" in data:
                out[href] = (etag, data)
    return out


@dataclass(slots=True, kw_only=True)
class SyncState:
    """What we hold of one collection: the token it gave us, its members as of that token."""

    token: str = ""
    members: dict[str, tuple[str, str]] = field(default_factory=dict)  # href → (ETag, iCalendar text)
    fetched_at: datetime | None = None  # when the server last confirmed this state (the file's mtime)

    def apply(self, changes: Changes, fetched: dict[str, tuple[str, str]], *, full: bool) -> None:
        """``full``: the listing was from an empty token, so a member it does not name is gone."""
        members = {} if full else dict(self.members)
        if full:
            members.update({h: self.members[h] for h in changes.changed if h in self.members})
        for href in changes.removed:
            members.pop(href, None)
        for href in changes.changed:
            if href in fetched:
                members[href] = fetched[href]
            elif href not in members or members[href][0] != changes.changed[href]:
                members.pop(href, None)  # changed, then deleted before the multiget: gone
        self.members, self.token = members, changes.token

    def stale_members(self, changes: Changes) -> list[str]:
        """The changed members whose text we do not hold at that ETag (a member without ETag: always)."""
        return [h for h, etag in changes.changed.items() if not etag or self.members.get(h, ("",))[0] != etag]


class SyncCache:
    """``cache_dir/caldav-<hash>.json``, private (0600); reading and writing never raise."""

    def __init__(self, cache_dir: Path, url: str) -> None:
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        self.path = cache_dir / f"caldav-{key}.json"

    def load(self) -> SyncState | None:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
            if not isinstance(raw, dict) or raw.get("version") != _VERSION:
                return None
            members = {str(h): (str(m[0]), str(m[1])) for h, m in dict(raw["members"]).items()}
            fetched = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
            return SyncState(token=str(raw["token"]), members=members, fetched_at=fetched)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
            log.warning(
                "CalDAV cache %s unreadable (%s): reading the calendar afresh", self.path.name, type(e).__name__
            )
            return None

    def confirm(self) -> None:
        """The server confirmed the state unchanged: only the file's time moves (no rewrite of every event)."""
        with contextlib.suppress(OSError):
            os.utime(self.path)

    def save(self, state: SyncState) -> None:
        text = json.dumps({"version": _VERSION, "token": state.token, "members": state.members})
        try:
            atomic_write(self.path, text)  # event texts are private (0600)
        except OSError as e:
            log.warning("CalDAV cache %s not written: %s", self.path.name, e.strerror or type(e).__name__)
