"""What ``traystatus status`` says for an account without calling its service: the planned calls and why
(known limits, a status changed by hand, a pending retry), from the saved state alone.

Known limits (a scope missing, presence disabled) are told, not planned away: a sending pass tries those calls
again (it is how a granted scope is found), so ``status`` lists what ``apply --dry-run`` lists. Where a
sending pass would first read the service (nothing known, or the record differs from what is wanted),
``status`` plans as ``apply --dry-run`` does after a read that finds the service as traystatus left it (or
empty): both then list the same calls, and a note says a status set by hand would be left alone."""

from __future__ import annotations

from datetime import datetime

from traystatus.core.publishing import (
    Applied,
    KnownLimits,
    Observed,
    Operation,
    RetryState,
    StatusPublisher,
    with_limits,
)
from traystatus.core.reconcile import plan
from traystatus.core.settings import Settings
from traystatus.core.status_map import DesiredStatus


def offline_line(
    publisher: StatusPublisher,
    desired: DesiredStatus,
    applied: Applied,
    retry: RetryState,
    known: KnownLimits,
    now: datetime,
    settings: Settings,
) -> tuple[tuple[Operation, ...], tuple[str, ...]]:
    """(the calls a sending pass would make, the notes explaining them). Planned with the account's traits as
    a sending pass has them (``apply --dry-run`` too): a call an earlier sync found impossible is tried again
    there, so it is listed, with a note saying what that sync found."""
    traits = publisher.traits
    narrowed = with_limits(traits, known)
    respect = settings.general.respect_manual_status
    p = plan(desired, applied, traits, now, respect_manual=respect)
    observe = p.needs_observation
    if observe:  # what a read would find if nobody changed it since: what we set (or nothing)
        p = plan(desired, applied, traits, now, observed=assumed_observation(applied, now), respect_manual=respect)
    notes = [n for n in p.notes if not (known.any and n == narrowed.why_not)]
    if known.any:
        found = (
            f"found by the sync of {known.found_at.astimezone(settings.timezone):%a %d %b %H:%M}; "
            if known.found_at is not None
            else ""
        )
        notes.insert(
            0,
            f"{narrowed.why_not or 'some calls are not possible on this account'} "
            f"({found}`apply` tries again; `traystatus doctor` checks it now)",
        )
    if observe and not applied.status_known:
        notes.append(
            "traystatus has no record of what this account shows: `apply` reads it first and sends these "
            "calls unless a status was set by hand (that one is left alone)"
        )
    elif observe:
        notes.append(
            "differs from what traystatus last set: `apply` reads the current status first and sends these "
            "calls unless it was changed by hand (then it is left alone)"
        )
    elif not p.ops:
        notes.append("in step: nothing to send")
    if retry.retry_at is not None and retry.retry_at > now:
        notes.append(f"waiting until {retry.retry_at:%H:%M:%S}Z to retry: {retry.last_error}")
    return p.ops, tuple(notes)


def assumed_observation(applied: Applied, now: datetime) -> Observed:
    """The service as traystatus left it: its own status while it lasts, no DND of anyone else's."""
    if not applied.status_known:
        return Observed(dnd_on=False)
    text, emoji = applied.shown(now)
    expires = applied.expires_at if (text or emoji) else None
    return Observed(text=text, emoji=emoji, message=applied.message, expires_at=expires, dnd_on=False)
