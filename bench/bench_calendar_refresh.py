"""What refreshing calendars costs per hour, on the network: requests and bytes (both ways, headers included).

Today's way (the baseline, measured in the same run): a 15-minute refresh; CalDAV asks the collection's
ctag (PROPFIND) and reads the whole time range again (calendar-query REPORT) when it moved; a feed is a
conditional GET. The new way: a 2-minute refresh; CalDAV keeps in step with sync-collection (one small
REPORT when nothing changed, a multiget of only the changed events when something did); feeds as before.
Against a real Radicale and an HTTP feed server on 127.0.0.1, each calendar with ``--events`` events (200).

Scenarios per hour: nothing changes; one event changes every 15 minutes; and a new process (``plan``,
``status``) reading the calendar once. Run: ``.venv/bin/python bench/bench_calendar_refresh.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.fixtures.http_feeds import Route, serving  # noqa: E402
from tests.fixtures.radicale import RadicaleServer, running_radicale  # noqa: E402
from traystatus.adapters.bounded_http import BoundedSession  # noqa: E402
from traystatus.adapters.calendar_caldav import ENV_PASSWORD, CaldavCalendarSource  # noqa: E402
from traystatus.adapters.calendar_http import HttpFeed  # noqa: E402
from traystatus.core.settings import UNVALIDATED_FEED_MINUTES  # noqa: E402

ZONE = ZoneInfo("Europe/Berlin")
TODAY_MINUTES, NEW_MINUTES, CHANGE_EVERY = 15, 2, 15


class Counting(BoundedSession):
    """The sources' own session kind, counting requests and bytes both ways (bodies and header lines)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0
        self.bytes = 0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        resp = super().request(method, url, *args, **kwargs)
        self.requests += 1
        self.bytes += len(resp.content) + len(resp.request.body or b"")
        self.bytes += sum(len(k) + len(v) + 4 for k, v in (*resp.headers.items(), *resp.request.headers.items()))
        return resp


@dataclass
class Cost:
    requests: int = 0
    bytes: int = 0

    def __str__(self) -> str:
        return f"{self.requests:4d} requests {self.bytes / 1024:9.1f} KB"


