"""CalDAV sync-collection (RFC 6578) against a real Radicale, with a second client (plain requests) editing
the calendar as another party would: the next refresh sees each change, and what it cost is counted."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from tests.adapters.test_calendar_caldav import CountingSession, MemorySecrets, _single
from tests.fixtures.radicale import RadicaleServer
from traystatus.adapters.calendar_caldav import CaldavCalendarSource, secret_key
from traystatus.core.ports import CalendarResult

BERLIN = ZoneInfo("Europe/Berlin")
WEEK = (datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 30, tzinfo=BERLIN))


def source(server: RadicaleServer, url: str, cache: Path, session: requests.Session) -> CaldavCalendarSource:
    secrets = MemorySecrets({secret_key("Work"): server.password})
    return CaldavCalendarSource(
        "Work", url, username=server.user, secrets=secrets, zone=BERLIN, session=session, cache_dir=cache
    )


def titles(result: CalendarResult) -> list[str]:
    assert result.error is None, result.error
    return sorted(e.title for e in result.events)


class OtherClient:
    """Another party editing the same calendar over plain CalDAV (PUT/DELETE), as a phone or a colleague would."""

    def __init__(self, server: RadicaleServer, url: str) -> None:
        self.url, self.auth = url, (server.user, server.password)

    def put(self, uid: str, day: int, title: str) -> None:
        ics = _single(uid, f"202611{day:02d}T090000Z", f"202611{day:02d}T093000Z", title)
        r = requests.put(
            f"{self.url}{uid}.ics",
            data=ics.encode(),
            auth=self.auth,
            headers={"Content-Type": "text/calendar"},
            timeout=10,
        )
        assert r.status_code in (201, 204), r.text

    def delete(self, uid: str) -> None:
        assert requests.delete(f"{self.url}{uid}.ics", auth=self.auth, timeout=10).status_code in (200, 204)


def test_unchanged_costs_one_small_report_and_a_change_only_what_changed(
    radicale_server: RadicaleServer, tmp_path: Path
) -> None:
    url = radicale_server.make_calendar("synced", "Synced")
    other = OtherClient(radicale_server, url)
    for i in range(40):
        other.put(f"ev{i}", 24 + i % 5, f"Meeting {i:02d}")
    session = CountingSession()
    src = source(radicale_server, url, tmp_path, session)
    assert len(titles(src.load(*WEEK))) == 40
    assert session.methods == ["REPORT", "REPORT"]  # the member list, then one multiget of all 40
    first_bytes = session.bytes

    session.reset()
    assert len(titles(src.load(*WEEK))) == 40
    assert session.methods == ["REPORT"]  # unchanged: one sync-collection answering "nothing new"
    assert session.bytes < 1500 < first_bytes

    other.put("added", 25, "Added by a colleague")
    session.reset()
    assert "Added by a colleague" in titles(src.load(*WEEK))
    assert session.methods == ["REPORT", "REPORT"]  # the change list, then only the new event
    assert session.bytes < first_bytes / 5

    other.put("ev3", 26, "Moved and renamed")
    other.delete("ev4")
    session.reset()
    seen = titles(src.load(*WEEK))
    assert "Moved and renamed" in seen and "Meeting 03" not in seen and "Meeting 04" not in seen
    assert len(seen) == 40  # 40 + added - deleted
    assert session.methods == ["REPORT", "REPORT"]

    other.delete("added")
    session.reset()
    assert "Added by a colleague" not in titles(src.load(*WEEK))
    assert session.methods == ["REPORT"]  # a deletion needs no multiget


def test_a_new_process_starts_from_the_private_cache(radicale_server: RadicaleServer, tmp_path: Path) -> None:
    url = radicale_server.make_calendar("cached", "Cached")
    other = OtherClient(radicale_server, url)
    other.put("a", 24, "Standup")
    assert titles(source(radicale_server, url, tmp_path, CountingSession()).load(*WEEK)) == ["Standup"]
    (cache,) = tmp_path.glob("caldav-*.json")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600  # event texts are private
    text = cache.read_text()
    assert "/alice/cached" not in cache.name and radicale_server.password not in text

    session = CountingSession()
    later = source(radicale_server, url, tmp_path, session)  # a new process: `plan`, a restarted tray
    assert titles(later.load(*WEEK)) == ["Standup"]
    assert session.methods == ["REPORT"]

    other.put("b", 25, "Review")
    session.reset()
    assert titles(source(radicale_server, url, tmp_path, session).load(*WEEK)) == ["Review", "Standup"]
    assert session.methods == ["REPORT", "REPORT"]


def test_a_token_the_server_forgot_reads_the_list_again(radicale_server: RadicaleServer, tmp_path: Path) -> None:
    url = radicale_server.make_calendar("forgot", "Forgot")
    other = OtherClient(radicale_server, url)
    other.put("a", 24, "Kept")
    assert titles(source(radicale_server, url, tmp_path, CountingSession()).load(*WEEK)) == ["Kept"]
    (cache,) = tmp_path.glob("caldav-*.json")
    raw = json.loads(cache.read_text())
    raw["token"] = "http://radicale.org/ns/sync/unknown-token"
    cache.write_text(json.dumps(raw))
    other.put("b", 25, "New")
    session = CountingSession()
    assert titles(source(radicale_server, url, tmp_path, session).load(*WEEK)) == ["Kept", "New"]
    assert session.methods[:2] == ["REPORT", "REPORT"]  # refused token, then the whole list
    assert len(session.methods) == 3  # and only the event not held already


def test_the_server_failing_serves_the_synced_copy_to_a_new_process_with_its_age(
    radicale_server: RadicaleServer, tmp_path: Path
) -> None:
    url = radicale_server.make_calendar("down", "Down")
    OtherClient(radicale_server, url).put("a", 24, "Planning")
    good = source(radicale_server, url, tmp_path, CountingSession()).load(*WEEK)
    secrets = MemorySecrets({secret_key("Work"): "wrong now"})
    broken = CaldavCalendarSource(
        "Work", url, username=radicale_server.user, secrets=secrets, zone=BERLIN, cache_dir=tmp_path
    ).load(*WEEK)
    assert broken.error is not None and "401" in broken.error.message
    assert [e.title for e in broken.events] == ["Planning"] and broken.stale
    assert good.fetched_at is not None and broken.fetched_at is not None
    assert abs(broken.fetched_at - good.fetched_at) < timedelta(seconds=2)
