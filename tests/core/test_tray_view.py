"""The tray's view data: icon state, tooltip, current/next lines, health, overrides and pause."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from traystatus.core.icon_state import IconState
from traystatus.core.model import Availability, Override, State
from traystatus.core.tray_view import ServiceHealth, build_tray_view, format_time

TZ = ZoneInfo("Europe/Berlin")  # UTC+1 in November
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # 14:00 local


def at(h: int, m: int = 0, day: int = 24) -> datetime:
    return datetime(2026, 11, day, h, m, tzinfo=TZ).astimezone(UTC)


def av(state: State, a: datetime, b: datetime, *, overridden: bool = False) -> Availability:
    return Availability(start=a, end=b, state=state, until=b, reason="r", overridden=overridden)


TIMELINE = (
    av(State.AVAILABLE, at(9), at(13, 30)),
    av(State.MEETING, at(13, 30), at(15, 30)),
    av(State.FOCUS, at(15, 30), at(17)),
    av(State.OFF_HOURS, at(17), at(9, day=25)),
)
OK = (ServiceHealth(name="Slack"), ServiceHealth(name="Matrix"))


def test_meeting_now_with_focus_next() -> None:
    v = build_tray_view(timeline=TIMELINE, overrides=(), health=OK, now=NOW, tz=TZ)
    assert v.icon is IconState.MEETING and v.state is State.MEETING
    assert v.tooltip == "In a meeting until 15:30 · Slack ✓ · Matrix ✓"
    assert v.state_line == "In a meeting until 15:30"
    assert v.next_line == "Focus 15:30–17:00"
    assert not v.overridden and not v.paused and not v.needs_attention


def test_off_hours_next_says_from_and_other_days_name_the_weekday() -> None:
    v = build_tray_view(timeline=TIMELINE, overrides=(), health=(), now=at(16), tz=TZ)
    assert v.next_line == "Off hours from 17:00"
    v = build_tray_view(timeline=TIMELINE, overrides=(), health=(), now=at(18), tz=TZ)
    assert v.icon is IconState.OFF_HOURS and v.state_line == "Off hours until Wed 09:00"
    assert v.next_line == ""


def test_needs_action_wins_the_icon_and_shows_the_fix() -> None:
    bad = (
        ServiceHealth(name="Slack", ok=False, detail="token revoked", fix="reconnect in Settings…", needs_action=True),
        ServiceHealth(name="Matrix"),
    )
    v = build_tray_view(timeline=TIMELINE, overrides=(), health=bad, now=NOW, tz=TZ)
    assert v.icon is IconState.ATTENTION and v.needs_attention
    assert v.health[0].text == "Slack: token revoked — Reconnect…"
    assert v.health[0].detail == "Slack: token revoked — reconnect in Settings…"
    assert v.tooltip == "In a meeting until 15:30 · Slack ✗ · Matrix ✓\nSlack: token revoked — reconnect in Settings…"


def test_a_raw_error_is_one_short_line_in_the_menu_and_whole_in_the_tooltip() -> None:
    raw = (
        "Slack unreachable: users.profile.get at 127.0.0.1:40929: cannot connect (ConnectionError) "
        "after 3 tries; traystatus keeps retrying with backoff " + "x" * 600
    )
    revoked = "Slack token revoked: Slack token revoked or invalid (token_revoked) — use Connect Slack… again."
    health = (
        ServiceHealth(name="Slack", ok=False, detail=raw),
        ServiceHealth(name="Matrix", ok=False, detail=revoked.replace("Slack", "Matrix"), needs_action=True),
    )
    v = build_tray_view(timeline=TIMELINE, overrides=(), health=health, now=NOW, tz=TZ)
    assert [h.text for h in v.health] == ["Slack: unreachable", "Matrix: token revoked — Reconnect…"]
    assert v.health[0].detail.startswith("Slack unreachable: users.profile.get at 127.0.0.1:40929")
    first, *problems = v.tooltip.split("\n")
    assert first == "In a meeting until 15:30 · Slack ✗ · Matrix ✗"
    assert len(problems) == 2 and all(len(p) <= 160 for p in problems) and problems[0].endswith("…")
    assert "token_revoked" in problems[1]
    long_title = ServiceHealth(
        name="Work", ok=False, detail="a calendar title that goes on and on and on and on and on forever"
    )
    (line,) = build_tray_view(timeline=TIMELINE, overrides=(), health=(long_title,), now=NOW, tz=TZ).health
    assert line.text == "Work: a calendar title that goes on and on and on…" and len(line.text) <= len("Work: ") + 48


def test_transient_failure_is_not_attention() -> None:
    flaky = (ServiceHealth(name="Matrix", ok=False, detail="server unreachable, retrying"),)
    v = build_tray_view(timeline=TIMELINE, overrides=(), health=flaky, now=NOW, tz=TZ)
    assert v.icon is IconState.MEETING and v.health[0].text == "Matrix: server unreachable, retrying"


def test_the_choices_in_force_are_checked() -> None:
    from traystatus.core.overrides import Choice, override_for

    dnd = override_for(Choice.DND_1H, now=NOW, tomorrow=NOW + timedelta(hours=15))
    pause = override_for(Choice.PAUSE_TOMORROW, now=NOW, tomorrow=NOW + timedelta(hours=15))
    assert dnd is not None and pause is not None
    v = build_tray_view(timeline=TIMELINE, overrides=(dnd, pause), health=OK, now=NOW, tz=TZ)
    assert v.checked == {"dnd-1h", "pause-tomorrow"}
    later = build_tray_view(timeline=TIMELINE, overrides=(dnd, pause), health=OK, now=NOW + timedelta(hours=2), tz=TZ)
    assert later.checked == {"pause-tomorrow"}  # the hour of DND is over
    assert build_tray_view(timeline=TIMELINE, overrides=(), health=OK, now=NOW, tz=TZ).checked == frozenset()


def test_dnd_override_and_pause() -> None:
    dnd = Override(state=State.FOCUS, start=NOW, end=NOW + timedelta(hours=1), reason="Do not disturb")
    pause = Override(
        state=State.AVAILABLE, start=NOW, end=NOW + timedelta(hours=2), reason="Syncing paused", paused=True
    )
    timeline = (av(State.FOCUS, NOW, NOW + timedelta(hours=1), overridden=True), *TIMELINE[2:])
    v = build_tray_view(timeline=timeline, overrides=(dnd,), health=OK, now=NOW, tz=TZ)
    assert v.icon is IconState.FOCUS and v.overridden
    assert v.state_line == v.override_line == "Do not disturb until 15:00"
    v = build_tray_view(timeline=TIMELINE, overrides=(pause,), health=OK, now=NOW, tz=TZ)
    assert v.icon is IconState.PAUSED and v.paused
    assert v.tooltip.startswith("Syncing paused until 16:00 · In a meeting until 15:30")
    # expired overrides change nothing
    v = build_tray_view(timeline=TIMELINE, overrides=(dnd, pause), health=OK, now=NOW + timedelta(hours=2), tz=TZ)
    assert v.icon is IconState.FOCUS and not v.overridden and not v.paused


def test_empty_timeline_is_available() -> None:
    v = build_tray_view(timeline=(), overrides=(), health=(), now=NOW, tz=TZ, notice="No configuration yet")
    assert (v.icon, v.state_line, v.next_line) == (IconState.AVAILABLE, "Available", "")
    assert v.notice == "No configuration yet"


@pytest.mark.parametrize(
    ("zone", "same_day", "expected"),
    [
        ("Asia/Kathmandu", True, "18:45"),
        ("America/New_York", True, "08:00"),
        ("Pacific/Chatham", False, "Wed 02:45"),
        ("Australia/Lord_Howe", False, "Wed 00:00"),
    ],
)
def test_format_time_in_the_users_zone(zone: str, same_day: bool, expected: str) -> None:
    """13:00 UTC is still Tuesday in Kathmandu and New York but already Wednesday at Chatham and Lord Howe."""
    tz = ZoneInfo(zone)
    tuesday_morning = datetime(2026, 11, 24, 0, 30, tzinfo=tz)
    assert format_time(NOW, tuesday_morning, tz) == expected
    assert (":" in expected[:3]) is same_day
    assert format_time(NOW + timedelta(days=30), NOW, tz).split()[1] == "Dec"


def test_notifications_never_repeat_the_title_in_the_body() -> None:
    from traystatus.core.tray_view import alert_notification, change_notification, problem_story

    title, body = change_notification(build_tray_view(timeline=TIMELINE, overrides=(), health=OK, now=NOW, tz=TZ))
    assert title == "In a meeting"
    assert body.startswith("Until 15:30") and "In a meeting" not in body
    revoked = ServiceHealth(
        name="Slack",
        ok=False,
        detail="Slack token revoked: Slack token revoked or invalid (token_revoked)",
        fix="reconnect in Settings…",
        needs_action=True,
    )
    (line,) = build_tray_view(timeline=TIMELINE, overrides=(), health=(revoked,), now=NOW, tz=TZ).health
    title, body = alert_notification(line)
    assert title == "traystatus needs you"
    # each thing once: no second "Slack", no title repeated by its message, the desktop's fix only
    assert body == "Slack token revoked or invalid (token_revoked) — reconnect in Settings…"
    cli_fix = ServiceHealth(
        name="Slack",
        ok=False,
        detail="Slack token revoked: Slack token revoked or invalid (token_revoked) — reconnect with "
        "`traystatus login slack`.",
        fix="reconnect in Settings…",
        needs_action=True,
    )
    (line,) = build_tray_view(timeline=TIMELINE, overrides=(), health=(cli_fix,), now=NOW, tz=TZ).health
    assert alert_notification(line)[1] == body and line.detail == body
    assert "Matrix: server unreachable" in problem_story("Matrix", "server unreachable, retrying")
    scope = (
        "Slack permission missing: users.setPresence needs the scope users:write, which the Slack token lacks. "
        "Add it to the app's user token scopes, reinstall, then reconnect with `traystatus login slack`."
    )
    assert problem_story("Slack", scope, "reconnect in Settings…") == (
        "Slack permission missing: users.setPresence needs the scope users:write, which the Slack token lacks. "
        "Add it to the app's user token scopes, reinstall — reconnect in Settings…"
    )
    assert problem_story("Slack", scope).endswith("`traystatus login slack`")  # no other fix to give: kept


def test_a_preview_line_is_in_words_without_raw_states_or_emoji_codes() -> None:
    from traystatus.core.status_map import StatusSettings, desired_status
    from traystatus.core.tray_view import outlook_line

    evening = Availability(
        start=datetime(2026, 11, 24, 16, 30, tzinfo=UTC),
        end=datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
        state=State.OFF_HOURS,
        until=datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        reason="outside working hours",
    )
    d = desired_status(evening, StatusSettings(), now=evening.start, tz=TZ)
    line = outlook_line(evening, d, TZ)
    assert line == (
        "17:30  Off for the day until Wed 09:00 — Slack will show 🌙 “Off for the day — back 09:00 CET”, "
        "Do Not Disturb until Wed 09:00, away · Matrix will show you unavailable"
    )
    # the first line of a plan starts now; a time on another day names the day
    now = evening.start + timedelta(minutes=10)
    assert outlook_line(evening, d, TZ, now=now).startswith("Now  Off for the day until Wed 09:00 — ")
    assert "off_hours" not in line and ":crescent_moon:" not in line
