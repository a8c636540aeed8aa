"""What ``traystatus status`` says for an account without calling its service: the planned calls and why
(known limits, a status changed by hand, a pending retry), from the saved state alone."""

from __future__ import annotations

from datetime import datetime

from traystatus.core.publishing import Applied, KnownLimits, Operation, RetryState, StatusPublisher, with_limits
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
    """(the calls a sending pass would make, the notes explaining them)."""
    traits = with_limits(publisher.traits, known)
    p = plan(desired, applied, traits, now, respect_manual=settings.general.respect_manual_status)
    notes = [n for n in p.notes if not (known.any and n == traits.why_not)]
    if known.any:
        found = (
            f"found by the sync of {known.found_at.astimezone(settings.timezone):%a %d %b %H:%M}; "
            if known.found_at is not None
            else ""
        )
        notes.insert(
            0,
            f"{traits.why_not or 'some calls are not possible on this account'} "
            f"({found}`traystatus doctor` checks it again now)",
        )
    if p.needs_observation:
        notes.append("differs from what traystatus last set: `apply` checks the current status, then updates")
    elif not p.ops:
        notes.append("in step: nothing to send")
    if retry.retry_at is not None and retry.retry_at > now:
        notes.append(f"waiting until {retry.retry_at:%H:%M:%S}Z to retry: {retry.last_error}")
    return p.ops, tuple(notes)