def event(uid: str, day: datetime, title: str) -> str:
    fmt = "%Y%m%dT%H%M%SZ"
    start = day.astimezone(UTC)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:{title}\r\nDTSTART:{start:{fmt}}\r\n"
        f"DTEND:{start + timedelta(minutes=30):{fmt}}\r\nDESCRIPTION:{'Agenda and notes. ' * 8}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def feed_body(n: int, now: datetime, changed: int) -> bytes:
    events = [
        event(f"f{i}", now + timedelta(hours=i % 240), f"Meeting {i} v{changed if i == 0 else 0}") for i in range(n)
    ]
    inner = "".join(e.split("PRODID:-//bench//EN\r\n", 1)[1].rsplit("END:VCALENDAR", 1)[0] for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n{inner}END:VCALENDAR\r\n".encode()


def hour(interval: int, refresh: Callable[[], None], change: Callable[[int], None] | None) -> None:
    """The refreshes of one hour at ``interval`` minutes; ``change(k)`` when the k-th change is due."""
    changes = 0
    for minute in range(0, 60, interval):
        if change is not None and minute // CHANGE_EVERY >= changes:
            changes += 1
            change(changes)
        refresh()


def caldav(server: RadicaleServer, n: int, cache: Path) -> dict[str, tuple[Cost, Cost]]:
    now = datetime.now(UTC)
    window = (now - timedelta(days=1), now + timedelta(days=10))
    out: dict[str, tuple[Cost, Cost]] = {}
    auth = (server.user, server.password)
    for scenario in ("nothing changes", f"an event changes every {CHANGE_EVERY} min", "a new process reads once"):
        costs = []
        for way in ("today", "new"):
            url = server.make_calendar(f"bench-{way}-{len(out)}")
            for i in range(n):
                server.put(url, f"e{i}", event(f"e{i}", now + timedelta(hours=i % 240), f"Meeting {i}"))

            def make(session: requests.Session, url: str = url, way: str = way) -> CaldavCalendarSource:
                name = url.rstrip("/").rsplit("/", 1)[1]
                src = CaldavCalendarSource(
                    "Bench", url, username=server.user, secrets=None, zone=ZONE, session=session, cache_dir=cache / name
                )
                if way == "today":
                    src._syncs = False  # the ctag + time-range reads the sync replaces (still its fallback)
                return src

            warm = make(Counting())
            _ok(warm.load(*window))  # the copy the hour starts from, and the cache a new process finds
            session = Counting()
            if scenario.startswith("a new"):
                _ok(make(session).load(*window))
            else:
                warm._client.session = session  # count from here on

                def change(k: int, url: str = url) -> None:
                    body = event("e0", now + timedelta(hours=2), f"Moved {k}").encode()
                    r = requests.put(f"{url}e0.ics", data=body, auth=auth, timeout=10)
                    assert r.status_code in (201, 204)

                minutes = TODAY_MINUTES if way == "today" else NEW_MINUTES
                hour(minutes, lambda src=warm: _ok(src.load(*window)), change if "changes every" in scenario else None)
            costs.append(Cost(session.requests, session.bytes))
        out[scenario] = (costs[0], costs[1])
    return out


def _ok(result: Any) -> None:
    assert result.error is None, result.error


def feeds(n: int, cache: Path) -> dict[str, tuple[Cost, Cost]]:
    now = datetime.now(UTC)
    out: dict[str, tuple[Cost, Cost]] = {}
    with serving() as server:
        for scenario in (
            "nothing changes (ETag)",
            f"a change every {CHANGE_EVERY} min (ETag)",
            f"no validators ({UNVALIDATED_FEED_MINUTES} min both)",
        ):
            costs = []
            for way in ("today", "new"):
                path = f"/bench/{len(out)}/{way}.ics"
                validators = "ETag" in scenario
                server.routes[path] = Route(body=feed_body(n, now, 0), etag='"0"' if validators else "")
                session = Counting()
                feed = HttpFeed(server.url(path), name="Bench", cache_dir=cache / way, session=session)
                feed.fetch()  # the copy the hour starts from
                session.requests = session.bytes = 0

                def change(k: int, path: str = path) -> None:
                    server.routes[path] = Route(body=feed_body(n, now, k), etag=f'"{k}"')

                minutes = TODAY_MINUTES if way == "today" else NEW_MINUTES
                if not validators:  # the running app fetches these every 15 min still (its clock, not this run's)
                    minutes = UNVALIDATED_FEED_MINUTES
                hour(minutes, lambda feed=feed: _fetched(feed), change if "change every" in scenario else None)
                costs.append(Cost(session.requests, session.bytes))
            out[scenario] = (costs[0], costs[1])
    return out


def _fetched(feed: HttpFeed) -> None:
    assert feed.fetch().error is None


def report(kind: str, rows: dict[str, tuple[Cost, Cost]]) -> None:
    print(f"\n{kind}: per hour, today ({TODAY_MINUTES}-min refresh) vs new ({NEW_MINUTES}-min refresh)")
    for scenario, (today, new) in rows.items():
        ratio = new.bytes / today.bytes if today.bytes else float("nan")
        print(f"  {scenario:36s} today {today}   new {new}   bytes new/today {ratio:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "radicale").mkdir()
        with running_radicale(root / "radicale") as server:
            os.environ[ENV_PASSWORD] = server.password  # as headless use would pass it
            report(f"CalDAV (Radicale, {args.events} events)", caldav(server, args.events, root / "cache"))
        report(f"ICS feed (127.0.0.1, {args.events} events)", feeds(args.events, root / "feeds"))


if __name__ == "__main__":
    main()
