"""Which kind of calendar an address is: a published ICS feed or a CalDAV collection (a guess; the user decides)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

FEED_SUFFIXES = (".ics", ".ical", ".ifb", ".vcs")


def guess_calendar_kind(url: str) -> str:
    """``"ics"`` or ``"caldav"`` from the address alone.

    A feed marker wins over a DAV path: Nextcloud's export link lives under ``/remote.php/dav/`` but ends in
    ``?export``; Google, Outlook and iCloud feeds end in ``.ics`` or use ``webcal://``. Only then does a
    ``/dav`` path segment or a ``caldav`` host mean CalDAV. Anything else is read as a feed.
    """
    parts = urlsplit(url.strip())
    path = parts.path.lower()
    params = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if parts.scheme.lower() in ("webcal", "webcals") or "export" in params or path.endswith(FEED_SUFFIXES):
        return "ics"
    segments = [s for s in path.split("/") if s]
    if any(s in ("dav", "caldav", "caldav.php") for s in segments) or "caldav" in (parts.hostname or ""):
        return "caldav"
    return "ics"
