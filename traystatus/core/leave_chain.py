"""Leave written as several out-of-office events: how far to read the calendars, and how far to look.

People write a long leave as back-to-back or overlapping pieces ("Parental leave 1/3", "OOO - travel",
a sick day glued on), with a weekend or a public holiday between two of them. "Back" must be the end of
the whole chain, wherever it is: not the end of the first piece, nor wherever the calendars happened to be
read to. Two pieces are one leave when no working hour lies between them (as the engine sees it: a
working hour outside every out-of-office event is "back"). :func:`read_through_leave` reads the calendars
further while a leave runs past what was read (up to :data:`MAX_LEAVE`); :func:`horizon_through_leave`
makes the engine look past the end of such a leave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from traystatus.core.classify import ClassificationRules, classify
from traystatus.core.model import CalendarEvent, EventKind
from traystatus.core.ports import CalendarResult
from traystatus.core.settings import Settings
from traystatus.core.work_periods import work_pieces

__all__ = [
    "AFTER_LEAVE",
    "MAX_LEAVE",
    "horizon_through_leave",
    "leave_end",
    "ooo_spans",
    "read_through_leave",
]

#: the engine looks at least this far past the end of a leave, to find the next working hour
AFTER_LEAVE = timedelta(days=14)
#: a leave is followed this far past the window at most (a year's sabbatical); "back" is said there beyond
MAX_LEAVE = timedelta(days=366)
#: the first further read of the calendars reaches this far past the leave's end known so far, each next one
#: twice as far: a read costs mostly its parse, so few wide ones (a year's leave costs at most four reads)
_STEP = timedelta(days=90)

Span = tuple[datetime, datetime]


def ooo_spans(
    events: Iterable[CalendarEvent], rules: ClassificationRules, zone: ZoneInfo, known: dict[int, bool] | None = None
) -> list[Span]:
    """The out-of-office events as UTC (start, end), sorted by start; a floating time is read in ``zone``.
    ``known``: id(event) → is it out of office, kept between calls over the same events (one read's events are
    the same objects at the next read of a wider window)."""
    seen: dict[int, bool] = {} if known is None else known
    spans = []
    for e in events:
        away = seen.get(id(e))
        if away is None:
            away = seen[id(e)] = classify(e, rules).kind is EventKind.OOO
        if away:
            spans.append((_utc(e.start, zone), _utc(e.end, zone)))
    return sorted(s for s in spans if s[0] < s[1])


def _utc(value: datetime, zone: ZoneInfo) -> datetime:
    return (value.replace(tzinfo=zone) if value.tzinfo is None else value).astimezone(UTC)


def leave_end(spans: Sequence[Span], at: datetime, settings: Settings) -> datetime | None:
    """Where the leave running at ``at``, or starting after it with no working hour between, ends (pieces
    with no working hour between them are one leave); None when no leave is there. ``spans`` sorted by start."""
    reach: datetime | None = None
    edge = at
    for first, last in spans:
        if last <= edge:
            continue
        if first > edge and work_pieces(settings, edge, first):
            break
        reach = edge = last
    return reach


def horizon_through_leave(spans: Sequence[Span], horizon: datetime) -> datetime:
    """``horizon`` moved past every leave piece that starts before it and ends less than :data:`AFTER_LEAVE`
    before it (or after it), to that piece's end + AFTER_LEAVE. ``spans`` sorted by start."""
    for first, last in spans:
        if first >= horizon:
            break
        if last + AFTER_LEAVE > horizon:
            horizon = last + AFTER_LEAVE
    return horizon


def read_through_leave(
    load: Callable[[datetime, datetime], Sequence[CalendarResult]],
    start: datetime,
    end: datetime,
    *,
    window_end: datetime,
    settings: Settings,
) -> tuple[list[CalendarResult], datetime]:
    """``load(start, end)``, then again further while a leave running at ``window_end`` (the end of what is
    shown) runs past what was read, up to ``window_end`` + :data:`MAX_LEAVE`: the results (one per source,
    in order) and the end they were read to.

    Each further read starts at ``start`` again: a source keeps what it expanded for the widest window read,
    so the next refresh (a window a little later, inside it) costs a hash, not a parse. A source that fails
    on a further read keeps its earlier result (its error was said by the first read).
    """
    results = list(load(start, end))
    read_to, step = end, _STEP
    limit = window_end + MAX_LEAVE
    known: dict[int, bool] = {}
    while read_to < limit:
        spans = ooo_spans((e for r in results for e in r.events), settings.rules, settings.timezone, known)
        reach = leave_end(spans, window_end, settings)
        if reach is None or (reach < read_to and work_pieces(settings, reach, read_to)):
            break  # no leave, or it ends before what was read and a working hour follows it there
        read_to, step = min(max(reach, read_to) + step, limit), step * 2
        more = list(load(start, read_to))
        if len(more) != len(results):  # not the same sources: take the new read whole
            results = more
            continue
        results = [new if new.events or new.error is None else old for old, new in zip(results, more, strict=True)]
    if read_to > end:  # what was read only to follow the leave: up to where it matters
        spans = ooo_spans((e for r in results for e in r.events), settings.rules, settings.timezone, known)
        reach = leave_end(spans, window_end, settings) or end
        cut = max(end, reach + AFTER_LEAVE)
        zone = settings.timezone
        results = [replace(r, events=tuple(e for e in r.events if _utc(e.start, zone) < cut)) for r in results]
    return results, read_to
