"""Which kind a calendar address is: feeds (also under a DAV path) vs CalDAV collections."""

from __future__ import annotations

import pytest

from traystatus.core.calendar_kind import guess_calendar_kind


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        # Nextcloud: the export link is a feed although it lives under /remote.php/dav/
        ("https://cloud.example.org/remote.php/dav/calendars/u/personal?export", "ics"),
        ("https://cloud.example.org/remote.php/dav/calendars/u/personal/?export&accept=ical", "ics"),
        ("https://cloud.example.org/remote.php/dav/public-calendars/AbC123?export", "ics"),
        ("https://cloud.example.org/remote.php/dav/calendars/u/personal/", "caldav"),
        ("https://cloud.example.org/remote.php/dav", "caldav"),
        # Google secret address, Outlook published calendar, iCloud public calendar
        ("https://calendar.google.com/calendar/ical/me%40gmail.com/private-abc/basic.ics", "ics"),
        ("https://outlook.office365.com/owa/calendar/abc@example.org/def/calendar.ics", "ics"),
        ("webcal://p01-caldav.icloud.com/published/2/MTIz", "ics"),
        ("https://caldav.icloud.com/", "caldav"),
        ("https://mail.example.org/SOGo/dav/me/Calendar/personal/", "caldav"),
        ("https://dav.example.org/cal.php/calendars/me/work.ICS", "ics"),
        ("https://radicale.example.org/me/work/", "ics"),  # nothing says CalDAV: read it as a feed (choose CalDAV)
        ("https://example.org/davide/feed", "ics"),  # "dav" inside a word is not a DAV path
        ("  https://cloud.example.org/remote.php/dav/calendars/u/x?EXPORT  ", "ics"),
    ],
)
def test_guess_calendar_kind(url: str, kind: str) -> None:
    assert guess_calendar_kind(url) == kind
