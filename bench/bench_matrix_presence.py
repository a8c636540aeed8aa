"""Benchmark: what holding a Matrix presence costs per hour, on the wire, against a REAL Synapse.

Five users hold "unavailable" at once for the same wall time, each through its own counting TCP proxy
(every byte both ways, HTTP headers included), while a teammate in a shared room reads their presence
every 5 s:
* ours: ``MatrixPresenceLoop`` (filtered /sync long poll, 30 s, ``set_presence``), plus the one PUT a change costs;
* the same loop without presence events (it would learn nothing: no other session, no teammates), and with
  a 60 s long poll (fewer requests; past what many reverse proxies allow);
* re-PUT: the naive keep-alive, ``PUT /presence`` every 25 s (under the 30 s timeout; no sync);
* PUT once: what traystatus did before (one PUT, then nothing): free, and wrong within a minute.
Four more users sync as plain online clients in the room, so presence events flow as in a small team.
Figures are extrapolated to one hour; ratios are against re-PUT from the same run.
Run: ``.venv/bin/python bench/bench_matrix_presence.py [--minutes 3]`` (needs ``.venv-synapse``).
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from traystatus.adapters.matrix_api import MatrixClient, MatrixSession  # noqa: E402
from traystatus.adapters.matrix_sync import SYNC_FILTER, MatrixPresenceLoop  # noqa: E402


class CountingProxy:
    """127.0.0.1 TCP forwarder to ``port`` that counts bytes each way and connections."""

    def __init__(self, port: int) -> None:
        self.up = self.down = self.connections = 0
        self._lock = threading.Lock()
        self._target = port
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._target))
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, up: bool) -> None:
        try:
            while data := src.recv(65536):
                with self._lock:
                    if up:
                        self.up += len(data)
                    else:
                        self.down += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._stop = True
        self._server.close()


@dataclass
class Result:
    name: str
    requests: int
    up: int
    down: int
    right: int
    samples: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=3.0, help="wall time to measure (default 3)")
    args = parser.parse_args()
    from tests.fixtures.synapse import SynapseFactory

    with tempfile.TemporaryDirectory() as tmp:
        factory = SynapseFactory(Path(tmp) / "synapse")
        server = factory.get("bench")
        try:
            run(server, args.minutes * 60)
        finally:
            factory.stop_all()


def run(s: Any, seconds: float) -> None:
    """``s``: a running ``tests.fixtures.synapse.SynapseServer``."""
    names = ("ours", "quiet", "poll60", "reput", "once")
    users = {name: s.new_user(name, fast=False) for name in names}
    mate = s.new_user("mate")
    others = [s.new_user(f"other{i}") for i in range(4)]
    room = s.create_room(mate.token, invite=[u.user_id for u in [*users.values(), *others]])
    for u in [*users.values(), *others]:
        s.join(u.token, room)
    proxies = {name: CountingProxy(s.port) for name in users}
    stop = threading.Event()
    put_counts = {name: 0 for name in users}

    def put(name: str) -> None:
        u = users[name]
        requests.put(
            f"{proxies[name].url}/_matrix/client/v3/presence/{u.user_id}/status",
            json={"presence": "unavailable", "status_msg": "🗓 In a meeting"},
            headers={"Authorization": f"Bearer {u.token}"},
            timeout=10,
        )
        put_counts[name] += 1

    def reput() -> None:
        while not stop.is_set():
            put("reput")
            stop.wait(25)

    def online_client(token: str) -> None:
        since = None
        while not stop.is_set():
            params = {"set_presence": "online", "timeout": "30000" if since else "0"}
            if since:
                params["since"] = since
            try:
                since = requests.get(
                    f"{s.base_url}/_matrix/client/v3/sync",
                    params=params,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=45,
                ).json()["next_batch"]
            except (requests.RequestException, KeyError, ValueError):
                stop.wait(1)

    for o in others:
        threading.Thread(target=online_client, args=(o.token,), daemon=True).start()

    def loop_for(name: str, **kw: Any) -> MatrixPresenceLoop:
        u = users[name]
        session = MatrixSession(homeserver=proxies[name].url, user_id=u.user_id, access_token=u.token, device_id="")
        loop = MatrixPresenceLoop(MatrixClient(session), **kw)
        loop.set_desired("unavailable")
        put(name)  # the change itself, as the publisher makes it
        return loop

    no_presence = {**SYNC_FILTER, "presence": {"types": []}}
    loops = {
        "ours": loop_for("ours"),
        "quiet": loop_for("quiet", sync_filter=no_presence),
        "poll60": loop_for("poll60", poll_ms=60_000),
    }
    put("once")
    threading.Thread(target=reput, daemon=True).start()
    right = {name: 0 for name in users}
    samples = 0
    began = time.monotonic()
    print(f"measuring {seconds:.0f} s ...", file=sys.stderr)
    while time.monotonic() - began < seconds:
        samples += 1
        for name, user in users.items():
            got = requests.get(
                f"{s.base_url}/_matrix/client/v3/presence/{user.user_id}/status",
                headers={"Authorization": f"Bearer {mate.token}"},
                timeout=10,
            ).json()
            right[name] += got.get("presence") == "unavailable"
        time.sleep(5)
    elapsed = time.monotonic() - began
    stop.set()
    for loop in loops.values():
        loop.stop()
    per_hour = 3600.0 / elapsed
    label = {
        "ours": "ours: /sync loop",
        "quiet": "sync, no presence evts",
        "poll60": "sync, 60 s long poll",
        "reput": "re-PUT every 25 s",
        "once": "PUT once (before)",
    }
    results = [
        Result(
            label[n],
            (loops[n].requests if n in loops else 0) + put_counts[n],
            proxies[n].up,
            proxies[n].down,
            right[n],
            samples,
        )
        for n in names
    ]
    base = results[names.index("reput")]
    print(f"\nHolding 'unavailable' for {elapsed:.0f} s with 4 online teammates in the room; per hour:")
    print(f"{'strategy':<22}{'requests/h':>12}{'KiB/h up':>11}{'KiB/h down':>12}{'× re-PUT bytes':>16}{'right':>9}")
    for r in results:
        total, base_total = r.up + r.down, base.up + base.down
        ratio = f"{total / base_total:.2f}" if base_total else "-"
        print(
            f"{r.name:<22}{r.requests * per_hour:>12.0f}{r.up * per_hour / 1024:>11.1f}"
            f"{r.down * per_hour / 1024:>12.1f}{ratio:>16}{100 * r.right / r.samples:>8.0f}%"
        )
    for p in proxies.values():
        p.close()


if __name__ == "__main__":
    main()
