"""Per-state status mapping: defaults from the issue, templates, privacy of titles, 100-char limit, config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.config_schema import Table
from traystatus.core.errors import ConfigError
from traystatus.core.model import Availability, State
from traystatus.core.status_map import STATUS_TEXT_MAX, StatusSettings, desired_status

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 17, 30, tzinfo=UTC)  # Friday 18:30 CET


def interval(state: State, start: datetime, until: datetime, titles: tuple[str, ...] = ()) -> Availability:
    return Availability(start=start, end=until, state=state, until=until, reason="test", event_titles=titles)


def test_defaults_match_the_issue() -> None:
    s = StatusSettings()
    off = desired_status(
        interval(State.OFF_HOURS, NOW, datetime(2026, 11, 21, 8, 0, tzinfo=UTC)), s, now=NOW, tz=BERLIN
    )
    assert off.text == "Off for the day — back 09:00 CET"
    assert off.emoji == ":crescent_moon:" and off.away
    assert off.dnd_until == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    ooo = desired_status(interval(State.OOO, NOW, datetime(2026, 11, 24, 8, 0, tzinfo=UTC)), s, now=NOW, tz=BERLIN)
    assert ooo.text == "Out of office — back Tue 24 Nov"
    assert ooo.emoji == ":palm_tree:" and ooo.away and ooo.dnd_until is not None
    meeting_end = NOW + timedelta(minutes=45)
    meeting = desired_status(interval(State.MEETING, NOW, meeting_end), s, now=NOW, tz=BERLIN)
    assert (meeting.text, meeting.emoji, meeting.expires_at) == ("In a meeting", ":spiral_calendar_pad:", meeting_end)
    assert meeting.dnd_until is None and not meeting.away
    assert meeting.message == "🗓 In a meeting"
    focus = desired_status(interval(State.FOCUS, NOW, meeting_end), s, now=NOW, tz=BERLIN)
    assert focus.text == "Focusing" and focus.dnd_until == meeting_end
    available = desired_status(interval(State.AVAILABLE, NOW, meeting_end), s, now=NOW, tz=BERLIN)
    assert not available.has_status and available.expires_at is None and available.dnd_until is None
    assert not available.away


def test_off_hours_over_a_weekend_names_the_day() -> None:
    d = desired_status(
        interval(State.OFF_HOURS, NOW, datetime(2026, 11, 23, 8, 0, tzinfo=UTC)), StatusSettings(), now=NOW, tz=BERLIN
    )
    assert d.text == "Off for the day — back Mon 09:00 CET"


@pytest.mark.parametrize("share", [False, True])
def test_titles_only_when_shared_and_never_private(share: bool) -> None:
    table = Table({"meeting": {"text": "In {title} until {until}"}}, path="status")
    s = StatusSettings.from_table(table)
    end = NOW + timedelta(hours=1)
    public = desired_status(
        interval(State.MEETING, NOW, end, ("Board review",)), s, now=NOW, tz=BERLIN, share_titles=share
    )
    private = desired_status(
        interval(State.MEETING, NOW, end, ("Private event",)), s, now=NOW, tz=BERLIN, share_titles=share
    )
    assert public.text == ("In Board review until 19:30" if share else "In until 19:30")
    assert "Private" not in private.text


def test_text_is_cut_to_slacks_limit() -> None:
    s = StatusSettings.from_table(Table({"meeting": {"text": "x" * 300}}, path="status"))
    d = desired_status(interval(State.MEETING, NOW, NOW + timedelta(hours=1)), s, now=NOW, tz=BERLIN)
    assert len(d.text) == STATUS_TEXT_MAX and d.text.endswith("…")


def test_config_overrides_per_state() -> None:
    s = StatusSettings.from_table(
        Table({"focus": {"text": "Heads down", "emoji": ":brain:", "dnd": False, "presence": "away"}}, path="status")
    )
    d = desired_status(interval(State.FOCUS, NOW, NOW + timedelta(hours=1)), s, now=NOW, tz=BERLIN)
    assert (d.text, d.emoji, d.dnd_until, d.away) == ("Heads down", ":brain:", None, True)
    assert s.for_state(State.MEETING).text == "In a meeting"


def test_matrix_presence_per_state_as_the_readme_says() -> None:
    """Matrix has no busy: meetings and focus are unavailable there, while Slack stays auto in them."""
    defaults = StatusSettings()
    want = {
        State.AVAILABLE: False,
        State.MEETING: True,
        State.FOCUS: True,
        State.OOO: True,
        State.OFF_HOURS: True,
    }
    for state, unavailable in want.items():
        d = desired_status(interval(state, NOW, NOW + timedelta(hours=1)), defaults, now=NOW, tz=BERLIN)
        assert d.matrix_unavailable is unavailable, state
        assert d.away is (state in (State.OOO, State.OFF_HOURS)), state  # Slack's presence
    s = StatusSettings.from_table(
        Table({"meeting": {"matrix_presence": "online"}, "matrix_profile_status": "never"}, path="status")
    )
    d = desired_status(interval(State.MEETING, NOW, NOW + timedelta(hours=1)), s, now=NOW, tz=BERLIN)
    assert not d.matrix_unavailable and s.matrix_profile_status == "never"
    assert StatusSettings.from_table(Table({}, path="status")).for_state(State.FOCUS).matrix_unavailable
    assert StatusSettings().matrix_profile_status == "own"


@pytest.mark.parametrize(
    "data",
    [
        {"meeting": {"matrix_presence": "busy"}},
        {"matrix_profile_status": "sometimes"},
        {"meeting": {"text": "until {when}"}},
        {"meeting": {"emoji": "calendar"}},
        {"meeting": {"presence": "busy"}},
        {"meting": {}},
        {"meeting": {"dnd": "yes"}},
    ],
)
def test_bad_config_is_named(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as e:
        StatusSettings.from_table(Table(data, path="status", source="config.toml"))
    assert "config.toml: status." in e.value.message
