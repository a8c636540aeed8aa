"""Benchmark: a busy week replayed through the real sync, next to 5-minute polling, in the same run.

A realistic week (generated ICS, read by the real ICS source) is replayed with a fast-forwarded clock:
* ours: the real ``StatusSync`` + reconcile, a pass whenever the previous pass asked (transitions, DND
  re-assert, 15-minute safety net), real ``SlackStatusPublisher`` against the Slack emulator over HTTP,
  Matrix through the recording publisher (1 HTTP request per operation, 1 per ownership read, 2 when
  DND is about to be switched on: was the master push rule on already?);
* poll-all: the common approach: every 5 minutes compute the state and write it unconditionally
  (status with expiry, presence, DND snooze to the span's end or end it; Matrix presence + push rule);
* poll-diff: the careful variant: every 5 minutes write only what changed since the previous poll (it never
  reads the service, so it overwrites a status set by hand; ours reads before changing a status).
All three use the same engine output, so only the sync strategy differs. Polling starts at a random
phase (tools poll from whenever they were started), fixed by a seed.

Counted: API calls per service; redundant writes (replayed through an independent model of each service
that also expires statuses and snoozes: a write that leaves what the service shows unchanged);
lag from each change of what should be shown to the moment the service shows it = simulated delay +
the wall time of the pass that wrote it + (ours) the real APScheduler firing latency, measured here.
``--synapse``: ours talks to a REAL Synapse (started here, rate limits lifted for the user) instead of the
recording Matrix publisher; every HTTP request is counted and every write replayed through the model.
Run: ``.venv/bin/python bench/bench_sync.py [--synapse]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.fixtures.slack import ManualClock  # noqa: E402
from tests.slack_emulator import SlackEmulator  # noqa: E402
from traystatus.adapters.calendar_sources import build_sources, load_all  # noqa: E402
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession  # noqa: E402
from traystatus.adapters.matrix_publisher import MatrixStatusPublisher  # noqa: E402
from traystatus.adapters.memory_publisher import RecordingStatusPublisher  # noqa: E402
from traystatus.adapters.scheduler import SyncScheduler  # noqa: E402
from traystatus.adapters.slack_api import SlackClient  # noqa: E402
from traystatus.adapters.slack_publisher import SlackStatusPublisher  # noqa: E402
from traystatus.adapters.state_store import StateStore  # noqa: E402
from traystatus.app.container import SourcesReader  # noqa: E402
from traystatus.core.engine import build_timeline, next_transition  # noqa: E402
from traystatus.core.hours import parse_hours  # noqa: E402
from traystatus.core.model import CalendarEvent  # noqa: E402
from traystatus.core.publishing import Observed, Operation, OpKind, Service, StatusPublisher  # noqa: E402
from traystatus.core.settings import CalendarSourceConfig, Settings  # noqa: E402
from traystatus.core.status_map import DesiredStatus, desired_status  # noqa: E402
from traystatus.core.status_sync import StatusSync  # noqa: E402

ZONE = ZoneInfo("Europe/Berlin")
WEEK = datetime(2026, 11, 30, tzinfo=ZONE).astimezone(UTC)  # Monday 00:00 Berlin
WEEK_END = WEEK + timedelta(days=7)
POLL = timedelta(minutes=5)
HOURS = "mon-fri 09:00-12:30,13:30-17:30"
MEETINGS = (
    "Design review",
    "Customer call",
    "1:1 with Sam",
    "Sprint planning",
    "Interview",
    "Budget sync",
    "Hiring debrief",
    "Incident review",
    "Roadmap",
    "Pairing",
)


# -- a busy, realistic week as ICS ---------------------------------------------------------------------


def _ics_event(uid: str, start: datetime, end: datetime, title: str, extra: str = "") -> str:
    fmt = "%Y%m%dT%H%M%S"
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Europe/Berlin:{start:{fmt}}\r\n"
        f"DTEND;TZID=Europe/Berlin:{end:{fmt}}\r\nSUMMARY:{title}\r\n{extra}END:VEVENT\r\n"
    )


def busy_week_ics(seed: int = 11) -> str:
    """Standups (RRULE), 6–9 meetings a day on 5/15-minute grids (25/50-minute 'speedy' ones too), back to
    back and overlapping runs, a daily focus block, a transparent lunch, a private appointment, a cancelled
    meeting and an out-of-office afternoon (BUSYSTATUS:OOF)."""
    rng = random.Random(seed)
    monday = WEEK.astimezone(ZONE).replace(tzinfo=None)
    out = [
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//traystatus bench//busy week//EN\r\n",
        _ics_event(
            "standup",
            monday.replace(hour=9, minute=30),
            monday.replace(hour=9, minute=45),
            "Team standup",
            "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\n",
        ),
    ]
    n = 0
    for day in range(5):
        d = monday + timedelta(days=day)
        out.append(
            _ics_event(
                f"lunch{day}",
                d.replace(hour=12, minute=30),
                d.replace(hour=13, minute=30),
                "Lunch",
                "TRANSP:TRANSPARENT\r\n",
            )
        )
        focus = d.replace(hour=rng.choice((10, 14)), minute=0)
        out.append(_ics_event(f"focus{day}", focus, focus + timedelta(minutes=90), "Focus time"))
        if day == 1:
            out.append(
                _ics_event(
                    "ooo",
                    d.replace(hour=15),
                    d.replace(hour=18),
                    "Dentist + errands",
                    "X-MICROSOFT-CDO-BUSYSTATUS:OOF\r\n",
                )
            )
        if day == 3:
            out.append(
                _ics_event(
                    "private",
                    d.replace(hour=16, minute=15),
                    d.replace(hour=16, minute=45),
                    "Therapy",
                    "CLASS:PRIVATE\r\n",
                )
            )
            out.append(
                _ics_event(
                    "cancelled",
                    d.replace(hour=11),
                    d.replace(hour=11, minute=30),
                    "Planning (cancelled)",
                    "STATUS:CANCELLED\r\n",
                )
            )
        for _ in range(rng.randint(6, 9)):
            grid = rng.choice((5, 15, 15, 30))
            start = d.replace(hour=8) + timedelta(minutes=grid * rng.randrange(0, (10 * 60) // grid))
            length = rng.choice((15, 25, 30, 30, 45, 50, 60, 90))
            n += 1
            out.append(_ics_event(f"m{n}", start, start + timedelta(minutes=length), rng.choice(MEETINGS)))
            if rng.random() < 0.35:  # back to back
                n += 1
                nxt = start + timedelta(minutes=length)
                out.append(
                    _ics_event(f"m{n}", nxt, nxt + timedelta(minutes=rng.choice((25, 30, 50))), rng.choice(MEETINGS))
                )
    out.append("END:VCALENDAR\r\n")
    return "".join(out)


# -- an independent model of what a service shows: finds redundant writes and when a change landed -------

Look = tuple[str, str, bool, bool]  # status text (Matrix: status_msg), emoji, away, DND on


@dataclass(frozen=True, slots=True)
class Write:
    t: float  # simulated Unix time of the call
    kind: str  # status | presence | matrix_presence | dnd | end_dnd
    args: tuple[object, ...]


@dataclass
class Account:
    """What one strategy did on one service."""

    service: Service
    calls: int = 0
    writes: list[Write] = field(default_factory=list)
    pass_wall: dict[float, float] = field(default_factory=dict)  # simulated time of a pass → its wall seconds


@dataclass
class Shown:
    text: str = ""
    emoji: str = ""
    expires: float = 0.0
    away: bool = False
    dnd_end: float = 0.0

    def look(self, t: float) -> Look:
        live = not self.expires or self.expires > t
        return (self.text if live else "", self.emoji if live else "", self.away, self.dnd_end > t)


def replay(acc: Account) -> tuple[list[tuple[float, Look]], int]:
    """What the service shows after each write, and how many writes changed nothing there."""
    s, after, redundant = Shown(), [], 0
    for w in acc.writes:
        before, old_expiry, old_dnd = s.look(w.t), s.expires, s.dnd_end
        same_detail = True
        if w.kind == "status":
            s.text, s.emoji, s.expires = str(w.args[0]), str(w.args[1]), float(w.args[2])  # type: ignore[arg-type]
            same_detail = old_expiry == s.expires or not (s.text or s.emoji)
        elif w.kind == "presence":
            s.away = bool(w.args[0])
        elif w.kind == "matrix_presence":
            s.away, s.text = bool(w.args[0]), str(w.args[1])
        elif w.kind == "dnd":
            s.dnd_end = float(w.args[0])  # type: ignore[arg-type]
            same_detail = old_dnd == s.dnd_end or (old_dnd > w.t and abs(old_dnd - s.dnd_end) < 60)
        else:
            s.dnd_end = 0.0
        if s.look(w.t) == before and same_detail:
            redundant += 1
        after.append((w.t, s.look(w.t)))
    return after, redundant


def shows(service: Service, d: DesiredStatus) -> Look:
    text = d.text if service is Service.SLACK else d.message
    return (text, d.emoji if service is Service.SLACK else "", d.away, d.dnd_until is not None)


def lags(acc: Account, changes: list[tuple[float, Look]], extra: float) -> tuple[list[float], int]:
    """Seconds from each change of what should be shown until the service shows it; and how many never did."""
    after, _ = replay(acc)
    out: list[float] = []
    missed = i = 0
    for k, (t0, want) in enumerate(changes):
        t_next = changes[k + 1][0] if k + 1 < len(changes) else WEEK_END.timestamp()
        while i < len(after) and after[i][0] < t0:
            i += 1
        s = Shown()  # what it shows at t0, before any write at t0: an expired status or snooze is gone
        for w in acc.writes:
            if w.t >= t0:
                break
            _apply(s, w)
        if s.look(t0) == want:
            out.append(0.0)
            continue
        hit = next(((t, look) for t, look in after[i:] if t < t_next and look == want), None)
        if hit is None:
            missed += 1
            continue
        out.append(hit[0] - t0 + acc.pass_wall.get(hit[0], 0.0) + extra)
    return out, missed


def _apply(s: Shown, w: Write) -> None:
    if w.kind == "status":
        s.text, s.emoji, s.expires = str(w.args[0]), str(w.args[1]), float(w.args[2])  # type: ignore[arg-type]
    elif w.kind == "presence":
        s.away = bool(w.args[0])
    elif w.kind == "matrix_presence":
        s.away, s.text = bool(w.args[0]), str(w.args[1])
    elif w.kind == "dnd":
        s.dnd_end = float(w.args[0])  # type: ignore[arg-type]
    else:
        s.dnd_end = 0.0


def slack_account(emu: SlackEmulator, pass_wall: dict[float, float]) -> Account:
    acc = Account(service=Service.SLACK, calls=len(emu.calls), pass_wall=pass_wall)
    for c in emu.calls:
        p = c.params
        if not c.ok:
            raise RuntimeError(f"the Slack emulator refused {c.method}: {c.error}")
        if c.method == "users.profile.set":
            prof = p["profile"]
            assert isinstance(prof, dict)
            acc.writes.append(
                Write(
                    c.at,
                    "status",
                    (prof["status_text"], prof["status_emoji"], float(prof.get("status_expiration") or 0)),
                )
            )
        elif c.method == "users.setPresence":
            acc.writes.append(Write(c.at, "presence", (p["presence"] == "away",)))
        elif c.method == "dnd.setSnooze":
            acc.writes.append(Write(c.at, "dnd", (c.at + 60 * int(str(p["num_minutes"])),)))
        elif c.method == "dnd.endSnooze":
            acc.writes.append(Write(c.at, "end_dnd", ()))
    return acc


class CountingMatrix(RecordingStatusPublisher):
    """The recording Matrix account, counting HTTP requests as the real publisher makes them."""

    def __init__(self) -> None:
        super().__init__(service_kind=Service.MATRIX, account_id="matrix:bench")
        self.acc = Account(service=Service.MATRIX)

    def observe(self, *, dnd: bool = True) -> Observed:
        self.acc.calls += 2 if dnd else 1  # GET presence (+ GET the master push rule)
        return super().observe(dnd=dnd)

    def send(self, op: Operation, now: datetime) -> None:
        super().send(op, now)
        self.acc.calls += 1
        t = now.timestamp()
        if op.kind is OpKind.SET_PRESENCE:
            self.acc.writes.append(Write(t, "matrix_presence", (op.away, op.message)))
        else:
            self.acc.writes.append(Write(t, "dnd" if op.kind is OpKind.SET_DND else "end_dnd", (float("inf"),)))


class CountingHttp(requests.Session):
    """The real Matrix client's HTTP session: every request counted, every write put in the ledger."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self.clock = clock
        self.acc = Account(service=Service.MATRIX)

    def request(self, method: str | bytes, url: str | bytes, *args: object, **kwargs: object) -> requests.Response:
        resp = super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]
        self.acc.calls += 1
        body = kwargs.get("json")
        if str(method) == "PUT" and isinstance(body, dict) and resp.ok:
            if "/presence/" in str(url):
                self.acc.writes.append(
                    Write(
                        self.clock.t,
                        "matrix_presence",
                        (body.get("presence") == "unavailable", str(body.get("status_msg") or "")),
                    )
                )
            elif str(url).endswith(".m.rule.master/enabled"):
                self.acc.writes.append(
                    Write(self.clock.t, "dnd" if body.get("enabled") else "end_dnd", (float("inf"),))
                )
        return resp


