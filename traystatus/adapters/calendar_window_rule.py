"""A dateutil rule that walks only the window it is asked about, within a budget, and stops cleanly.

dateutil walks a rule period by period from its DTSTART and checks UNTIL only when a period holds
a candidate: a rule that matches nothing (``FREQ=DAILY;BYYEARDAY=1;BYMONTH=6``, or a weekly
meeting on a day its INTERVAL never reaches) walks to the year 9999 before it says so, and a daily
meeting since 1990 is walked through 13,000 days to reach this month. :class:`WindowRule` is the
same rule with two differences, both invisible in its results over the asked window:

* a rule without COUNT starts walking at the first period on its own lattice (whole INTERVALs of
  its FREQ from DTSTART) shortly before the window, with the BY parts dateutil derived from the
  real DTSTART kept: the instances from there on are the same; so does a DAILY or WEEKLY rule with
  COUNT whose periods all hold the same number of instances, its COUNT less the instances skipped
  (a daily COUNT=99999 from 1800 is counted, not walked through 82,000 days);
* the walk ends after the first period past the window, after :attr:`WindowRule.keep` instances
  inside it, after :attr:`WindowRule.work` day checks,
  or when the thread's CPU clock passes :attr:`WindowRule.deadline`; then :attr:`truncated` says so.

The walk is ours (:func:`_walk`, dateutil 2.9's ``rrule._iter`` with those checks added; dateutil
is Apache-2.0/BSD licensed: its licence is at the end of this file), so a budget ends it by returning
between periods, never by raising inside the library; the rule's cache is off, so no lock of
dateutil's is ever held.
"""

from __future__ import annotations

import calendar
import datetime as dt
import time
from bisect import bisect_left
from math import gcd
from typing import Any

from dateutil.rrule import DAILY, HOURLY, MINUTELY, MONTHLY, SECONDLY, WEEKLY, YEARLY, _iterinfo, rrule

#: day checks and instance times one rule's walk may cost (about a microsecond each): a window of
#: a sub-daily rule costs a few hundred, a weekly COUNT=500 four thousand, a daily COUNT=3650 eleven)
MAX_WORK = 30_000
#: days walked before the window's start and after its end (time zones, DST, floating times)
_MARGIN = dt.timedelta(days=2)


class WindowRule(rrule):  # type: ignore[misc]  # dateutil is untyped
    """An ``rrule`` whose ``between`` walks only near the window; see the module docstring."""

    work: int = MAX_WORK
    deadline: float = float("inf")
    keep: int = 1 << 62
    truncated: bool = False
    _lo: Any = None
    _hi: Any = None

    @classmethod
    def adopt(cls, rule: rrule, *, keep: int, work: int, deadline: float) -> None:
        """Turn a freshly built dateutil ``rrule`` into a :class:`WindowRule` in place; it yields at most
        ``keep`` instances inside the window (the reader keeps fewer: a denser rule is cut there)."""
        rule.__class__ = cls
        rule._cache = None  # no cache: no lock; each read builds its rules anew
        rule._cache_complete = False
        rule.keep, rule.work, rule.deadline, rule.truncated = keep, work, deadline, False

    def between(self, after: Any, before: Any, inc: bool = False, count: int = 1) -> Any:
        self._lo, self._hi = after, before
        return super().between(after, before, inc, count)

    def _iter(self) -> Any:
        return _walk(self)


def _wall(moment: Any, like: dt.datetime) -> dt.datetime | None:
    """``moment`` as a naive wall time in ``like``'s zone; None when the two cannot be compared."""
    if not isinstance(moment, dt.datetime):
        return None
    if (moment.tzinfo is None) != (like.tzinfo is None):
        return None
    if moment.tzinfo is None or like.tzinfo is None:
        return moment
    return moment.astimezone(like.tzinfo).replace(tzinfo=None)


