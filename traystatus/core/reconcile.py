"""Reconcile: the desired status against what is known to be applied → the fewest calls per account.

Stateless in time: the plan depends only on ``now``, the desired status and the applied record, so a
late, repeated or missed trigger can only delay a correct status. A status not set by traystatus is
left alone (``respect_manual``); DND is re-asserted before a capped snooze runs out; a Matrix master
push rule that was already on stays on. A status whose end has passed by the time it would be sent
(a slow calendar fetch or service call in between) is never sent: the pass plans again instead.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from traystatus.core.errors import ServiceError
from traystatus.core.publishing import Applied, Observed, Operation, OpKind, RetryState, StatusPublisher, Traits
from traystatus.core.retry_policy import BACKOFF_FIRST, BACKOFF_MAX, wait_before_retry
from traystatus.core.status_map import DesiredStatus

log = logging.getLogger(__name__)

#: re-assert a capped DND snooze when it has at most this long left
REASSERT_MARGIN = timedelta(minutes=2)
CLOCK_BACK_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    ops: tuple[Operation, ...] = ()
    base: Applied  # the record after the bookkeeping that needs no call
    needs_observation: bool = False
    notes: tuple[str, ...] = ()
    wake_at: datetime | None = None


def snooze_end(span_end: datetime, now: datetime, traits: Traits) -> datetime:
    """When a DND asked for at ``now`` will really end: the span's end, earlier if the service caps it, or up
    to a minute later when the service counts whole minutes (Slack): the pass at the span's end then sees the
    snooze still running and ends it, instead of leaving DND on for up to 59 s after a focus block."""
    if traits.dnd_max is None:
        return span_end
    return now + timedelta(minutes=snooze_minutes(span_end, now, traits))


def snooze_minutes(span_end: datetime, now: datetime, traits: Traits) -> int:
    minutes = max(1, math.ceil((span_end - now).total_seconds() / 60))
    if traits.dnd_max is not None:
        minutes = min(minutes, int(traits.dnd_max.total_seconds() // 60))
    return minutes


def _status_key(traits: Traits, text: str, emoji: str, message: str) -> tuple[str, ...]:
    return (text, emoji) if traits.separate_status else (message,)


def plan(
    desired: DesiredStatus,
    applied: Applied,
    traits: Traits,
    now: datetime,
    *,
    observed: Observed | None = None,
    respect_manual: bool = True,
    verify: bool = False,
) -> Plan:
    """The calls that bring the account from ``applied`` to ``desired`` at ``now``.

    Returns ``needs_observation`` when ownership (or Matrix's prior DND) must be read first.
    """
    notes: list[str] = []
    ops: list[Operation] = []
    base = applied
    want = _status_key(traits, desired.text, desired.emoji, desired.message)
    want_exp = desired.expires_at if traits.status_expiry and desired.has_status else None
    if applied.status_known:
        shown_text, shown_emoji = applied.shown(now) if traits.status_expiry else (applied.text, applied.emoji)
        shown_msg = applied.message
        same = _status_key(traits, shown_text, shown_emoji, shown_msg) == want and (
            applied.expires_at == want_exp or not desired.has_status
        )
    else:
        same = False
    declined = bool(applied.hands_off) and applied.hands_off == _declined_key(desired)
    if verify:  # do not trust the record (the clock went back): read what the service shows
        same = declined = False
    if not traits.presence and not traits.separate_status:  # the status rides on presence: nowhere to show it
        same, declined = True, False
    write_status = False
    keep_manual = ""
    if not same and not declined:
        if observed is None:
            return Plan(base=applied, needs_observation=True)
        seen = _status_key(traits, observed.text, observed.emoji, observed.message)
        ours = _status_key(traits, applied.text, applied.emoji, applied.message)
        if seen == want and (not traits.status_expiry or observed.expires_at == want_exp):
            base = dataclasses.replace(
                base,
                text=desired.text,
                emoji=desired.emoji,
                message=desired.message,
                expires_at=want_exp,
                status_known=True,
                hands_off="",
            )
        elif not any(seen) or (applied.status_known and seen == ours) or seen == want or not respect_manual:
            write_status = True
            base = dataclasses.replace(base, hands_off="")
        else:
            keep_manual = observed.message if not traits.separate_status else ""
            base = dataclasses.replace(
                base, hands_off=_declined_key(desired), status_known=True, manual_message=keep_manual
            )
            notes.append(f"status set outside traystatus ({' '.join(s for s in seen if s)!r}): left alone")
    elif declined:
        keep_manual = applied.manual_message
        notes.append("status set outside traystatus: left alone")

    if traits.separate_status:
        if write_status:
            ops.append(
                Operation(
                    kind=OpKind.SET_STATUS,
                    text=desired.text,
                    emoji=desired.emoji,
                    message=desired.message,
                    expires_at=want_exp,
                )
            )
        if applied.away is None or applied.away != desired.away:
            ops.append(Operation(kind=OpKind.SET_PRESENCE, away=desired.away))
    elif write_status or applied.away is None or applied.away != desired.matrix_unavailable:
        own = write_status or not base.hands_off
        ops.append(
            Operation(
                kind=OpKind.SET_PRESENCE,
                away=desired.matrix_unavailable,
                text=desired.text,
                emoji=desired.emoji,
                message=desired.message if own else keep_manual,
                keeps_manual=not own,
                carries_status=True,
            )
        )

    wake_at: datetime | None = None
    want_dnd = desired.dnd_until
    if want_dnd is not None:
        if applied.dnd_until is None:
            if traits.dnd_max is None:  # Matrix: the master rule; leave it as found if it is already on
                if observed is None:
                    return Plan(base=applied, needs_observation=True)
                if observed.dnd_on:
                    base = dataclasses.replace(base, dnd_until=want_dnd, dnd_effective=None, dnd_was_on_before=True)
                    notes.append("notifications were already off (master push rule): left as they are")
                else:
                    ops.append(Operation(kind=OpKind.SET_DND, until=None, span_end=want_dnd))
            else:
                ops.append(Operation(kind=OpKind.SET_DND, until=snooze_end(want_dnd, now, traits), span_end=want_dnd))
        elif traits.dnd_max is None:
            if applied.dnd_until != want_dnd:
                base = dataclasses.replace(base, dnd_until=want_dnd)
        elif applied.dnd_until != want_dnd or (
            applied.dnd_effective is not None
            and applied.dnd_effective < want_dnd
            and applied.dnd_effective - now <= REASSERT_MARGIN
        ):
            ops.append(Operation(kind=OpKind.SET_DND, until=snooze_end(want_dnd, now, traits), span_end=want_dnd))
        elif applied.dnd_effective is not None and applied.dnd_effective < want_dnd:
            wake_at = applied.dnd_effective - REASSERT_MARGIN
    elif applied.dnd_until is not None:
        if traits.dnd_max is None:
            if applied.dnd_was_on_before:
                base = dataclasses.replace(base, dnd_until=None, dnd_was_on_before=False)
            else:
                ops.append(Operation(kind=OpKind.END_DND))
        elif applied.dnd_effective is not None and applied.dnd_effective > now:
            ops.append(Operation(kind=OpKind.END_DND))
        else:  # the snooze ran out by itself
            base = dataclasses.replace(base, dnd_until=None, dnd_effective=None)
    if not traits.separate_status:  # Matrix: DND first, so a homeserver without presence still gets it
        ops.sort(key=lambda op: op.kind is OpKind.SET_PRESENCE)
    if not (traits.presence and traits.dnd):  # the service cannot: say so on every pass instead of pretending
        notes.append(traits.why_not or "some calls are not possible on this account")
        cannot = ({OpKind.SET_PRESENCE} if not traits.presence else set()) | (
            {OpKind.SET_DND, OpKind.END_DND} if not traits.dnd else set()
        )
        ops = [op for op in ops if op.kind not in cannot]
    for op in ops:
        if op.kind is OpKind.SET_DND and op.until is not None and op.span_end is not None and op.until < op.span_end:
            wake_at = op.until - REASSERT_MARGIN
    return Plan(ops=tuple(ops), base=base, notes=tuple(notes), wake_at=wake_at)


def _declined_key(desired: DesiredStatus) -> str:
    exp = desired.expires_at.isoformat() if desired.expires_at else ""
    return f"{desired.emoji}|{desired.text}|{exp}"


def after(applied: Applied, op: Operation) -> Applied:
    """The applied record once ``op`` succeeded."""
    if op.kind is OpKind.SET_STATUS:
        return dataclasses.replace(
            applied, text=op.text, emoji=op.emoji, message=op.message, expires_at=op.expires_at, status_known=True
        )
    if op.kind is OpKind.SET_PRESENCE:
        if op.carries_status and not op.keeps_manual:
            return dataclasses.replace(
                applied, away=op.away, text=op.text, emoji=op.emoji, message=op.message, status_known=True
            )
        return dataclasses.replace(applied, away=op.away)
    if op.kind is OpKind.SET_DND:
        return dataclasses.replace(applied, dnd_until=op.span_end, dnd_effective=op.until, dnd_was_on_before=False)
    return dataclasses.replace(applied, dnd_until=None, dnd_effective=None, dnd_was_on_before=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountOutcome:
    """What reconcile did on one account: calls planned and sent, errors, the new records, why."""

    account: str
    service: str
    planned: tuple[Operation, ...] = ()
    sent: tuple[Operation, ...] = ()
    errors: tuple[str, ...] = ()
    needs_action: bool = False
    notes: tuple[str, ...] = ()
    applied: Applied
    retry: RetryState
    wake_at: datetime | None = None
    observed: bool = False  # the service was read (ownership check)


def reconcile_account(
    publisher: StatusPublisher,
    desired: DesiredStatus,
    applied: Applied,
    retry: RetryState,
    now: datetime,
    *,
    respect_manual: bool = True,
    dry_run: bool = False,
    force: bool = False,
    clock: Callable[[], datetime] | None = None,
) -> AccountOutcome:
    """Plan, read the service if ownership must be checked, send; one failure never stops other accounts.

    ``clock``: the time at each send (live passes); what ``desired`` ended by then is not sent. Without it
    (a pass at a given time: ``apply --at``, tests) ``desired`` is taken as planned for ``now``."""
    common = {"account": publisher.account, "service": str(publisher.service)}
    if retry.retry_at is not None and now < retry.retry_at and not force:
        return AccountOutcome(
            account=common["account"],
            service=common["service"],
            applied=applied,
            retry=retry,
            wake_at=retry.retry_at,
            notes=(f"waiting to retry after an error: {retry.last_error}",),
            needs_action=retry.needs_action,
        )
    traits = publisher.traits
    verify = False
    if applied.updated_at is not None and now < applied.updated_at - CLOCK_BACK_TOLERANCE:
        # The clock went back: what expired "later" may already be gone; read before trusting the record.
        verify = True
    read = False
    try:
        p = plan(desired, applied, traits, now, respect_manual=respect_manual, verify=verify)
        if p.needs_observation:
            # the master rule is read only when DND is about to be switched on (was it on already?)
            need_dnd = traits.dnd_max is None and desired.dnd_until is not None and applied.dnd_until is None
            observed = publisher.observe(dnd=need_dnd)
            read = True
            p = plan(desired, applied, traits, now, observed=observed, respect_manual=respect_manual, verify=verify)
    except ServiceError as e:
        return _failed(common, applied, retry, now, e, (), (), read)
    if dry_run:
        return AccountOutcome(
            account=common["account"],
            service=common["service"],
            planned=p.ops,
            applied=applied,
            retry=retry,
            notes=p.notes,
            wake_at=p.wake_at,
            observed=read,
        )
    record = dataclasses.replace(p.base, updated_at=now)
    sent: list[Operation] = []
    errors: list[ServiceError] = []
    for op in p.ops:
        ended = ended_by(desired, clock()) if clock is not None else None
        if ended is not None:
            log.info("%s: not sending %s, which ended at %s", publisher.account, op.kind, ended.isoformat())
            return AccountOutcome(
                account=common["account"],
                service=common["service"],
                planned=p.ops,
                sent=tuple(sent),
                applied=record if sent else applied,
                retry=retry,
                notes=(*p.notes, f"not sent: what it says ended at {ended:%H:%M:%S} UTC before it could be sent"),
                wake_at=now,  # plan again at once, with the time as it is now
                observed=read,
            )
        try:
            publisher.send(op, now)
        except ServiceError as e:
            log.warning("%s: %s failed: %s", publisher.account, op.kind, e)
            errors.append(e)
            if e.needs_action and publisher.traits == traits:  # a lost capability alone: send the rest
                break
            continue
        sent.append(op)
        record = after(record, op)
    if errors:
        worst = max(errors, key=lambda e: (e.needs_action, e.retry_after or 0))
        # The service just showed it lacks a capability (Matrix presence disabled): the next plan leaves that
        # call out, so retry soon rather than hold back what it can do (DND) for the long needs-action wait.
        replan = publisher.traits != traits
        return _failed(
            common, record, retry, now, worst, p.ops, tuple(sent), read, notes=p.notes, all_errors=errors, replan=replan
        )
    return AccountOutcome(
        account=common["account"],
        service=common["service"],
        planned=p.ops,
        sent=tuple(sent),
        applied=record,
        retry=RetryState(),
        notes=p.notes,
        wake_at=p.wake_at,
        observed=read,
    )


def ended_by(desired: DesiredStatus, moment: datetime) -> datetime | None:
    """When ``desired`` stopped being true, if that is at or before ``moment`` (its status or DND ended)."""
    ends = [t for t in (desired.expires_at, desired.dnd_until) if t is not None and t <= moment]
    return min(ends) if ends else None


def _failed(
    common: dict[str, str],
    record: Applied,
    retry: RetryState,
    now: datetime,
    error: ServiceError,
    planned: tuple[Operation, ...],
    sent: tuple[Operation, ...],
    read: bool,
    *,
    notes: tuple[str, ...] = (),
    all_errors: list[ServiceError] | None = None,
    replan: bool = False,
) -> AccountOutcome:
    failures = retry.failures + 1
    wait = wait_before_retry(error.retry_after, failures, common["account"])
    delay = wait.delay
    if error.retry_after is None and replan:
        delay = BACKOFF_FIRST
    elif error.retry_after is None and error.needs_action:
        delay = BACKOFF_MAX
    message = f"{error.title}: {error.message}" + (f" ({wait.note})" if wait.note else "")
    new_retry = RetryState(failures=failures, retry_at=now + delay, last_error=message, needs_action=error.needs_action)
    texts = tuple(f"{e.title}: {e.message}" for e in (all_errors or [error]))
    return AccountOutcome(
        account=common["account"],
        service=common["service"],
        planned=planned,
        sent=sent,
        errors=texts,
        needs_action=error.needs_action,
        notes=notes,
        applied=record,
        retry=new_retry,
        wake_at=new_retry.retry_at,
        observed=read,
    )