def real_matrix(tmp: Path, clock: ManualClock) -> tuple[MatrixStatusPublisher, CountingHttp, object]:
    from tests.fixtures.synapse import SynapseFactory

    factory = SynapseFactory(tmp / "synapse")
    server = factory.get("bench")
    user = server.new_user("bench")  # rate limits lifted: a week is replayed in seconds
    http = CountingHttp(clock)
    client = MatrixClient(
        MatrixSession(homeserver=server.base_url, user_id=user.user_id, access_token=user.token, device_id="BENCH"),
        http=http,
        max_wait=0.0,
        retries=0,
    )
    return MatrixStatusPublisher(client), http, factory


# -- the three strategies --------------------------------------------------------------------------------


def settings() -> Settings:
    return Settings(timezone=ZONE, hours=parse_hours(HOURS))


def ours(sets: Settings, state_dir: Path, *, synapse: bool = False) -> tuple[Account, Account, int]:
    """The real sync service, re-reading the real ICS calendar every 15 minutes as configured."""
    clock = ManualClock(WEEK.timestamp())
    factory = None
    if synapse:
        matrix_pub, http, factory = real_matrix(state_dir.parent, clock)
        matrix_acc = http.acc
    else:
        matrix_pub = CountingMatrix()
        matrix_acc = matrix_pub.acc
    try:
        return _ours(sets, state_dir, clock, matrix_pub, matrix_acc)
    finally:
        if factory is not None:
            factory.stop_all()  # type: ignore[attr-defined]


