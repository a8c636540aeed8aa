"""The availability engine: settings + events + overrides → a contiguous timeline of states, pure and clock-free.

Precedence: manual override > ooo > focus > meeting > working hours (available) > break > off_hours.
A break is a short gap between two working blocks of one day (``work_periods.MAX_BREAK``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.classify import classify
from traystatus.core.leave_chain import horizon_through_leave
from traystatus.core.model import Availability, CalendarEvent, ClassifiedEvent, EventKind, Override, State
from traystatus.core.settings import Settings
from traystatus.core.work_periods import (
    Span,
    break_spans,
    hours_text,
    merge,
    next_day_start,
    next_working_start,
    special_days,
    work_pieces,
)

__all__ = ["LOOKAHEAD", "Timeline", "build_timeline", "next_day_start", "next_transition", "next_working_start"]

#: How far past the window the engine looks to find ``until`` ("back Mon 09:00" after a long OOO); further
#: past a leave running beyond that (several chained out-of-office events: ``leave_chain``).
LOOKAHEAD = timedelta(days=60)

#: States whose ``until`` is the next moment back at work, not the end of their own span.
_AWAY_STATES = frozenset({State.OOO, State.OFF_HOURS, State.BREAK})
_EVENT_STATES = ((EventKind.OOO, State.OOO), (EventKind.FOCUS, State.FOCUS), (EventKind.MEETING, State.MEETING))


@dataclass(frozen=True, slots=True, kw_only=True)
class Timeline:
    """Contiguous, non-overlapping intervals covering [start, end); adjacent ones always differ."""

    start: datetime
    end: datetime
    intervals: tuple[Availability, ...]
    _starts: tuple[datetime, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(a.start for a in self.intervals))

    def at(self, instant: datetime) -> Availability:
        """The interval holding ``instant``; ``ValueError`` outside [start, end)."""
        if not self.start <= instant < self.end:
            raise ValueError(
                f"{instant.isoformat()} is outside the timeline [{self.start.isoformat()}, {self.end.isoformat()})"
            )
        i = bisect.bisect_right(self._starts, instant) - 1
        return self.intervals[i]


def next_transition(timeline: Timeline, now: datetime) -> datetime | None:
    """The next moment (> ``now``) when the state, ``until`` or reason changes.

    ``None`` when nothing changes before ``timeline.end``: build a new timeline before then.
    """
    i = bisect.bisect_right(timeline._starts, now)
    return timeline._starts[i] if i < len(timeline._starts) else None


@dataclass(slots=True)
class _Seg:
    start: datetime
    end: datetime
    state: State
    reason: str
    titles: tuple[str, ...]
    overridden: bool
    back_at_work: bool  # inside working hours and not out of office: where ooo/off_hours "until" points


def _aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")
    return value.astimezone(UTC)


def _instant(value: datetime, zone: ZoneInfo) -> datetime:
    """An event time in UTC; a naive (floating) time is read in the user's zone."""
    return (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)


def _sweep(items: Sequence[tuple[datetime, datetime, int]], boundaries: list[datetime]) -> Iterator[list[int]]:
    """For each elementary segment starting at ``boundaries[k]``, the indexes of items covering it."""
    order = sorted(range(len(items)), key=lambda i: items[i][0])
    active: list[int] = []
    p = 0
    for a in boundaries[:-1]:
        while p < len(order) and items[order[p]][0] <= a:
            active.append(order[p])
            p += 1
        if active:
            active = [i for i in active if items[i][1] > a]
        yield sorted(active) if len(active) > 1 else active


def _describe(events: Iterable[ClassifiedEvent]) -> tuple[str, tuple[str, ...]]:
    evs = list(events)
    titles = tuple(dict.fromkeys(c.event.display_title for c in evs))
    rules = tuple(dict.fromkeys(c.rule for c in evs))
    return f"{', '.join(titles)} ({'; '.join(rules)})", titles


