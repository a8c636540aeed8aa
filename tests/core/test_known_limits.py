"""learn_limits / with_limits: what a sync found an account cannot do, kept until a call shows it works."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from traystatus.core.publishing import (
    MATRIX_TRAITS,
    SLACK_TRAITS,
    KnownLimits,
    Operation,
    OpKind,
    learn_limits,
    with_limits,
)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NO_DND = dataclasses.replace(SLACK_TRAITS, dnd=False, why_not="the Slack token lacks dnd:write")
NO_PRESENCE = dataclasses.replace(MATRIX_TRAITS, presence=False, why_not="presence is disabled")


def test_a_capability_found_off_is_kept_with_when_and_why() -> None:
    known = learn_limits(KnownLimits(), NO_DND, [Operation(kind=OpKind.SET_STATUS)], T0)
    assert known == KnownLimits(dnd=False, why_not="the Slack token lacks dnd:write", found_at=T0)
    assert known.any


def test_a_new_process_that_has_not_tried_keeps_what_was_known() -> None:
    known = KnownLimits(presence=False, why_not="presence is disabled", found_at=T0)
    later = T0 + timedelta(hours=3)
    # a fresh publisher reports full traits until it tries; this pass sent no presence call
    assert learn_limits(known, MATRIX_TRAITS, [Operation(kind=OpKind.SET_DND)], later) == known
    # found again: the first finding's time is kept
    assert learn_limits(known, NO_PRESENCE, [], later).found_at == T0


def test_a_call_that_works_clears_it() -> None:
    assert (
        learn_limits(KnownLimits(presence=False, found_at=T0), MATRIX_TRAITS, [Operation(kind=OpKind.SET_PRESENCE)], T0)
        == KnownLimits()
    )
    assert (
        learn_limits(KnownLimits(dnd=False, found_at=T0), SLACK_TRAITS, [Operation(kind=OpKind.END_DND)], T0)
        == KnownLimits()
    )
    # presence working says nothing about DND
    mixed = KnownLimits(presence=False, dnd=False, why_not="both", found_at=T0)
    assert learn_limits(
        mixed, SLACK_TRAITS, [Operation(kind=OpKind.SET_PRESENCE)], T0 + timedelta(hours=1)
    ) == KnownLimits(presence=True, dnd=False, why_not="both", found_at=T0 + timedelta(hours=1))


def test_with_limits_narrows_the_traits_for_planning() -> None:
    assert with_limits(SLACK_TRAITS, KnownLimits()) is SLACK_TRAITS
    narrowed = with_limits(SLACK_TRAITS, KnownLimits(dnd=False, why_not="no dnd:write", found_at=T0))
    assert (narrowed.presence, narrowed.dnd, narrowed.why_not) == (True, False, "no dnd:write")