def _ours(
    sets: Settings, state_dir: Path, clock: ManualClock, matrix: StatusPublisher, matrix_acc: Account
) -> tuple[Account, Account, int]:
    with SlackEmulator(now=clock) as emu:
        slack = SlackClient(emu.token, api_url=emu.base_url, max_wait=0.0, retries=0)
        service = StatusSync(
            settings=sets,
            calendars=SourcesReader(build_sources(sets, cache_dir=state_dir / "cache")),
            store=StateStore(state_dir),
            publishers=[SlackStatusPublisher(slack, account="slack:bench", monotonic=clock), matrix],
            clock=lambda: datetime.fromtimestamp(clock.t, UTC),
        )
        walls: dict[float, float] = {}
        t, passes = WEEK, 0
        while t < WEEK_END:
            clock.set(t.timestamp())
            started = time.perf_counter()
            report = service.run(t)
            walls[t.timestamp()] = time.perf_counter() - started
            if not report.ok:
                raise RuntimeError(f"sync failed at {t}: {report}")
            passes += 1
            assert report.wake_at is not None and report.wake_at > t
            t = report.wake_at
        matrix_acc.pass_wall = walls
        return slack_account(emu, walls), matrix_acc, passes


def polling(events: list[CalendarEvent], *, diff: bool, phase: timedelta) -> tuple[Account, Account, int]:
    """Every 5 minutes: the state now, written unconditionally (``diff=False``) or where it changed."""
    sets = settings()
    tl = build_timeline(sets, events, [], WEEK - timedelta(days=1), WEEK_END + timedelta(days=3))
    clock = ManualClock(WEEK.timestamp())
    with SlackEmulator(now=clock) as emu:
        slack = SlackClient(emu.token, api_url=emu.base_url, max_wait=0.0, retries=0)
        matrix = CountingMatrix()
        walls: dict[float, float] = {}
        prev: DesiredStatus | None = None
        snooze_end: datetime | None = None
        t, polls = WEEK + phase, 0
        while t < WEEK_END:
            clock.set(t.timestamp())
            started = time.perf_counter()
            d = desired_status(tl.at(t), sets.status, now=t, tz=ZONE)
            p = prev
            if not diff or p is None or (p.text, p.emoji, p.expires_at) != (d.text, d.emoji, d.expires_at):
                exp = int(d.expires_at.timestamp()) if d.expires_at else 0
                slack.call(
                    "users.profile.set",
                    profile={"status_text": d.text, "status_emoji": d.emoji, "status_expiration": exp},
                )
            if not diff or p is None or p.away != d.away:
                slack.call("users.setPresence", presence="away" if d.away else "auto")
            if d.dnd_until is not None:
                if not diff or p is None or p.dnd_until != d.dnd_until or snooze_end is None or snooze_end <= t:
                    minutes = min(1440, -(-int((d.dnd_until - t).total_seconds()) // 60))
                    slack.call("dnd.setSnooze", num_minutes=minutes)
                    snooze_end = t + timedelta(minutes=minutes)
            elif snooze_end is not None and snooze_end > t:  # end the snooze it set (never one it did not)
                slack.call("dnd.endSnooze")
                snooze_end = None
            if not diff or p is None or (p.message, p.away) != (d.message, d.away):
                matrix.send(Operation(kind=OpKind.SET_PRESENCE, away=d.away, message=d.message, carries_status=True), t)
            if not diff or p is None or (p.dnd_until is None) != (d.dnd_until is None):
                matrix.send(Operation(kind=OpKind.SET_DND if d.dnd_until else OpKind.END_DND), t)
            walls[t.timestamp()] = time.perf_counter() - started
            prev, polls, t = d, polls + 1, t + POLL
        matrix.acc.pass_wall = walls
        return slack_account(emu, walls), matrix.acc, polls


def changes(events: list[CalendarEvent], service: Service) -> list[tuple[float, Look]]:
    """Each moment what the service should show changes (its state at every transition of the week)."""
    sets = settings()
    tl = build_timeline(sets, events, [], WEEK - timedelta(days=1), WEEK_END + timedelta(days=3))
    out: list[tuple[float, Look]] = []
    t: datetime | None = WEEK
    while t is not None and t < WEEK_END:
        look = shows(service, desired_status(tl.at(t), sets.status, now=t, tz=ZONE))
        if not out or out[-1][1] != look:
            out.append((t.timestamp(), look))
        t = next_transition(tl, t)
    return out


def scheduler_latency(samples: int = 12, step: float = 0.25) -> list[float]:
    """How late the real APScheduler-based SyncScheduler fires a booked transition (wall seconds)."""
    late: list[float] = []
    target: list[float | None] = [None]

    def run(_reason: str) -> datetime | None:
        now = time.time()
        if target[0] is not None:
            late.append(now - target[0])
        target[0] = now + step
        return datetime.fromtimestamp(target[0], UTC)

    sched = SyncScheduler(run, safety_net=timedelta(hours=1), watch_every=timedelta(hours=1))
    sched.start()
    deadline = time.time() + samples * step * 4 + 5
    while len(late) < samples and time.time() < deadline:
        time.sleep(step / 2)
    sched.shutdown()
    return late


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synapse", action="store_true", help="ours against a real Synapse (needs .venv-synapse)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ics = Path(tmp) / "busy-week.ics"
        ics.write_text(busy_week_ics(), encoding="utf-8")
        sets = Settings(
            timezone=ZONE, hours=parse_hours(HOURS), calendars=(CalendarSourceConfig(name="work", location=str(ics)),)
        )
        [result] = load_all(
            build_sources(sets, cache_dir=Path(tmp) / "cache"), WEEK - timedelta(days=1), WEEK_END + timedelta(days=3)
        )
        if result.error is not None:
            raise SystemExit(f"calendar: {result.error}")
        events = list(result.events)
        late = scheduler_latency()
        extra = statistics.median(late)
        phase = timedelta(seconds=random.Random(5).randrange(0, 300))
        runs = {
            "ours (event-driven)": ours(sets, Path(tmp) / "state", synapse=args.synapse),
            "poll-all (5 min)": polling(events, diff=False, phase=phase),
            "poll-diff (5 min)": polling(events, diff=True, phase=phase),
        }
    n_changes = {s: len(changes(events, s)) for s in (Service.SLACK, Service.MATRIX)}
    print(
        f"bench_sync: one week (Mon 30 Nov 2026, Europe/Berlin, {HOURS}), {len(events)} occurrences; "
        f"changes to show: Slack {n_changes[Service.SLACK]}, Matrix {n_changes[Service.MATRIX]}; "
        f"polling phase {int(phase.total_seconds())} s; Matrix for ours: "
        f"{'a real Synapse' if args.synapse else 'the recording publisher'}"
    )
    print(
        f"APScheduler firing latency (real, {len(late)} samples): median {1000 * extra:.1f} ms, "
        f"max {1000 * max(late):.1f} ms (added to every lag of ours)"
    )
    header = (
        f"{'strategy':<22}{'passes':>7}{'Slack':>7}{'Matrix':>7}{'calls':>7}{'writes':>7}{'redund.':>8}"
        f"{'lag med':>9}{'lag p95':>9}{'lag max':>9}{'missed':>7}"
    )
    print(header)
    totals: dict[str, int] = {}
    for name, (slack_acc, matrix_acc, passes) in runs.items():
        lag_all: list[float] = []
        missed = redundant = 0
        for acc in (slack_acc, matrix_acc):
            values, miss = lags(acc, changes(events, acc.service), extra if name.startswith("ours") else 0.0)
            lag_all += values
            missed += miss
            redundant += replay(acc)[1]
        totals[name] = slack_acc.calls + matrix_acc.calls
        writes = len(slack_acc.writes) + len(matrix_acc.writes)
        print(
            f"{name:<22}{passes:>7}{slack_acc.calls:>7}{matrix_acc.calls:>7}{totals[name]:>7}{writes:>7}{redundant:>8}"
            f"{_secs(statistics.median(lag_all)):>9}{_secs(pct(lag_all, 0.95)):>9}{_secs(max(lag_all)):>9}"
            f"{missed:>7}"
        )
    base = totals["ours (event-driven)"]
    print(
        f"calls ratio ours/poll-all {base / totals['poll-all (5 min)']:.3f} (target ≤ 0.1); "
        f"ours/poll-diff {base / totals['poll-diff (5 min)']:.3f}"
    )
    print(
        "calls - writes = reads: ours reads what a service shows before changing a status it may not own (a "
        "status set by hand is never overwritten); the pollers never read, so they overwrite it"
    )


def _secs(value: float) -> str:
    return f"{value:.2f}s" if value < 100 else f"{value / 60:.1f}m"


if __name__ == "__main__":
    main()