def build_timeline(
    settings: Settings, events: Sequence[CalendarEvent], overrides: Sequence[Override], start: datetime, end: datetime
) -> Timeline:
    """The availability over [start, end).

    Pass events up to ``end + LOOKAHEAD`` if you can, and to the end of a leave running past that
    (``leave_chain.read_through_leave``): an ooo/off_hours ``until`` beyond ``end`` can only take into
    account the out-of-office events it is given.
    """
    start, end = _aware("start", start), _aware("end", end)
    if not start < end:
        raise ValueError(f"empty window: {start.isoformat()} .. {end.isoformat()}")
    classified = [classify(e, settings.rules) for e in events]
    counted = [c for c in classified if c.kind in (EventKind.OOO, EventKind.FOCUS, EventKind.MEETING)]
    zone = settings.timezone
    leave = sorted(
        (_instant(c.event.start, zone), _instant(c.event.end, zone)) for c in counted if c.kind is EventKind.OOO
    )
    horizon = horizon_through_leave(leave, end + LOOKAHEAD)
    ev_items = [
        (max(_instant(c.event.start, zone), start), min(_instant(c.event.end, zone), horizon), i)
        for i, c in enumerate(counted)
    ]
    ev_items = [t for t in ev_items if t[0] < t[1]]
    ov_list = [o for o in overrides if not o.paused]
    ov_items = [
        (max(_aware("override start", o.start), start), min(_aware("override end", o.end), horizon), i)
        for i, o in enumerate(ov_list)
    ]
    ov_items = [t for t in ov_items if t[0] < t[1]]
    work = work_pieces(settings, start, horizon)
    special = special_days(settings, start, horizon)
    breaks = break_spans(settings, start, horizon)
    wk_items = [(s.start, s.end, i) for i, s in enumerate(work)]
    sp_items = [(s.start, s.end, i) for i, s in enumerate(special)]
    br_items = [(s.start, s.end, i) for i, s in enumerate(breaks)]

    points = {start, horizon, end}
    for items in (ev_items, ov_items, wk_items, sp_items, br_items):
        for a, b, _ in items:
            points.add(a)
            points.add(b)
    bounds = sorted(points)
    off_default = f"outside working hours ({hours_text(settings)})"

    segs: list[_Seg] = []
    sweeps = zip(
        _sweep(ev_items, bounds),
        _sweep(ov_items, bounds),
        _sweep(wk_items, bounds),
        _sweep(sp_items, bounds),
        _sweep(br_items, bounds),
        strict=True,
    )
    last: _Seg | None = None  # the last segment inside the window
    run_broken = False
    for k, (ev_k, ov_k, wk_k, sp_k, br_k) in enumerate(sweeps):
        a, b = bounds[k], bounds[k + 1]
        past = a >= end  # past the window only state, override and "back at work" matter (for until)
        covering = [counted[ev_items[i][2]] for i in ev_k]
        ooo = any(c.kind is EventKind.OOO for c in covering)
        in_work = bool(wk_k)
        seg: _Seg | None = None
        if ov_k:
            o = max((ov_list[ov_items[i][2]] for i in ov_k), key=lambda o: o.start)
            seg = _Seg(a, b, o.state, o.reason, (), True, in_work and not ooo and o.state not in _AWAY_STATES)
        else:
            for kind, state in _EVENT_STATES:
                mine = [c for c in covering if c.kind is kind]
                if mine:
                    reason, titles = ("", ()) if past else _describe(mine)
                    seg = _Seg(a, b, state, reason, titles, False, in_work and not ooo)
                    break
        if seg is None:
            if in_work:
                seg = _Seg(a, b, State.AVAILABLE, work[wk_items[wk_k[0]][2]].reason, (), False, True)
            elif br_k:
                seg = _Seg(a, b, State.BREAK, breaks[br_items[br_k[0]][2]].reason, (), False, False)
            else:
                reason = special[sp_items[sp_k[0]][2]].reason if sp_k else off_default
                seg = _Seg(a, b, State.OFF_HOURS, reason, (), False, False)
        segs.append(seg)
        if not past:
            last = seg
            continue
        # The run holding the window's end is over, and the next "back at work" is known: enough.
        assert last is not None
        run_broken = run_broken or (seg.state, seg.overridden) != (last.state, last.overridden)
        if run_broken and seg.back_at_work:
            break
    return Timeline(start=start, end=end, intervals=_finish(segs, end))


def _finish(segs: list[_Seg], end: datetime) -> tuple[Availability, ...]:
    """Compute ``until`` per run of equal state, clip to the window and merge equal neighbours."""
    n = len(segs)
    # The next "back at work" instant at or after each segment's start (scanning backwards).
    back: list[datetime | None] = [None] * (n + 1)
    for k in range(n - 1, -1, -1):
        back[k] = segs[k].start if segs[k].back_at_work else back[k + 1]
    out: list[Availability] = []
    k = 0
    while k < n and segs[k].start < end:
        j = k
        while j + 1 < n and segs[j + 1].state is segs[k].state and segs[j + 1].overridden == segs[k].overridden:
            j += 1
        run_end = segs[j].end
        until = run_end
        if segs[k].state in _AWAY_STATES and not segs[k].overridden:
            until = back[j + 1] or run_end
        for s in segs[k : j + 1]:
            if s.start >= end:
                break
            item = Availability(
                start=s.start,
                end=min(s.end, end),
                state=s.state,
                until=until,
                reason=s.reason,
                event_titles=s.titles,
                overridden=s.overridden,
            )
            prev = out[-1] if out else None
            if prev is not None and (prev.state, prev.until, prev.reason, prev.event_titles, prev.overridden) == (
                item.state,
                item.until,
                item.reason,
                item.event_titles,
                item.overridden,
            ):
                out[-1] = Availability(
                    start=prev.start,
                    end=item.end,
                    state=prev.state,
                    until=prev.until,
                    reason=prev.reason,
                    event_titles=prev.event_titles,
                    overridden=prev.overridden,
                )
            else:
                out.append(item)
        k = j + 1
    return tuple(out)


def merged_work(settings: Settings, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Working periods over [start, end) as disjoint UTC intervals (for team views and handoff)."""
    spans: list[Span] = work_pieces(settings, _aware("start", start), _aware("end", end))
    return merge(spans)
