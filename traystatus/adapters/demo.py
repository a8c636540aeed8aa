"""The ``--demo`` world: a calendar generated around "now", a demo team, and simulated services that
record what they would have been sent (to ``calls.json`` in the demo state dir). Nothing leaves the machine.
"""

from __future__ import annotations

import json
import logging
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.private_files import atomic_write
from traystatus.core.handoff import HandoffNote, plain_text
from traystatus.core.outbox import Delivery
from traystatus.core.publishing import Service

log = logging.getLogger(__name__)

CALLS_FILE = "calls.json"


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoFiles:
    config_file: Path
    calendar_file: Path
    calls_file: Path


def demo_hours(now_local: datetime) -> str:
    """Working hours from 3 h before ``now`` to 8 h after (whole hours), every day, so the demo is "at work"
    whenever it is started, with the end of the day (and its handoff prompt) hours away even across a DST
    change. Late in the evening the block runs past midnight ("20:00-07:00"): clipping it at 24:00 put the
    end-of-day prompt minutes after a start between 23:45 and midnight."""
    start = (now_local.hour - 3) % 24
    end = (now_local.hour + 8) % 24
    return f"mon-sun {start:02d}:00-{end:02d}:00"


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def demo_calendar(events_toml: Path, now: datetime, tz: ZoneInfo) -> str:
    """The demo .ics text: events of ``events_toml`` placed relative to ``now`` (rounded down to 5 min)."""
    spec = tomllib.loads(events_toml.read_text(encoding="utf-8"))
    local = now.astimezone(tz)
    anchor = local.replace(minute=local.minute - local.minute % 5, second=0, microsecond=0)
    stamp = _ics_time(now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//traystatus//demo//EN", "CALSCALE:GREGORIAN"]
    for i, ev in enumerate(spec.get("event", [])):
        lines += ["BEGIN:VEVENT", f"UID:demo-{i}@traystatus", f"DTSTAMP:{stamp}", f"SUMMARY:{ev['title']}"]
        if "all_day_in" in ev:
            day = local.date() + timedelta(days=int(ev["all_day_in"]))
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
        else:
            lines += [
                f"DTSTART:{_ics_time(anchor + timedelta(minutes=int(ev['start'])))}",
                f"DTEND:{_ics_time(anchor + timedelta(minutes=int(ev['end'])))}",
            ]
        if ev.get("private"):
            lines.append("CLASS:PRIVATE")
        if ev.get("transparent"):
            lines.append("TRANSP:TRANSPARENT")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def prepare_demo(demo_resources: Path, target: Path, now: datetime, tz: ZoneInfo) -> DemoFiles:
    """Write today's demo calendar and config into ``target`` (the demo's own state dir)."""
    calendar = target / "demo-calendar.ics"
    atomic_write(calendar, demo_calendar(demo_resources / "events.toml", now, tz))
    template = (demo_resources / "config.toml").read_text(encoding="utf-8")
    config = target / "demo-config.toml"
    text = (
        template.replace("{timezone}", tz.key)
        .replace("{hours}", demo_hours(now.astimezone(tz)))
        .replace("{calendar}", calendar.as_posix())
    )
    atomic_write(config, text)
    return DemoFiles(config_file=config, calendar_file=calendar, calls_file=target / CALLS_FILE)


def demo_publishers() -> list[RecordingStatusPublisher]:
    """Simulated Slack and Matrix accounts: they apply and record every call, and send nothing."""
    return [
        RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:demo"),
        RecordingStatusPublisher(service_kind=Service.MATRIX, account_id="matrix:@you:demo.invalid"),
    ]


def calls_as_json(publishers: Sequence[RecordingStatusPublisher]) -> list[dict[str, object]]:
    """Every write the simulated services received, oldest first, as plain JSON values."""
    out: list[dict[str, object]] = []
    for p in publishers:
        for at, kind, op in p.writes():
            if op is None:
                continue
            out.append(
                {
                    "account": p.account,
                    "at": at.isoformat() if at else None,
                    "kind": kind,
                    "text": op.text,
                    "emoji": op.emoji,
                    "message": op.message,
                    "away": op.away,
                    "until": op.until.isoformat() if op.until else None,
                    "span_end": op.span_end.isoformat() if op.span_end else None,
                    "expires_at": op.expires_at.isoformat() if op.expires_at else None,
                }
            )
    return out


def write_calls(publishers: Sequence[RecordingStatusPublisher], path: Path) -> None:
    """Atomically replace ``path`` with the calls so far (tests and curious users read it)."""
    atomic_write(path, json.dumps(calls_as_json(publishers), indent=1))


HANDOFFS_FILE = "handoffs.json"


class DemoHandoffSender:
    """A simulated Slack channel / Matrix room for the demo's handoff notes: each post is appended to
    ``handoffs.json`` in the demo state dir (what the team would have read). Nothing is sent."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def _posts(self) -> list[dict[str, str]]:
        try:
            return list(json.loads(self._path.read_text(encoding="utf-8")))
        except (FileNotFoundError, json.JSONDecodeError):
            return []

    def send(self, note: HandoffNote, delivery: Delivery) -> str:
        with self._lock:
            posts = self._posts()
            remote = f"demo-{note.id}-{len(posts) + 1}"
            posts.append(
                {"destination": delivery.destination, "note_id": note.id, "remote_id": remote, "text": plain_text(note)}
            )
            atomic_write(self._path, json.dumps(posts, indent=1, ensure_ascii=False))
            return remote

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        with self._lock:
            return next(
                (
                    p["remote_id"]
                    for p in self._posts()
                    if p["note_id"] == note.id and p["destination"] == delivery.destination
                ),
                None,
            )


def demo_handoff_senders(state_dir: Path) -> dict[str, DemoHandoffSender]:
    sender = DemoHandoffSender(state_dir / HANDOFFS_FILE)
    return {"slack": sender, "matrix": sender}
