"""LiveState: when traystatus tells the user that another session keeps them online, and what it says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from traystatus.core.live_presence import OTHER_SESSION, LiveState, PresenceSighting, hold_all, live_note
from traystatus.core.model import State
from traystatus.core.status_map import DesiredStatus

T = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def seen(presence: str, at: datetime) -> PresenceSighting:
    return PresenceSighting(user_id="@me:x", presence=presence, seen_at=at)


def test_another_session_only_after_the_change_was_seen() -> None:
    later = T + timedelta(seconds=2)
    assert LiveState(desired="unavailable", desired_since=T, own=seen("online", later)).other_session_active
    # the sighting from before traystatus changed the presence is the old state, not another session
    assert not LiveState(desired="unavailable", desired_since=later, own=seen("online", T)).other_session_active
    assert not LiveState(desired="online", desired_since=T, own=seen("online", later)).other_session_active
    assert not LiveState(desired="unavailable", desired_since=T, own=seen("unavailable", later)).other_session_active
    assert not LiveState(desired="unavailable", desired_since=T).other_session_active


def test_the_note_says_it_plainly_and_a_problem_comes_first() -> None:
    other = LiveState(desired="unavailable", desired_since=T, own=seen("online", T + timedelta(seconds=1)))
    assert other.note.startswith(OTHER_SESSION) and "status message" in other.note
    down = LiveState(desired="unavailable", problem="Matrix homeserver unreachable", own=other.own)
    assert down.note == "Matrix homeserver unreachable"
    assert LiveState().note == ""


class Keeper:
    def __init__(self) -> None:
        self.held: list[DesiredStatus] = []

    def hold(self, desired: DesiredStatus) -> None:
        self.held.append(desired)

    def live(self) -> LiveState:
        return LiveState(problem="down")

    def close(self) -> None:
        pass


def test_only_keepers_are_told() -> None:
    keeper, other = Keeper(), object()
    d = DesiredStatus(state=State.MEETING, matrix_away=True)
    hold_all([keeper, other], d)
    assert keeper.held == [d] and d.matrix_unavailable and not d.away
    assert live_note(keeper) == "down" and live_note(other) == ""
