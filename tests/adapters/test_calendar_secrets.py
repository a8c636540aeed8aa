"""A calendar behind a keyring reference, with the real Secret Service and feeds over real HTTP: the keyring is
read at the first load, after a failed one and hourly, not at every refresh (a locked keyring prompts)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from keyring.backend import KeyringBackend

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.adapters.calendar_secrets import REREAD_SECONDS, LazySecrets, SecretAddressSource
from traystatus.adapters.calendar_sources import build_sources, load_all
from traystatus.adapters.secrets import KeyringSecretStore
from traystatus.core.settings import CalendarSourceConfig, Settings

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}@t\r\nDTSTAMP:20261101T000000Z\r\n"
    "DTSTART:20261124T100000Z\r\nDTEND:20261124T110000Z\r\nSUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
WINDOW = (datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))


class CountingStore:
    """The real keyring store, counting reads."""

    def __init__(self) -> None:
        self.inner, self.reads = KeyringSecretStore(), 0

    def get(self, key: str) -> str | None:
        self.reads += 1
        return self.inner.get(key)

    def set(self, key: str, value: str) -> None:
        self.inner.set(key, value)

    def delete(self, key: str) -> None:
        self.inner.delete(key)


def test_the_keyring_is_read_once_then_after_a_failure(
    os_keyring: KeyringBackend, feed_server: FeedServer, tmp_path: Path
) -> None:
    old, new = "/cs/private-aaaa1111bbbb2222/basic.ics", "/cs/private-cccc3333dddd4444/basic.ics"
    feed_server.routes[old] = Route(body=ICS.format(uid="old").encode(), etag='"1"')
    feed_server.routes[new] = Route(body=ICS.format(uid="new").encode(), etag='"1"')
    os_keyring.set_password("traystatus", "calendar:work", feed_server.url(old))
    store = CountingStore()
    settings = Settings(calendars=(CalendarSourceConfig(name="Work", location="keyring:work"),))
    sources = build_sources(settings, cache_dir=tmp_path, secrets=store)
    assert "private-" not in repr(sources[0])
    for _ in range(3):
        [result] = load_all(sources, *WINDOW)
        assert [e.title for e in result.events] == ["old"]
    assert store.reads == 1 and len(feed_server.hits(old)) == 3
    # the address is reset: the old one is gone, the new one is put in the keyring
    feed_server.routes[old] = Route(status=404, body=b"gone")
    os_keyring.set_password("traystatus", "calendar:work", feed_server.url(new))
    [result] = load_all(sources, *WINDOW)
    assert result.stale and [e.title for e in result.events] == ["old"]  # the last good copy serves meanwhile
    [result] = load_all(sources, *WINDOW)
    assert result.error is None and [e.title for e in result.events] == ["new"]
    assert store.reads == 2 and len(feed_server.hits(new)) == 1


def test_the_keyring_is_read_again_after_an_hour(
    os_keyring: KeyringBackend, feed_server: FeedServer, tmp_path: Path
) -> None:
    path = "/cs/hourly/private-eeee5555ffff6666.ics"
    feed_server.routes[path] = Route(body=ICS.format(uid="h").encode())
    os_keyring.set_password("traystatus", "calendar:h", feed_server.url(path))
    store, now = CountingStore(), [0.0]
    source = SecretAddressSource(
        "H",
        "keyring:h",
        make=lambda url: IcsCalendarSource("H", url, zone=ZoneInfo("UTC"), cache_dir=tmp_path),
        secrets=LazySecrets(store),
        clock=lambda: now[0],
    )
    source.load(*WINDOW)
    now[0] = REREAD_SECONDS - 1
    source.load(*WINDOW)
    assert store.reads == 1
    now[0] = REREAD_SECONDS + 1
    assert [e.title for e in source.load(*WINDOW).events] == ["h"]
    assert store.reads == 2


def test_a_missing_entry_is_that_calendars_error_with_the_fix(tmp_path: Path, os_keyring: KeyringBackend) -> None:
    settings = Settings(calendars=(CalendarSourceConfig(name="Work calendar", location="keyring:gone"),))
    [result] = load_all(build_sources(settings, cache_dir=tmp_path), *WINDOW)
    assert result.error is not None and result.error.title == "Calendar 'Work calendar' could not be read"
    assert "`traystatus calendar add - --name 'Work calendar'`" in result.error.message  # the config's name
    assert "`keyring set traystatus calendar:gone`" in result.error.message
