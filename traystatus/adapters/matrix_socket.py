"""A ``requests.Session`` whose in-flight requests another thread can cut short (the sync loop's quick stop).

A thread blocked in a long poll cannot be cancelled in Python; shutting its socket down from another thread
makes the blocked read return at once. The session remembers the sockets of its own connections for that.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class _Sockets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self.closed = False

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.add(sock)
            if not self.closed:
                return
        _shut(sock)

    def shut_all(self) -> None:
        with self._lock:
            socks = list(self._open)
        for sock in socks:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def _adapter(sockets: _Sockets) -> HTTPAdapter:
    class Conn(HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class TlsConn(HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Conn

    class TlsPool(HTTPSConnectionPool):
        ConnectionCls = TlsConn

    class Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": TlsPool}

    return Adapter()


class InterruptibleSession(requests.Session):
    """``interrupt()`` (any thread) ends every request in flight, and later ones, with a ``ConnectionError``."""

    def __init__(self) -> None:
        super().__init__()
        self._sockets = _Sockets()
        adapter = _adapter(self._sockets)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def interrupt(self) -> None:
        """End every request in flight and any made later (the owner is stopping)."""
        self._sockets.closed = True
        self._sockets.shut_all()
