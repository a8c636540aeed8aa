"""Teammates' pictures for the team clock: downloaded on the worker (Slack's https URLs; Matrix ``mxc://`` through
the homeserver's authenticated thumbnail API), kept in the cache dir, read back from disk when the popup opens.
A picture that cannot be fetched is skipped (the popup shows initials); nothing here raises.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import requests

from traystatus.adapters.private_files import atomic_write, create_private, private_dir

log = logging.getLogger(__name__)

MAX_BYTES = 512 * 1024  # an avatar is a few KiB; refuse anything huge
MISS_AGE = timedelta(days=1)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
THUMBNAIL = "/_matrix/client/v1/media/thumbnail/{server}/{media}?width=96&height=96&method=crop"


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixMedia:
    """Where ``mxc://`` pictures are read: the user's homeserver and access token (never logged)."""

    homeserver: str
    access_token: str = field(repr=False)


def _file_name(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:32] + ".img"


class AvatarCache:
    """``fetch`` (worker thread, network) and ``cached`` (any thread, disk only); keyed by the avatar URL."""

    def __init__(
        self,
        cache_dir: Path,
        *,
        matrix: MatrixMedia | None = None,
        max_age: timedelta = timedelta(days=7),
        session: requests.Session | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.dir = cache_dir / "avatars"
        self._matrix = matrix
        self._max_age = max_age
        self._session = session or requests.Session()
        self._timeout = timeout

    def cached(self, urls: Iterable[str]) -> dict[str, bytes]:
        out = {}
        for url in dict.fromkeys(u for u in urls if u):
            try:
                out[url] = (self.dir / _file_name(url)).read_bytes()
            except OSError:
                continue
        return out

    def fetch(self, urls: Iterable[str], now: datetime) -> int:
        """Download the pictures that are missing or older than ``max_age``; returns how many are on disk."""
        try:
            private_dir(self.dir)
        except OSError as e:
            log.warning("avatar cache %s cannot be created: %s", self.dir, e.strerror)
            return 0
        count = 0
        for url in dict.fromkeys(u for u in urls if u):
            path = self.dir / _file_name(url)
            try:
                fresh = now.timestamp() - path.stat().st_mtime < self._max_age.total_seconds()
            except OSError:
                fresh = False
            miss = path.with_suffix(".miss")  # a picture that failed is not asked for again for a day
            with contextlib.suppress(OSError):
                fresh = fresh or now.timestamp() - miss.stat().st_mtime < MISS_AGE.total_seconds()
            if not fresh:
                data = self._download(url)
                stamp = (now.timestamp(), now.timestamp())  # ages are measured on the caller's clock
                if data is None:
                    with contextlib.suppress(OSError):
                        create_private(miss)
                        os.utime(miss, stamp)
                else:
                    try:
                        atomic_write(path, data)
                        os.utime(path, stamp)
                    except OSError as e:
                        log.warning("avatar cache %s is not writable: %s", self.dir, e.strerror)
                        return count
            count += path.exists()
        return count

    def _request(self, url: str) -> tuple[str, dict[str, str]] | None:
        if url.startswith("mxc://"):
            if self._matrix is None:
                return None
            server, _, media = url[len("mxc://") :].partition("/")
            if not server or not media:
                return None
            path = THUMBNAIL.format(server=quote(server, safe=""), media=quote(media, safe=""))
            return self._matrix.homeserver.rstrip("/") + path, {"Authorization": f"Bearer {self._matrix.access_token}"}
        if url.startswith(("https://", "http://")):
            return url, {}
        return None

    def _download(self, url: str) -> bytes | None:
        target = self._request(url)
        if target is None:
            log.info("avatar %s: not a picture URL this app can read", url[:80])
            return None
        where, headers = target
        try:
            with self._session.get(where, headers=headers, timeout=self._timeout, stream=True) as r:
                kind = r.headers.get("Content-Type", "").split(";")[0].strip().lower()
                if r.status_code != 200 or kind not in IMAGE_TYPES:
                    log.info("avatar %s: HTTP %s, %s", url[:80], r.status_code, kind or "no type")
                    return None
                data = b""
                for chunk in r.iter_content(16384):
                    data += chunk
                    if len(data) > MAX_BYTES:
                        log.info("avatar %s: larger than %d bytes, skipped", url[:80], MAX_BYTES)
                        return None
                return data
        except requests.RequestException as e:
            log.info("avatar %s: %s", url[:80], type(e).__name__)
            return None
