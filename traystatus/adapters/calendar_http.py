"""Fetching ICS feeds over HTTP(S)/webcal: a total deadline, size caps, conditional GET and a disk cache.

The cache keeps the last good body per feed (named by a hash of the URL, never the URL itself)
with its ETag/Last-Modified, so an unchanged feed costs one 304, and a failing feed still serves.
A body replaces the cached copy only once it reads as a whole calendar (:func:`body_problem`): an
HTML error page sent with 200, an empty or a cut-off body never empties the user's plan.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests

from traystatus.adapters.bounded_http import BoundedSession, RedirectRefused, bounded, header_problem, read_timeout
from traystatus.adapters.clock import utc_now
from traystatus.adapters.private_files import atomic_write, private_dir
from traystatus.adapters.storage_problems import WriteWatch
from traystatus.core.calendar_secret import redact_url
from traystatus.core.errors import CalendarError

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
USER_AGENT = "traystatus (calendar feed reader)"


class _Urllib3Redactor(logging.Filter):
    """urllib3 logs request lines ("GET /calendar/ical/…/private-…/basic.ics") at DEBUG: drop the paths."""

    _REQUEST = re.compile(r'((?:GET|HEAD|POST|PUT|DELETE|OPTIONS|PROPFIND|REPORT|MKCALENDAR) )/[^\s"]*')
    _URL = re.compile(r'((?:https?|webcal)://[^/\s"\']+)/[^\s"\']*')

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = self._URL.sub(r"\1/…", self._REQUEST.sub(r"\1/…", message))
        record.args = ()
        return True


def install_urllib3_redaction() -> None:
    """Idempotent: attach the redactor to the urllib3 loggers that print URLs."""
    for name in ("urllib3.connectionpool", "urllib3.util.retry"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Urllib3Redactor) for f in logger.filters):
            logger.addFilter(_Urllib3Redactor())


def normalize_url(url: str) -> str:
    """webcal:// is https:// (Apple, Outlook and Google hand out webcal links)."""
    lower = url.lower()
    if lower.startswith("webcal://"):
        return "https://" + url[len("webcal://") :]
    if lower.startswith("webcals://"):
        return "https://" + url[len("webcals://") :]
    return url


_COPY_SERVES = re.compile(r"\b(the) last good copy is (?:used meanwhile|kept)", re.IGNORECASE)


def without_copy(error: CalendarError) -> CalendarError:
    """``error`` for a calendar with no earlier copy on this computer: its "the last good copy is used
    meanwhile" would promise events that are not there."""
    message = _COPY_SERVES.sub(lambda m: f"{m.group(1)} calendar has no earlier copy to use meanwhile", error.message)
    return CalendarError(error.title, message) if message != error.message else error


def is_url(location: str) -> bool:
    return location.lower().split("://", 1)[0] in ("http", "https", "webcal", "webcals") and "://" in location


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedBody:
    data: bytes
    sha256: str
    fetched_at: datetime  # the last time the server confirmed this body (200 or 304)


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchOutcome:
    body: FeedBody | None  # the fresh body, or the last good copy when ``error`` is set
    error: CalendarError | None = None


def body_problem(data: bytes, name: str) -> CalendarError | None:
    """Why a fetched body is not a whole calendar worth caching (None when it is): the parser's own linear
    check (empty, a web page, not iCalendar, cut off before its END:VCALENDAR by a dropped connection,
    which looks like a normal end to HTTP without Content-Length)."""
    from traystatus.adapters.calendar_parse import validate_body  # icalendar & co: only with a body to read

    return validate_body(data, name)


