"""Which calendar addresses are secrets, how they are shown, and the keyring references standing for them."""

from __future__ import annotations

import pytest

from traystatus.core.calendar_secret import (
    address_name,
    holds_secret_address,
    is_reference,
    new_reference_name,
    redact_url,
    reference_name,
    secret_key,
    shown_location,
)

GOOGLE = "https://calendar.google.com/calendar/ical/me%40gmail.com/private-0a1b2c3d4e5f6a7b8c9d/basic.ics"
OUTLOOK = (
    "https://outlook.office365.com/owa/calendar/4f2a9c0e8b7d4e1a@example.com/"
    "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e/calendar.ics"
)


@pytest.mark.parametrize(
    "url",
    [
        GOOGLE,
        OUTLOOK,
        "webcal://p12-caldav.icloud.com/published/2/MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw",
        "https://me:pw@cal.example.org/work.ics",
        "https://cal.example.org/feed.ics?token=abc",
        "https://cal.example.org/feed.ics?access_token=abc",
        "https://cal.example.org/feed.ics?X-Amz-Signature=abc",
        "https://cal.example.org/feed.ics?u=me&h=Zx81ab99cdEF01234567",
        "https://cloud.example.org/remote.php/dav/public-calendars/a1B2c3D4e5F6g7H8?export",
    ],
)
def test_secret_addresses(url: str) -> None:
    assert holds_secret_address(url)
    assert shown_location(url) == redact_url(url) and url.split("://")[1].split("/", 1)[-1] not in shown_location(url)


@pytest.mark.parametrize(
    "location",
    [
        "https://www.officeholidays.com/ics/germany",
        "https://cloud.example.org/remote.php/dav/calendars/u/personal?export",
        "https://cal.example.org/a.ics?design=1&x=1",
        "/home/me/private-0a1b2c3d4e5f6a7b8c9d.ics",  # a file is not an address
        "keyring:work",
    ],
)
def test_not_secret(location: str) -> None:
    assert not holds_secret_address(location) and shown_location(location) == location


def test_redact_keeps_scheme_host_and_port_only() -> None:
    assert redact_url("https://me:pw@cal.example.org:8443/x.ics?t=1") == "https://cal.example.org:8443/…"
    assert redact_url("https://cal.example.org") == "https://cal.example.org"
    assert redact_url("https://cal.example.org:notaport/x") == "https://cal.example.org/…"
    assert redact_url("https://cal.example.org/#frag") == "https://cal.example.org/…"


def test_references() -> None:
    assert is_reference("keyring:work") and is_reference(" KEYRING:work ")
    assert not is_reference("keyring:") and not is_reference("work.ics")
    assert reference_name("keyring:work") == "work" and secret_key("keyring:work") == "calendar:work"
    assert new_reference_name("Work calendar", ()) == "work-calendar"
    assert new_reference_name("Work", {"work", "work-2"}) == "work-3"
    assert new_reference_name("日本", ()) == "calendar"


def test_a_calendar_named_for_its_address_never_takes_its_password() -> None:
    assert address_name("https://me:pw@cal.example.org:8443/x.ics?t=1") == "cal.example.org:8443"
    assert address_name("webcal://p12-caldav.icloud.com/published/2/abc") == "p12-caldav.icloud.com"
    assert address_name("https:///x") == "calendar"
