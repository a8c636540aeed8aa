"""HTTP for calendar fetches with bounds requests lacks: a total deadline, a redirect policy, a stop switch.

requests' ``timeout`` is per socket read: a server trickling a byte a second (in its headers or its body)
never trips it. Here every socket a :class:`BoundedSession` opens is registered with the deadline of the
fetch running on that thread (:func:`bounded`); a timer shuts the sockets down when the deadline passes,
which wakes the blocked read at once. :func:`abort_all` does the same for every fetch in progress (the
headless runner calls it on SIGTERM, so a stuck fetch cannot hold the process).

Redirects are followed only to https or to the same origin (scheme, host and port): a feed link that
suddenly points at another port or at plain http is refused with :class:`RedirectRefused`.
DNS look-ups are not interruptible from Python; the deadline bounds everything after them.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class RedirectRefused(requests.exceptions.RequestException):
    """A redirect to plain http on another origin; ``target`` is the redirect's scheme://host:port only."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class Watch:
    """One fetch's deadline and the sockets it opened; ``reason`` is set once it fired."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.reason = ""  # "deadline" or "stopping" once fired
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            fired = bool(self.reason)
            if not fired:
                self._sockets.append(sock)
        if fired:
            _shut(sock)

    def fire(self, reason: str) -> None:
        with self._lock:
            if self.reason:
                return
            self.reason = reason
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Wakes a read blocked on ``sock`` in another thread (it sees end of stream)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


_local = threading.local()
_active: set[Watch] = set()
_active_lock = threading.Lock()
_stopping = threading.Event()


def _current() -> Watch | None:
    watch = getattr(_local, "watch", None)
    return watch if isinstance(watch, Watch) else None


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[Watch]:
    """Everything a :class:`BoundedSession` does on this thread inside the block ends by ``seconds`` from now."""
    watch = Watch(seconds)
    if _stopping.is_set():
        watch.fire("stopping")
    timer = threading.Timer(seconds, watch.fire, args=("deadline",))
    timer.name = "fetch-deadline"
    timer.daemon = True
    previous = _current()
    _local.watch = watch
    with _active_lock:
        _active.add(watch)
    timer.start()
    try:
        yield watch
    finally:
        timer.cancel()
        timer.join()  # cancelled: returns at once; no thread outlives its fetch
        with _active_lock:
            _active.discard(watch)
        _local.watch = previous


def fired() -> str:
    """Why the current :func:`bounded` block's deadline ended its sockets ("" if it did not)."""
    watch = _current()
    return watch.reason if watch is not None else ""


def abort_all() -> None:
    """Ends every bounded fetch in progress now, and every later one at once (the process is stopping)."""
    _stopping.set()
    with _active_lock:
        watches = list(_active)
    for watch in watches:
        watch.fire("stopping")


def read_timeout(seconds: float) -> tuple[float, float]:
    """requests' (connect, read) timeouts inside the current :func:`bounded` block: a little past its
    deadline, so that the deadline (one clear message) ends a slow fetch, not a read timeout racing it."""
    watch = _current()
    left = seconds if watch is None else min(seconds, watch.remaining()) + 0.5
    return min(10.0, left), left


def origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def redirect_allowed(source: str, target: str) -> bool:
    """https anywhere (feeds move between hosts), or the same scheme, host and port."""
    return urlsplit(target).scheme.lower() == "https" or origin(source) == origin(target)


def _check_redirect(resp: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    location = resp.headers.get("Location")
    if not resp.is_redirect or not location:
        return
    target = urljoin(resp.url, location)
    if not redirect_allowed(resp.url, target):
        scheme, host, port = origin(target)
        resp.close()
        raise RedirectRefused(f"{scheme}://{host}:{port}")


class _Conn(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch = _current()
        if watch is not None:
            watch.add(sock)
        return sock

    def getresponse(self) -> Any:  # a connection reused from the pool was opened by an earlier fetch
        watch = _current()
        if watch is not None:
            watch.add(self.sock)
        return super().getresponse()


class _TlsConn(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        watch = _current()
        if watch is not None:
            watch.add(sock)  # bounds the TLS handshake too
        return sock

    def getresponse(self) -> Any:
        watch = _current()
        if watch is not None:
            watch.add(self.sock)
        return super().getresponse()


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Conn


class _TlsPool(HTTPSConnectionPool):
    ConnectionCls = _TlsConn


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}
        return manager


class BoundedSession(requests.Session):
    """A ``requests.Session`` whose sockets obey :func:`bounded` and whose redirects obey the policy."""

    def __init__(self) -> None:
        super().__init__()
        self.mount("http://", _Adapter())
        self.mount("https://", _Adapter())
        self.hooks["response"].append(_check_redirect)


def header_problem(error: BaseException) -> str:
    """What http.client refused in the server's headers ("" if that was not it): a line over 64 KB, over
    100 header lines. requests reports it as a connection error, which would wrongly say "not reached"."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            break
        for arg in (seen, *getattr(seen, "args", ())):
            text = str(arg)
            if "header line" in text or "more than 100 headers" in text:
                return "the server sent oversized headers (a line over 64 KB or more than 100 lines)"
            if "status line" in text and "more than" in text:
                return "the server sent an oversized status line"
        seen = seen.__cause__ or seen.__context__
    return ""
