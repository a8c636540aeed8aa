"""What a teammate sees, over time: the real `run --headless` for two users on the real Synapse (default
presence timeouts and rate limits), a third user in the shared room reading their presence every 5 s across
calendar boundaries a few tens of seconds apart. One of the two also has a second device syncing "online"
all along (as Element on a phone would). Both runs share the same ~2 minutes, to keep the suite short."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.fixtures.synapse import MatrixUser, SynapseServer

pytestmark = pytest.mark.synapse

SAMPLE_EVERY = 5.0
OTHER = "Matrix shows you online: another session is active"
GRACE = 6.0  # s after a boundary in which a sample is not judged (the pass runs at the boundary)


@dataclass(frozen=True)
class Sample:
    at: datetime
    presence: str
    status_msg: str


def _ics(meetings: list[tuple[datetime, datetime]]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//traystatus tests//EN"]
    for i, (start, end) in enumerate(meetings):
        lines += [
            "BEGIN:VEVENT",
            f"UID:teammate-view-{i}@traystatus.test",
            f"DTSTAMP:{start:%Y%m%dT%H%M%SZ}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            "SUMMARY:Sync",
            "END:VEVENT",
        ]
    return "\r\n".join([*lines, "END:VCALENDAR", ""])


def _midday_zone(now: datetime) -> str:
    """An Etc/GMT zone where ``now`` is around noon, so 06:00-18:00 working hours hold for the whole test."""
    offset = max(-12, min(14, 12 - now.hour))
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


class SecondDevice:
    """Another login of the same user, long-polling /sync with set_presence=online (a phone with Element)."""

    def __init__(self, synapse: SynapseServer, user: MatrixUser) -> None:
        login = synapse.password_login(user, device_id="PHONE")
        self._url = f"{synapse.base_url}/_matrix/client/v3/sync"
        self._auth = synapse.auth(login["access_token"])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        since = None
        while not self._stop.is_set():  # as Element does: the next long poll as soon as one returns
            # 25 s, not traystatus's 30 s: two independent clients' phases drift apart, as they would for real
            params = {"set_presence": "online", "timeout": "25000" if since else "0"}
            if since:
                params["since"] = since
            try:
                since = requests.get(self._url, params=params, headers=self._auth, timeout=45).json()["next_batch"]
            except (requests.RequestException, KeyError, ValueError):
                self._stop.wait(1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(45)


def _env(user: MatrixUser, synapse: SynapseServer, home: Path) -> dict[str, str]:
    """The user's own headless environment: their Matrix account, their own config/state dirs."""
    env = dict(os.environ)
    for var in ("TRAYSTATUS_SLACK_TOKEN", "TRAYSTATUS_CONFIG"):
        env.pop(var, None)
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env.update(
        TRAYSTATUS_MATRIX_HOMESERVER=synapse.base_url,
        TRAYSTATUS_MATRIX_USER=user.user_id,
        TRAYSTATUS_MATRIX_TOKEN=user.token,
    )
    return env


def _args(calendar: Path, tz: str) -> list[str]:
    return ["--calendar", str(calendar), "--tz", tz, "--hours", "mon-sun 06:00-18:00"]