def _first(rule: WindowRule) -> tuple[dt.datetime, int]:
    """Where the walk starts, and how many of the rule's instances lie before it: DTSTART, or the last
    period of its lattice that starts on or before the window (less a margin), at the start of that
    period. A rule with COUNT starts there only when every period holds the same number of instances
    (:func:`_per_period`), so the instances skipped can be counted; others walk from DTSTART."""
    start: dt.datetime = rule._dtstart
    lo = _wall(rule._lo, start)
    if lo is None:
        return start, 0
    lo -= _MARGIN
    naive = start.replace(tzinfo=None)
    if lo <= naive:
        return start, 0
    if rule._count is not None:
        return _first_counted(rule, start, naive, lo)
    freq, interval = rule._freq, rule._interval
    if freq == YEARLY:
        year = start.year + (lo.year - start.year) // interval * interval
        first = dt.datetime(year, 1, 1)  # noqa: DTZ001 - a wall time, as dateutil walks
    elif freq == MONTHLY:
        months = start.year * 12 + start.month - 1
        at = months + (lo.year * 12 + lo.month - 1 - months) // interval * interval
        first = dt.datetime(at // 12, at % 12 + 1, 1)  # noqa: DTZ001 - a wall time, as dateutil walks
    elif freq == WEEKLY:
        week = naive.date() - dt.timedelta(days=(naive.weekday() - rule._wkst) % 7)
        weeks = (lo.date() - week).days // 7 // interval * interval
        first = dt.datetime.combine(week + dt.timedelta(weeks=weeks), dt.time())
    elif freq == DAILY:
        days = (lo.date() - naive.date()).days // interval * interval
        first = dt.datetime.combine(naive.date() + dt.timedelta(days=days), dt.time())
    else:
        unit = {HOURLY: 3600, MINUTELY: 60, SECONDLY: 1}[freq] * interval
        steps = int((lo - naive).total_seconds()) // unit
        first = naive + dt.timedelta(seconds=steps * unit)
        if freq == HOURLY:
            first = first.replace(minute=0, second=0, microsecond=0)
        elif freq == MINUTELY:
            first = first.replace(second=0, microsecond=0)
    return (first.replace(tzinfo=start.tzinfo), 0) if first > naive else (start, 0)


def _per_period(rule: WindowRule) -> int | None:
    """Instances in every period of a DAILY or WEEKLY rule whose only BY parts are days of the week (WEEKLY)
    and times of day; None for any other rule (its periods may hold different numbers)."""
    if rule._freq not in (DAILY, WEEKLY) or not rule._timeset:
        return None
    if rule._bysetpos or rule._bymonth or rule._byweekno or rule._byyearday or rule._byeaster:
        return None
    if rule._bymonthday or rule._bynmonthday or rule._bynweekday:
        return None
    if rule._freq == DAILY:
        return len(rule._timeset) if not rule._byweekday else None
    return len(set(rule._byweekday)) * len(rule._timeset) if rule._byweekday else None


def _first_counted(
    rule: WindowRule, start: dt.datetime, naive: dt.datetime, lo: dt.datetime
) -> tuple[dt.datetime, int]:
    """:func:`_first` for a rule with COUNT: the period before the window and the instances before it (the
    first period's from DTSTART on, as dateutil counts them, then every whole period's)."""
    per = _per_period(rule)
    if per is None:
        return start, 0
    interval = rule._interval
    times = [at.replace(tzinfo=None) for at in rule._timeset]
    later = sum(1 for at in times if at >= naive.time())  # DTSTART's day: its times from DTSTART on
    if rule._freq == DAILY:
        periods = (lo.date() - naive.date()).days // interval
        first_day = naive.date() + dt.timedelta(days=periods * interval)
        in_first = later
    else:
        week = naive.date() - dt.timedelta(days=(naive.weekday() - rule._wkst) % 7)
        periods = (lo.date() - week).days // 7 // interval
        first_day = week + dt.timedelta(weeks=periods * interval)
        own = (naive.weekday() - rule._wkst) % 7
        offsets = {(day - rule._wkst) % 7 for day in rule._byweekday}
        in_first = sum(len(times) for d in offsets if d > own) + (later if own in offsets else 0)
    if periods < 1:
        return start, 0
    first = dt.datetime.combine(first_day, dt.time(), tzinfo=start.tzinfo)
    return first, in_first + (periods - 1) * per


def _walk(rule: WindowRule) -> Any:  # dateutil's loop, kept whole to stay faithful
    """dateutil 2.9's ``rrule._iter``, from :func:`_first`, ending past the window or the budget."""
    first, skipped = _first(rule)
    hi = _wall(rule._hi, first)
    stop = (hi + _MARGIN).date() if hi is not None else None
    first_day, first_time = first.date(), first.timetz()
    year, month, day, hour, minute, second, weekday, _, _ = first.timetuple()

    freq = rule._freq
    interval = rule._interval
    wkst = rule._wkst
    until = rule._until
    bymonth = rule._bymonth
    byweekno = rule._byweekno
    byyearday = rule._byyearday
    byweekday = rule._byweekday
    byeaster = rule._byeaster
    bymonthday = rule._bymonthday
    bynmonthday = rule._bynmonthday
    bysetpos = rule._bysetpos
    byhour = rule._byhour
    byminute = rule._byminute
    bysecond = rule._bysecond
    mod_distance = rule._rrule__mod_distance
    work, deadline, periods, keep = rule.work, rule.deadline, 0, rule.keep
    lo = rule._lo if _wall(rule._lo, first) is not None else first

    ii = _iterinfo(rule)
    ii.rebuild(year, month)

    getdayset = {
        YEARLY: ii.ydayset,
        MONTHLY: ii.mdayset,
        WEEKLY: ii.wdayset,
        DAILY: ii.ddayset,
        HOURLY: ii.ddayset,
        MINUTELY: ii.ddayset,
        SECONDLY: ii.ddayset,
    }[freq]

    if freq < HOURLY:
        timeset = rule._timeset
    else:
        gettimeset = {HOURLY: ii.htimeset, MINUTELY: ii.mtimeset, SECONDLY: ii.stimeset}[freq]
        if (
            (freq >= HOURLY and rule._byhour and hour not in rule._byhour)
            or (freq >= MINUTELY and rule._byminute and minute not in rule._byminute)
            or (freq >= SECONDLY and rule._bysecond and second not in rule._bysecond)
        ):
            timeset = ()
        else:
            timeset = gettimeset(hour, minute, second)

    count = rule._count - skipped if rule._count is not None else None
    while True:
        dayset, start, end = getdayset(year, month, day)
        work -= end - start + 1
        periods += 1
        if work < 0 or (periods % 256 == 0 and time.thread_time() > deadline):
            rule.truncated = True
            return

        filtered = False
        for i in dayset[start:end]:
            if (
                (bymonth and ii.mmask[i] not in bymonth)
                or (byweekno and not ii.wnomask[i])
                or (byweekday and ii.wdaymask[i] not in byweekday)
                or (ii.nwdaymask and not ii.nwdaymask[i])
                or (byeaster and not ii.eastermask[i])
                or (
                    (bymonthday or bynmonthday)
                    and ii.mdaymask[i] not in bymonthday
                    and ii.nmdaymask[i] not in bynmonthday
                )
                or (
                    byyearday
                    and (
                        (i < ii.yearlen and i + 1 not in byyearday and -ii.yearlen + i not in byyearday)
                        or (
                            i >= ii.yearlen
                            and i + 1 - ii.yearlen not in byyearday
                            and -ii.nextyearlen + i - ii.yearlen not in byyearday
                        )
                    )
                )
            ):
                dayset[i] = None
                filtered = True

        if bysetpos and timeset:
            poslist = []
            for pos in bysetpos:
                if pos < 0:
                    daypos, timepos = divmod(pos, len(timeset))
                else:
                    daypos, timepos = divmod(pos - 1, len(timeset))
                try:
                    i = [x for x in dayset[start:end] if x is not None][daypos]
                    at = timeset[timepos]
                except IndexError:
                    pass
                else:
                    date = dt.date.fromordinal(ii.yearordinal + i)
                    res = dt.datetime.combine(date, at)
                    if res not in poslist:
                        poslist.append(res)
            poslist.sort()
            for res in poslist:
                if until and res > until:
                    return
                if res >= first:
                    if count is not None:
                        count -= 1
                        if count < 0:
                            return
                    if res >= lo:
                        keep -= 1
                        if keep < 0:
                            return
                    yield res
        else:
            for i in dayset[start:end]:
                if i is not None:
                    date = dt.date.fromordinal(ii.yearordinal + i)
                    if date < first_day:  # every time of it is before ``first``: nothing to combine
                        continue
                    # on the first day, from ``first``'s time on (the times share its zone: wall times compare)
                    times = timeset[bisect_left(timeset, first_time) :] if date == first_day else timeset
                    for at in times:
                        work -= 1
                        if work < 0:
                            rule.truncated = True
                            return
                        res = dt.datetime.combine(date, at)
                        if until and res > until:
                            return
                        if res >= first:
                            if count is not None:
                                count -= 1
                                if count < 0:
                                    return
                            if res >= lo:
                                keep -= 1
                                if keep < 0:
                                    return
                            yield res

        fixday = False
        if freq == YEARLY:
            year += interval
            if year > dt.MAXYEAR:
                return
            ii.rebuild(year, month)
        elif freq == MONTHLY:
            month += interval
            if month > 12:
                div, mod = divmod(month, 12)
                month = mod
                year += div
                if month == 0:
                    month = 12
                    year -= 1
                if year > dt.MAXYEAR:
                    return
            ii.rebuild(year, month)
        elif freq == WEEKLY:
            if wkst > weekday:
                day += -(weekday + 1 + (6 - wkst)) + interval * 7
            else:
                day += -(weekday - wkst) + interval * 7
            weekday = wkst
            fixday = True
        elif freq == DAILY:
            day += interval
            fixday = True
        elif freq == HOURLY:
            if filtered:
                hour += ((23 - hour) // interval) * interval
            if byhour:
                ndays, hour = mod_distance(value=hour, byxxx=rule._byhour, base=24)
            else:
                ndays, hour = divmod(hour + interval, 24)
            if ndays:
                day += ndays
                fixday = True
            timeset = gettimeset(hour, minute, second)
        elif freq == MINUTELY:
            if filtered:
                minute += ((1439 - (hour * 60 + minute)) // interval) * interval
            valid = False
            rep_rate = 24 * 60
            for _j in range(rep_rate // gcd(interval, rep_rate)):
                if byminute:
                    nhours, minute = mod_distance(value=minute, byxxx=rule._byminute, base=60)
                else:
                    nhours, minute = divmod(minute + interval, 60)
                div, hour = divmod(hour + nhours, 24)
                if div:
                    day += div
                    fixday = True
                    filtered = False
                if not byhour or hour in byhour:
                    valid = True
                    break
            if not valid:
                raise ValueError("Invalid combination of interval and byhour resulting in empty rule.")
            timeset = gettimeset(hour, minute, second)
        elif freq == SECONDLY:
            if filtered:
                second += ((86399 - (hour * 3600 + minute * 60 + second)) // interval) * interval
            rep_rate = 24 * 3600
            valid = False
            for _j in range(rep_rate // gcd(interval, rep_rate)):
                if bysecond:
                    nminutes, second = mod_distance(value=second, byxxx=rule._bysecond, base=60)
                else:
                    nminutes, second = divmod(second + interval, 60)
                div, minute = divmod(minute + nminutes, 60)
                if div:
                    hour += div
                    div, hour = divmod(hour, 24)
                    if div:
                        day += div
                        fixday = True
                if (
                    (not byhour or hour in byhour)
                    and (not byminute or minute in byminute)
                    and (not bysecond or second in bysecond)
                ):
                    valid = True
                    break
            if not valid:
                raise ValueError("Invalid combination of interval, byhour and byminute resulting in empty rule.")
            timeset = gettimeset(hour, minute, second)

        if fixday and day > 28:
            daysinmonth = calendar.monthrange(year, month)[1]
            if day > daysinmonth:
                while day > daysinmonth:
                    day -= daysinmonth
                    month += 1
                    if month == 13:
                        month = 1
                        year += 1
                        if year > dt.MAXYEAR:
                            return
                    daysinmonth = calendar.monthrange(year, month)[1]
                ii.rebuild(year, month)

        if stop is not None and _period_start(freq, year, month, day) > stop:
            return


def _period_start(freq: int, year: int, month: int, day: int) -> dt.date:
    """The first day of the period the walk is about to look at."""
    if freq == YEARLY:
        return dt.date(year, 1, 1)
    if freq == MONTHLY:
        return dt.date(year, month, 1)
    return dt.date(year, month, day)


__all__ = ["MAX_WORK", "WindowRule"]


# ---------------------------------------------------------------------------------------------------------
# _walk is adapted from python-dateutil 2.9 (dateutil/rrule.py, rrule._iter). Its licence, as shipped with it:
#
# Copyright 2017- Paul Ganssle <paul@ganssle.io>
# Copyright 2017- dateutil contributors (see AUTHORS file)
#
#    Licensed under the Apache License, Version 2.0 (the "License");
#    you may not use this file except in compliance with the License.
#    You may obtain a copy of the License at
#
#        http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS,
#    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
#    See the License for the specific language governing permissions and
#    limitations under the License.
#
# The above license applies to all contributions after 2017-12-01, as well as
# all contributions that have been re-licensed (see AUTHORS file for the list of
# contributors who have re-licensed their code).
# --------------------------------------------------------------------------------
# dateutil - Extensions to the standard Python datetime module.
#
# Copyright (c) 2003-2011 - Gustavo Niemeyer <gustavo@niemeyer.net>
# Copyright (c) 2012-2014 - Tomi Pieviläinen <tomi.pievilainen@iki.fi>
# Copyright (c) 2014-2016 - Yaron de Leeuw <me@jarondl.net>
# Copyright (c) 2015-     - Paul Ganssle <paul@ganssle.io>
# Copyright (c) 2015-     - dateutil contributors (see AUTHORS file)
#
# All rights reserved.
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are met:
#
#     * Redistributions of source code must retain the above copyright notice,
#       this list of conditions and the following disclaimer.
#     * Redistributions in binary form must reproduce the above copyright notice,
#       this list of conditions and the following disclaimer in the documentation
#       and/or other materials provided with the distribution.
#     * Neither the name of the copyright holder nor the names of its
#       contributors may be used to endorse or promote products derived from
#       this software without specific prior written permission.
#
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
# "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
# LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
# A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR
# CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
# EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO,
# PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR
# PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
# LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
# NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
# SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
#
# The above BSD License Applies to all code, even that also covered by Apache 2.0.
