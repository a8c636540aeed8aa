"""The settings window and a secret calendar address: saved into the real Secret Service (the file names it
only), a plain one from an older config shown redacted and kept as it is until the next save moves it, and a
Test of the calendar fetched over real HTTP through the keyring entry."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring
from pytestqt.qtbot import QtBot

from tests.fixtures.http_feeds import FeedServer, Route
from tests.qt.test_settings_window import add_url, open_window, wait_saved
from traystatus.qt.settings.pages_io import CalendarsPage

TOKEN = "a1b2c3d4e5f6a7b8c9d0e1f2"
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:a@test\r\n"
    "DTSTART:20990101T100000Z\r\nDTEND:20990101T110000Z\r\nSUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def shown_cells(page: CalendarsPage) -> str:
    t = page.table.table
    return " ".join(t.item(r, c).text() for r in range(t.rowCount()) for c in range(t.columnCount()) if t.item(r, c))


def test_a_secret_address_added_in_the_window_goes_to_the_keyring(
    qtbot: QtBot, os_keyring: KeyringBackend, feed_server: FeedServer, tmp_path: Path
) -> None:
    path = f"/owa/calendar/me@example.org/{TOKEN}/calendar.ics"
    feed_server.routes[path] = Route(body=ICS.encode())
    url = feed_server.url(path)
    config = tmp_path / "config.toml"
    config.write_text('timezone = "UTC"\n')
    w = open_window(qtbot, config, tmp_path)
    page = w.page("Calendars")
    assert isinstance(page, CalendarsPage)
    dialog = add_url(qtbot, page, url)
    assert "This address is a password: it is kept in the OS keyring" in dialog.detected.text()  # said before
    dialog.accept()
    text = wait_saved(qtbot, config, "keyring:")
    ref = f"127-0-0-1-{feed_server.base.rsplit(':', 1)[1]}"  # named for the host, as the calendar is
    assert TOKEN not in text and f'url = "keyring:{ref}"' in text
    assert os_keyring.get_password("traystatus", f"calendar:{ref}") == url
    assert "now lives in the OS keyring" in w.status.text() and TOKEN not in w.status.text()
    qtbot.waitUntil(lambda: f"keyring:{ref}" in shown_cells(page), timeout=5000)  # the table names it too
    page.table.table.setCurrentCell(0, 0)
    page.test_selected()
    qtbot.waitUntil(lambda: "Testing" not in page.result.text(), timeout=10000)
    assert page.result.text().endswith(": no events in the next 14 days")  # read, and its event is in 2099
    assert len(feed_server.hits(path)) == 1


def test_a_plain_secret_address_is_shown_redacted_and_kept_until_saved(
    qtbot: QtBot, os_keyring: KeyringBackend, tmp_path: Path
) -> None:
    url = f"https://calendar.google.com/calendar/ical/me%40example.org/private-{TOKEN}/basic.ics"
    config = tmp_path / "config.toml"
    config.write_text(f'timezone = "UTC"\n[[calendars]]\nname = "Work"\nurl = "{url}"\n')
    w = open_window(qtbot, config, tmp_path)
    page = w.page("Calendars")
    assert isinstance(page, CalendarsPage)
    assert "https://calendar.google.com/…" in shown_cells(page) and TOKEN not in shown_cells(page)
    assert page.table.rows()[0]["url"] == url  # the real value stays behind the redacted cell
    page.table.table.item(0, 0).setText("Work mail")  # an edit elsewhere saves, and moves the address
    text = wait_saved(qtbot, config, "Work mail")
    assert 'url = "keyring:work-mail"' in text and TOKEN not in text
    assert os_keyring.get_password("traystatus", "calendar:work-mail") == url


def test_a_new_secret_address_is_not_written_when_the_keyring_refuses_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plaintext keyring is refused: the window says why and the file never gets the address."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "plain"))
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        config = tmp_path / "config.toml"
        config.write_text('timezone = "UTC"\n')
        w = open_window(qtbot, config, tmp_path)
        page = w.page("Calendars")
        assert isinstance(page, CalendarsPage)
        add_url(qtbot, page, f"https://calendar.google.com/calendar/ical/x/private-{TOKEN}/basic.ics").accept()
        qtbot.waitUntil(lambda: "Not saved" in w.status.text(), timeout=5000)
        assert "Insecure keyring refused" in w.status.text() and TOKEN not in w.status.text()
        assert config.read_text() == 'timezone = "UTC"\n'
        w.close()  # closing saves the last valid edit: still refused
        assert TOKEN not in config.read_text() and not list((tmp_path / "plain").rglob("*.cfg"))
    finally:
        keyring.set_keyring(previous)