def _headless(env: dict[str, str], calendar: Path, tz: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "traystatus", "run", "--headless", *_args(calendar, tz)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_teammates_see_the_calendar_presence_all_along(synapse: SynapseServer, tmp_path: Path) -> None:
    alice = synapse.new_user("alice", fast=False)  # default presence rate limit: one update per ~10 s
    bob = synapse.new_user("bob", fast=False)
    carol = synapse.new_user("carol")
    room = synapse.create_room(alice.token, invite=[bob.user_id, carol.user_id])
    synapse.join(bob.token, room)
    synapse.join(carol.token, room)
    phone = SecondDevice(synapse, bob)

    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(seconds=10)
    # available for 70 s (longer than the 30-66 s after which a device that does not sync shows offline),
    # a meeting for 35 s, available again
    meeting = (start + timedelta(seconds=70), start + timedelta(seconds=105))
    end = start + timedelta(seconds=120)
    calendar = tmp_path / "day.ics"
    calendar.write_text(_ics([meeting]), encoding="utf-8")
    tz = _midday_zone(now)
    envs = {u.user_id: _env(u, synapse, tmp_path / u.localpart) for u in (alice, bob)}
    procs = {user_id: _headless(env, calendar, tz) for user_id, env in envs.items()}
    bob_status = ""  # `traystatus status` in bob's environment during the meeting (it calls no service)
    samples: dict[str, list[Sample]] = {alice.user_id: [], bob.user_id: []}
    try:
        while datetime.now(UTC) < start:
            time.sleep(0.2)
        while (t := datetime.now(UTC)) < end:
            for user_id, got in samples.items():
                r = requests.get(
                    f"{synapse.base_url}/_matrix/client/v3/presence/{user_id}/status",
                    headers=synapse.auth(carol.token),
                    timeout=10,
                )
                body = r.json()
                got.append(Sample(at=t, presence=body["presence"], status_msg=body.get("status_msg") or ""))
            if OTHER not in bob_status and meeting[0] + timedelta(seconds=10) <= t < meeting[1]:
                bob_status = subprocess.run(
                    [sys.executable, "-m", "traystatus", "status", *_args(calendar, tz)],
                    env=envs[bob.user_id],
                    capture_output=True,
                    text=True,
                    timeout=30,
                    check=True,
                ).stdout
            time.sleep(max(0.0, SAMPLE_EVERY - (datetime.now(UTC) - t).total_seconds()))
    finally:
        phone.stop()
        errs = {}
        for user_id, proc in procs.items():
            proc.send_signal(signal.SIGTERM)
            try:
                errs[user_id] = proc.communicate(timeout=20)[1]
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    for user_id, proc in procs.items():
        assert proc.returncode == 0, errs[user_id]

    def in_meeting(t: datetime) -> bool:
        return meeting[0] <= t < meeting[1]

    def judged(t: datetime) -> bool:
        return not any(b <= t < b + timedelta(seconds=GRACE) for b in meeting)

    def summary(got: list[Sample]) -> str:
        return json.dumps([(f"{s.at:%H:%M:%S}", s.presence, s.status_msg) for s in got], ensure_ascii=False)

    a = [s for s in samples[alice.user_id] if judged(s.at)]
    assert len(a) >= 20
    wrong = [
        s
        for s in a
        if (s.presence, s.status_msg) != (("unavailable", "🗓 In a meeting") if in_meeting(s.at) else ("online", ""))
    ]
    assert not wrong, f"alice: {len(wrong)} of {len(a)} samples wrong: {summary(samples[alice.user_id])}"

    # bob's phone keeps him online (Synapse merges devices: the most online wins) except when one of its syncs
    # falls within 10 s of traystatus's (both share bob's presence rate limit; docs/matrix.md): then the phone's
    # device times out and teammates see what traystatus holds. Never offline, never "unavailable" outside the
    # meeting; and the status message, what teammates can still read, follows the calendar all along.
    b = [s for s in samples[bob.user_id] if judged(s.at)]
    wrong = [
        s
        for s in b
        if s.status_msg != ("🗓 In a meeting" if in_meeting(s.at) else "")
        or s.presence not in (("online", "unavailable") if in_meeting(s.at) else ("online",))
    ]
    assert not wrong, f"bob: {len(wrong)} of {len(b)} samples wrong: {summary(samples[bob.user_id])}"
    # ... and traystatus told him why teammates see him online during the meeting
    log = (tmp_path / bob.localpart / "state" / "traystatus" / "log" / "traystatus.log").read_text(encoding="utf-8")
    assert "Matrix shows you online: another session is active" in log
    assert f"note: {OTHER}" in bob_status, bob_status
    alice_log = tmp_path / alice.localpart / "state" / "traystatus" / "log" / "traystatus.log"
    assert "another session is active" not in alice_log.read_text(encoding="utf-8")
    assert "Matrix presence loop for" in alice_log.read_text(encoding="utf-8")  # stopped on SIGTERM