class HttpFeed:
    """One feed URL with its cache entry in ``cache_dir``; ``fetch()`` never raises.

    ``timeout``: the most one fetch takes, connecting, headers and body together (a trickling server
    is cut off there); ``max_bytes`` caps the body. ``unvalidated_every`` (seconds): a feed whose last
    answer had neither ETag nor Last-Modified (each fetch a whole download) is fetched at most this often
    by this object (the app's periodic refresh); its copy answers in between. A new process (``plan``)
    always asks.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str,
        cache_dir: Path,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 10,
        session: requests.Session | None = None,
        unvalidated_every: float = 0.0,
    ) -> None:
        self._url = normalize_url(url)
        self.name = name
        self._timeout = timeout
        self._connect_timeout = min(connect_timeout, timeout)
        self._max_bytes = max_bytes
        key = hashlib.sha256(self._url.encode()).hexdigest()[:32]
        self._body_path = cache_dir / f"feed-{key}.ics"
        self._meta_path = cache_dir / f"feed-{key}.json"
        self._cache_dir = cache_dir
        self._session = session or BoundedSession()
        self._session.max_redirects = max_redirects
        self._memory: FeedBody | None = None  # avoids re-reading the disk copy on every 304
        self._unvalidated_every = unvalidated_every
        self._fetched_here = False  # this object has had an answer from the server
        self._cache_watch = WriteWatch(log, "the calendar cache")
        install_urllib3_redaction()

    def __repr__(self) -> str:
        return f"HttpFeed({self.name!r}, {redact_url(self._url)!r})"

    # -- cache -------------------------------------------------------------------------------
    def _meta(self) -> dict[str, str]:
        try:
            meta = json.loads(self._meta_path.read_text("utf-8"))
            return meta if isinstance(meta, dict) else {}
        except (OSError, ValueError):
            return {}

    def cached(self) -> FeedBody | None:
        """The last good copy, from memory or disk."""
        if self._memory is not None:
            return self._memory
        meta = self._meta()
        try:
            data = self._body_path.read_bytes()
            fetched_at = datetime.fromisoformat(meta["fetched_at"])
        except (OSError, KeyError, ValueError):
            return None
        sha = hashlib.sha256(data).hexdigest()
        if sha != meta.get("sha256"):
            return None  # a torn write: not trustworthy
        self._memory = FeedBody(data=data, sha256=sha, fetched_at=fetched_at)
        return self._memory

    def _store(self, data: bytes, etag: str, last_modified: str) -> FeedBody:
        now = utc_now()
        sha = hashlib.sha256(data).hexdigest()
        try:
            private_dir(self._cache_dir)
            old = self.cached()
            if old is None or old.sha256 != sha:
                atomic_write(self._body_path, data)  # meeting titles: for this user only (0600)
            self._write_meta(sha, now, etag, last_modified)
        except OSError as e:  # a full or read-only cache: the calendar was read all the same
            self._cache_watch.failed(e, self._body_path, kept="the calendar is used from memory meanwhile.")
        self._memory = FeedBody(data=data, sha256=sha, fetched_at=now)
        self._fetched_here = True
        return self._memory

    def _write_meta(self, sha: str, fetched_at: datetime, etag: str, last_modified: str) -> None:
        meta = {"sha256": sha, "fetched_at": fetched_at.isoformat(), "etag": etag, "last_modified": last_modified}
        try:
            atomic_write(self._meta_path, json.dumps(meta))
        except OSError as e:
            self._cache_watch.failed(e, self._meta_path, kept="the calendar is used from memory meanwhile.")
            return
        self._cache_watch.worked()

    # -- fetch -------------------------------------------------------------------------------
    def fetch(self) -> FetchOutcome:
        try:
            return FetchOutcome(body=self._fetch())
        except CalendarError as e:
            cached = self.cached()
            if cached is None:
                e = without_copy(e)
            log.info("%s: %s", e.title, e.message)  # the caller says it to the user (once)
            return FetchOutcome(body=cached, error=e)

    def _error(self, what: str, todo: str) -> CalendarError:
        return CalendarError(
            f"Calendar '{self.name}' could not be fetched", f"{what} ({redact_url(self._url)}). {todo}"
        )

    def _fetch(self) -> FeedBody:
        cached = self.cached()
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
        meta = self._meta() if cached is not None else {}
        fetched_here = self._memory is not None and self._fetched_here
        if fetched_here and cached is not None and not meta.get("etag") and not meta.get("last_modified"):
            age = (utc_now() - cached.fetched_at).total_seconds()
            if 0 <= age < self._unvalidated_every:
                log.debug("Calendar '%s': no validators; the copy from %.0f s ago serves", self.name, age)
                return cached
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
        with bounded(self._timeout) as watch:
            try:
                got = self._get(headers, cached, meta)
            except requests.exceptions.RequestException as e:
                raise self._failure(e, watch.reason) from None
            if watch.reason:  # the body's end was the deadline shutting the socket, not the server's
                raise self._failure(requests.exceptions.ReadTimeout(), watch.reason)
        if isinstance(got, FeedBody):
            return got
        data, etag, last_modified, content_type = got
        self._check_body(data, content_type)
        self._check_whole(data)
        return self._store(data, etag, last_modified)

    def _get(
        self, headers: dict[str, str], cached: FeedBody | None, meta: dict[str, str]
    ) -> FeedBody | tuple[bytes, str, str, str]:
        """The cached copy, confirmed by a 304, or (body, ETag, Last-Modified, Content-Type)."""
        with self._session.get(self._url, headers=headers, stream=True, timeout=read_timeout(self._timeout)) as resp:
            if resp.status_code == 304 and cached is not None:
                now = utc_now()
                self._write_meta(cached.sha256, now, meta.get("etag", ""), meta.get("last_modified", ""))
                self._memory = FeedBody(data=cached.data, sha256=cached.sha256, fetched_at=now)
                log.debug("Calendar '%s': not modified", self.name)
                return self._memory
            self._check_status(resp.status_code)
            data = self._read_capped(resp)
            h = resp.headers
            return data, h.get("ETag", ""), h.get("Last-Modified", ""), h.get("Content-Type", "")

    def _failure(self, e: requests.exceptions.RequestException, fired: str) -> CalendarError:
        """A request failure said for people: what happened and what to do (``fired``: the deadline's reason)."""
        meanwhile = "The last good copy is used meanwhile."
        if fired == "stopping":
            return self._error("the fetch was stopped because traystatus is quitting", meanwhile)
        if fired:
            return self._error(
                f"no complete answer within {self._timeout:g} s (the server stopped answering or is too slow)",
                f"It is retried at the next refresh. {meanwhile}",
            )
        if isinstance(e, RedirectRefused):
            return self._error(
                f"the server redirects to {e.target}, which is neither https nor the same server and port",
                "Redirects are followed only to https or within the same server: copy the calendar's "
                f"final https address into the settings. {meanwhile}",
            )
        if isinstance(e, requests.exceptions.TooManyRedirects):
            return self._error(
                "the server redirects in a loop",
                "Open the link in a browser to check it, then copy the calendar's address again.",
            )
        if isinstance(e, requests.exceptions.SSLError):
            return self._error(
                "the secure connection failed (the server's certificate is not trusted)",
                f"Check the address; behind a company proxy, point REQUESTS_CA_BUNDLE at its certificate. {meanwhile}",
            )
        if isinstance(e, requests.exceptions.ConnectTimeout):
            return self._error("the server did not answer in time", f"Check your connection. {meanwhile}")
        oversized = header_problem(e)
        if oversized:
            return self._error(oversized, f"This is not a calendar server's answer: check the address. {meanwhile}")
        if isinstance(e, requests.exceptions.ReadTimeout) or "timed out" in str(e).lower():
            return self._error(
                f"the server stopped answering (no data for {self._timeout:g} s)",
                f"It is retried at the next refresh. {meanwhile}",
            )
        if isinstance(e, requests.exceptions.ChunkedEncodingError):
            return self._error(
                "the server broke off the download before the end",
                f"It is retried at the next refresh. {meanwhile}",
            )
        if isinstance(e, requests.exceptions.ConnectionError):
            return self._error("the server could not be reached", f"Check your connection and the address. {meanwhile}")
        if isinstance(e, requests.exceptions.InvalidURL):
            return self._error("the address is not a valid URL", "Copy the calendar's address again.")
        return self._error(f"the request failed ({type(e).__name__})", "It is retried at the next refresh.")

    def _check_status(self, status: int) -> None:
        if status in (401, 403):
            raise self._error(
                f"the server refused access (HTTP {status})",
                "The link may have been reset or need a login: copy the calendar's secret/published address again.",
            )
        if status in (404, 410):
            raise self._error(
                f"no calendar at this address (HTTP {status})",
                "The calendar may have been unpublished or its address reset: copy it again.",
            )
        if status >= 500:
            raise self._error(
                f"the server failed (HTTP {status})",
                "It is retried at the next refresh; the last good copy is used meanwhile.",
            )
        if status != 200:
            raise self._error(f"unexpected answer HTTP {status}", "Check the calendar's address.")

    def _read_capped(self, resp: requests.Response) -> bytes:
        limit_mb = self._max_bytes / (1024 * 1024)
        too_big = self._error(
            f"the feed is larger than {limit_mb:g} MB",
            "Publish a smaller calendar (e.g. only future events) or use a CalDAV source.",
        )
        length = resp.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self._max_bytes:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_content(chunk_size=256 * 1024):  # the deadline of bounded() ends a trickle
            size += len(chunk)
            if size > self._max_bytes:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def _check_body(self, data: bytes, content_type: str) -> None:
        head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if b"BEGIN:VCALENDAR" in head.upper() or head.upper().startswith(b"BEGIN:VEVENT"):  # a bare VEVENT too
            return
        if head.startswith(b"<") or "html" in content_type.lower():
            raise self._error(
                "the address returned a web page (HTML), not a calendar",
                "Use the calendar's iCal/ICS link (for Google: 'Secret address in iCal format'); "
                "a login page means the link is not public.",
            )
        if not data.strip(b"\xef\xbb\xbf \t\r\n"):
            raise self._error(
                "the server sent an empty answer instead of the calendar",
                "It is retried at the next refresh; the last good copy is used meanwhile.",
            )
        raise self._error("the address did not return an iCalendar file", "Use the calendar's iCal/ICS link.")

    def _check_whole(self, data: bytes) -> None:
        """The last good copy is replaced only by a whole calendar."""
        problem = body_problem(data, self.name)
        if problem is not None:  # its message says the good copy is kept; add where, and when it is retried
            raise CalendarError(
                problem.title, f"{problem.message} ({redact_url(self._url)}; retried at the next refresh)"
            )
