"""The calendar fetch log: one small JSON file in the cache dir with each calendar's latest load.

Written by :func:`~traystatus.adapters.calendar_sources.load_all` (the running app's refreshes, the settings
window's Test) and read by the settings window. Keys are hashes of the locations, messages are the sources'
already-redacted ones: the file never holds a secret address.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from traystatus.adapters.file_lock import locked
from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import WriteWatch
from traystatus.core.calendar_fetch import CalendarFetch
from traystatus.core.errors import CalendarError
from traystatus.core.ports import CalendarResult, CalendarSource

log = logging.getLogger(__name__)

FILE_NAME = "calendar-fetches.json"
#: records kept; the oldest go first (calendars removed or whose address changed)
MAX_RECORDS = 64
_VERSION = 1
_LOCK = threading.Lock()  # loads in one process write one after the other (flock is per open file)


class CalendarFetchLog:
    """``cache_dir/calendar-fetches.json``; reading never raises, writing never raises (it is only a log)."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / FILE_NAME
        self._watch = WriteWatch(log, "the calendar fetch log")

    def __repr__(self) -> str:
        return f"CalendarFetchLog({str(self.path)!r})"

    def read(self) -> dict[str, CalendarFetch]:
        try:
            raw = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            log.warning("Calendar fetch log %s unreadable (%s); starting afresh", self.path, type(e).__name__)
            return {}
        records = raw.get("calendars") if isinstance(raw, dict) else None
        out: dict[str, CalendarFetch] = {}
        for key, entry in (records or {}).items():
            fetch = _from_json(entry)
            if fetch is not None:
                out[str(key)] = fetch
        return out

    def record(self, fetches: Iterable[tuple[str, CalendarFetch]]) -> None:
        """Merge these records (key, fetch) into the file, atomically (a reader sees the old or the new file)."""
        new = dict(fetches)
        if not new:
            return
        with _LOCK, locked(self.path.with_name(f".{FILE_NAME}.lock")):  # the tray and a CLI may both write
            merged = self.read()
            merged.update(new)
            kept = sorted(merged.items(), key=lambda kv: kv[1].attempted_at, reverse=True)[:MAX_RECORDS]
            text = json.dumps({"version": _VERSION, "calendars": {k: _to_json(f) for k, f in kept}}, indent=1)
            try:
                atomic_write(self.path, text)
            except OSError as e:  # only the settings window's "last fetched" column misses it
                self._watch.failed(e, self.path, kept="the calendars were read all the same.")
                return
            self._watch.worked()


def _to_json(fetch: CalendarFetch) -> dict[str, object]:
    return {
        "name": fetch.name,
        "attempted_at": fetch.attempted_at.isoformat(),
        "fetched_at": fetch.fetched_at.isoformat() if fetch.fetched_at else None,
        "events": fetch.events,
        "stale": fetch.stale,
        "error_title": fetch.error_title,
        "error_message": fetch.error_message,
    }


def _from_json(entry: object) -> CalendarFetch | None:
    if not isinstance(entry, dict):
        return None
    try:
        attempted = datetime.fromisoformat(str(entry["attempted_at"]))
        fetched = datetime.fromisoformat(str(entry["fetched_at"])) if entry.get("fetched_at") else None
        if attempted.tzinfo is None or (fetched is not None and fetched.tzinfo is None):
            return None
        return CalendarFetch(
            name=str(entry.get("name", "")),
            attempted_at=attempted,
            fetched_at=fetched,
            events=int(entry.get("events", 0)),
            stale=bool(entry.get("stale", False)),
            error_title=str(entry.get("error_title", "")),
            error_message=str(entry.get("error_message", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None


class LoggedSource:
    """A calendar source whose loads through ``load_all`` go into a fetch log under ``key``."""

    def __init__(self, inner: CalendarSource, *, key: str, fetch_log: CalendarFetchLog) -> None:
        self.inner, self.key, self.fetch_log = inner, key, fetch_log
        self.name = inner.name

    def __repr__(self) -> str:
        return repr(self.inner)  # the inner source's repr is the redacted one

    def load(self, start: datetime, end: datetime) -> CalendarResult:
        return self.inner.load(start, end)

    def last_good(self, start: datetime, end: datetime, error: CalendarError) -> CalendarResult:
        last_good = getattr(self.inner, "last_good", None)
        if callable(last_good):
            result = last_good(start, end, error)
            assert isinstance(result, CalendarResult)
            return result
        return CalendarResult(source=self.name, error=error)
