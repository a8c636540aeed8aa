"""The Slack emulator itself: it must refuse every input Slack refuses, or tests against it prove nothing."""

from __future__ import annotations

import json
import math
import time

import pytest
import requests

from tests.fixtures.slack import ManualClock
from tests.slack_emulator import SlackEmulator


def post(
    emu: SlackEmulator,
    method: str,
    token: str | None = None,
    *,
    form: dict[str, object] | None = None,
    body: object = None,
    raw_json: str | None = None,
) -> requests.Response:
    headers = {}
    tok = emu.token if token is None else token
    if tok:
        headers["Authorization"] = f"Bearer {tok}"
    if raw_json is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
        return requests.post(emu.base_url + method, data=raw_json.encode(), headers=headers, timeout=5)
    if body is not None:
        headers["Content-Type"] = "application/json; charset=utf-8"
        return requests.post(emu.base_url + method, data=json.dumps(body).encode(), headers=headers, timeout=5)
    return requests.post(emu.base_url + method, data=form or {}, headers=headers, timeout=5)


def err(resp: requests.Response) -> str | None:
    data = resp.json()
    return None if data["ok"] else data["error"]


def set_status(emu: SlackEmulator, **profile: object) -> requests.Response:
    return post(emu, "users.profile.set", body={"profile": profile})


# -- authentication ------------------------------------------------------------------------------


def test_auth_test_answers_identity_and_scopes_header(slack_emulator: SlackEmulator) -> None:
    r = post(slack_emulator, "auth.test")
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] is True
    assert (data["team_id"], data["user_id"], data["user"]) == ("T0TRAYST", "U0ME00001", "alex")
    assert "users.profile:write" in r.headers["x-oauth-scopes"].split(",")


def test_token_as_form_parameter_or_query_works(slack_emulator: SlackEmulator) -> None:
    r = requests.post(slack_emulator.base_url + "auth.test", data={"token": slack_emulator.token}, timeout=5)
    assert r.json()["ok"] is True
    r = requests.get(slack_emulator.base_url + "auth.test", params={"token": slack_emulator.token}, timeout=5)
    assert r.json()["ok"] is True


@pytest.mark.parametrize(("token", "error"), [("", "not_authed"), ("xoxp-not-a-real-token", "invalid_auth")])
def test_missing_or_unknown_token_is_refused(slack_emulator: SlackEmulator, token: str, error: str) -> None:
    assert err(post(slack_emulator, "auth.test", token)) == error
    assert err(post(slack_emulator, "users.profile.get", token)) == error


def test_token_in_json_body_is_not_read(slack_emulator: SlackEmulator) -> None:
    r = requests.post(
        slack_emulator.base_url + "users.profile.set",
        timeout=5,
        json={"token": slack_emulator.token, "profile": {"status_text": "x", "status_emoji": ":x:"}},
    )
    assert err(r) == "not_authed"


def test_revoked_token(slack_emulator: SlackEmulator) -> None:
    slack_emulator.revoke()
    assert err(post(slack_emulator, "auth.test")) == "token_revoked"
    assert slack_emulator.status() == ("", "", 0)


def test_missing_scope_names_needed_and_provided(slack_emulator: SlackEmulator) -> None:
    slack_emulator.add_token("xoxp-readonly", scopes=("users:read", "users.profile:read"))
    r = post(
        slack_emulator,
        "users.profile.set",
        "xoxp-readonly",
        body={"profile": {"status_text": "hi", "status_emoji": ":wave:"}},
    )
    data = r.json()
    assert (data["ok"], data["error"], data["needed"]) == (False, "missing_scope", "users.profile:write")
    assert data["provided"] == "users:read,users.profile:read"
    assert err(post(slack_emulator, "dnd.setSnooze", "xoxp-readonly", body={"num_minutes": 5})) == "missing_scope"
    assert err(post(slack_emulator, "users.profile.get", "xoxp-readonly")) is None
    assert slack_emulator.status() == ("", "", 0)


def test_bot_token_is_refused_on_user_only_methods(slack_emulator: SlackEmulator) -> None:
    slack_emulator.add_token("xoxb-bot", kind="bot")
    assert (
        err(
            post(
                slack_emulator,
                "users.profile.set",
                "xoxb-bot",
                body={"profile": {"status_text": "x", "status_emoji": ":x:"}},
            )
        )
        == "not_allowed_token_type"
    )


def test_unknown_method(slack_emulator: SlackEmulator) -> None:
    assert err(post(slack_emulator, "users.fly")) == "unknown_method"


# -- users.profile.set ------------------------------------------------------------------------------


def test_status_set_json_and_form_with_profile_as_json_string(
    slack_emulator: SlackEmulator, slack_clock: ManualClock
) -> None:
    until = int(slack_clock()) + 1800
    r = set_status(
        slack_emulator, status_text="In a meeting", status_emoji=":spiral_calendar_pad:", status_expiration=until
    )
    assert r.json()["ok"] is True
    assert r.json()["profile"]["status_text"] == "In a meeting"
    assert slack_emulator.status() == ("In a meeting", ":spiral_calendar_pad:", until)
    r = post(
        slack_emulator,
        "users.profile.set",
        form={"profile": json.dumps({"status_text": "Focusing", "status_emoji": ":dart:"})},
    )
    assert r.json()["ok"] is True
    assert slack_emulator.status()[:2] == ("Focusing", ":dart:")


def test_status_text_over_100_chars_is_too_long(slack_emulator: SlackEmulator) -> None:
    assert err(set_status(slack_emulator, status_text="x" * 100, status_emoji=":x:")) is None
    assert err(set_status(slack_emulator, status_text="y" * 101, status_emoji=":x:")) == "too_long"
    assert slack_emulator.status()[0] == "x" * 100


@pytest.mark.parametrize("emoji", ["calendar", "🗓", ":calendar", "calendar:", ": calendar:", ":Cal endar:"])
def test_emoji_must_look_like_colon_name_colon(slack_emulator: SlackEmulator, emoji: str) -> None:
    assert (
        err(set_status(slack_emulator, status_text="Busy", status_emoji=emoji))
        == "profile_status_set_failed_not_valid_emoji"
    )
    assert slack_emulator.status() == ("", "", 0)


def test_emoji_with_skin_tone_is_accepted(slack_emulator: SlackEmulator) -> None:
    assert err(set_status(slack_emulator, status_text="Hi", status_emoji=":wave::skin-tone-3:")) is None


def test_clearing_needs_both_text_and_emoji(slack_emulator: SlackEmulator) -> None:
    set_status(slack_emulator, status_text="Lunch", status_emoji=":pizza:")
    assert err(set_status(slack_emulator, status_text="")) == "must_clear_both_status_text_and_status_emoji"
    assert err(set_status(slack_emulator, status_emoji="")) == "must_clear_both_status_text_and_status_emoji"
    assert slack_emulator.status()[:2] == ("Lunch", ":pizza:")
    assert err(set_status(slack_emulator, status_text="", status_emoji="")) is None
    assert slack_emulator.status() == ("", "", 0)


@pytest.mark.parametrize("expiration", ["1700000000", 17.5, True, -1, None])
def test_status_expiration_must_be_a_non_negative_integer(slack_emulator: SlackEmulator, expiration: object) -> None:
    r = post(
        slack_emulator,
        "users.profile.set",
        raw_json=json.dumps({"profile": {"status_text": "x", "status_emoji": ":x:", "status_expiration": expiration}}),
    )
    assert err(r) == "invalid_arguments"
    assert slack_emulator.status() == ("", "", 0)


@pytest.mark.parametrize("profile", ["{not json", "[1, 2]", '"text"'])
def test_profile_form_value_must_be_a_json_object(slack_emulator: SlackEmulator, profile: str) -> None:
    assert err(post(slack_emulator, "users.profile.set", form={"profile": profile})) == "invalid_profile"


def test_invalid_json_body(slack_emulator: SlackEmulator) -> None:
    assert err(post(slack_emulator, "users.profile.set", raw_json="{oops")) == "invalid_json"
    assert err(post(slack_emulator, "users.profile.set", raw_json="[1]")) == "json_not_object"


def test_setting_another_users_profile_needs_admin(slack_emulator: SlackEmulator) -> None:
    r = post(
        slack_emulator,
        "users.profile.set",
        body={"user": "U0PRIYA01", "profile": {"status_text": "x", "status_emoji": ":x:"}},
    )
    assert err(r) == "not_admin"


def test_status_clears_itself_at_expiration(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    until = int(slack_clock()) + 600
    set_status(slack_emulator, status_text="In a meeting", status_emoji=":calendar:", status_expiration=until)
    slack_clock.advance(599)
    assert slack_emulator.status()[0] == "In a meeting"
    slack_clock.advance(1)
    assert slack_emulator.status() == ("", "", 0)
    assert post(slack_emulator, "users.profile.get").json()["profile"]["status_text"] == ""


# -- DND and presence ------------------------------------------------------------------------------


def test_snooze_sets_end_and_ends_by_itself(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    r = post(slack_emulator, "dnd.setSnooze", body={"num_minutes": 30})
    data = r.json()
    end = int(slack_clock()) + 1800
    assert (data["ok"], data["snooze_enabled"], data["snooze_endtime"]) == (True, True, end)
    info = post(slack_emulator, "dnd.info", form={}).json()
    assert (info["snooze_enabled"], info["snooze_endtime"]) == (True, end)
    slack_clock.advance(1800)
    assert slack_emulator.snooze_end() is None
    assert post(slack_emulator, "dnd.info").json()["snooze_enabled"] is False
    assert err(post(slack_emulator, "dnd.endSnooze")) == "snooze_not_active"


def test_snooze_form_string_minutes_and_end(slack_emulator: SlackEmulator) -> None:
    assert err(post(slack_emulator, "dnd.setSnooze", form={"num_minutes": "15"})) is None
    assert slack_emulator.snooze_end() is not None
    assert err(post(slack_emulator, "dnd.endSnooze")) is None
    assert slack_emulator.snooze_end() is None


@pytest.mark.parametrize("minutes", [0, -5, "abc", "1.5", 2.5, True])
def test_snooze_minutes_must_be_a_positive_integer(slack_emulator: SlackEmulator, minutes: object) -> None:
    assert err(post(slack_emulator, "dnd.setSnooze", body={"num_minutes": minutes})) in (
        "invalid_arguments",
        "missing_duration",
    )
    assert slack_emulator.snooze_end() is None


def test_snooze_without_minutes(slack_emulator: SlackEmulator) -> None:
    assert err(post(slack_emulator, "dnd.setSnooze", body={})) == "invalid_arguments"


def test_end_dnd_ends_a_snooze(slack_emulator: SlackEmulator) -> None:
    post(slack_emulator, "dnd.setSnooze", body={"num_minutes": 10})
    assert err(post(slack_emulator, "dnd.endDnd")) is None
    assert slack_emulator.snooze_end() is None


@pytest.mark.parametrize("presence", ["active", "online", "AWAY", ""])
def test_set_presence_only_auto_or_away(slack_emulator: SlackEmulator, presence: str) -> None:
    assert err(post(slack_emulator, "users.setPresence", body={"presence": presence})) in (
        "invalid_presence",
        "invalid_arguments",
    )
    assert slack_emulator.presence() == "auto"


def test_presence_away_then_auto(slack_emulator: SlackEmulator) -> None:
    assert err(post(slack_emulator, "users.setPresence", body={"presence": "away"})) is None
    got = post(slack_emulator, "users.getPresence").json()
    assert (got["presence"], got["manual_away"]) == ("away", True)
    assert err(post(slack_emulator, "users.setPresence", form={"presence": "auto"})) is None
    assert post(slack_emulator, "users.getPresence").json()["presence"] == "active"


# -- users, channels, messages ------------------------------------------------------------------------


def test_users_list_paginates_with_cursor_and_limit(slack_emulator: SlackEmulator) -> None:
    seen: list[dict[str, object]] = []
    cursor = ""
    pages = 0
    while True:
        data = post(slack_emulator, "users.list", form={"limit": "3", "cursor": cursor}).json()
        assert data["ok"] is True and len(data["members"]) <= 3
        seen += data["members"]
        pages += 1
        cursor = data["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(seen) == 9 == len({m["id"] for m in seen})
    kolkata = next(m for m in seen if m["tz"] == "Asia/Kolkata")
    assert kolkata["tz_offset"] == 19800 and kolkata["tz_label"] == "IST"
    assert kolkata["profile"]["image_72"].endswith("-72.png") and kolkata["real_name"] == "Priya Raman"
    assert any(m["deleted"] for m in seen) and any(m["is_bot"] for m in seen)


def test_users_list_rejects_bad_cursor_and_limit(slack_emulator: SlackEmulator) -> None:
    assert err(post(slack_emulator, "users.list", form={"cursor": "bm9wZQ=="})) == "invalid_cursor"
    assert err(post(slack_emulator, "users.list", form={"limit": "ten"})) == "invalid_arguments"


def test_users_info_needs_a_known_user(slack_emulator: SlackEmulator) -> None:
    assert post(slack_emulator, "users.info", form={"user": "U0HEMI001"}).json()["user"]["tz_offset"] in (45900, 49500)
    assert err(post(slack_emulator, "users.info", form={"user": "U0NOBODY"})) == "user_not_found"
    assert err(post(slack_emulator, "users.info")) == "invalid_arguments"


def test_read_methods_ignore_json_bodies(slack_emulator: SlackEmulator) -> None:
    # users.info does not accept JSON (no json_input_supported in its spec): the user argument is not read
    assert err(post(slack_emulator, "users.info", body={"user": "U0HEMI001"})) == "invalid_arguments"


def test_conversations_list_hides_private_channels_of_others(slack_emulator: SlackEmulator) -> None:
    data = post(slack_emulator, "conversations.list", form={"types": "public_channel,private_channel"}).json()
    names = {c["name"] for c in data["channels"]}
    assert names == {"general", "handoffs", "random"}
    assert err(post(slack_emulator, "conversations.list", form={"types": "everything"})) == "invalid_types"


def test_post_message_by_id_and_name(slack_emulator: SlackEmulator) -> None:
    r1 = post(slack_emulator, "chat.postMessage", body={"channel": "#handoffs", "text": "Done for today"}).json()
    r2 = post(slack_emulator, "chat.postMessage", body={"channel": "C0GENERAL", "text": "Hello"}).json()
    assert r1["ok"] and r2["ok"] and r1["channel"] == "C0HANDOFF" and r1["ts"] != r2["ts"]
    assert [(m.channel, m.text, m.ts) for m in slack_emulator.messages] == [
        ("C0HANDOFF", "Done for today", r1["ts"]),
        ("C0GENERAL", "Hello", r2["ts"]),
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"channel": "#nowhere", "text": "x"}, "channel_not_found"),
        ({"channel": "G0PRIVATE", "text": "x"}, "channel_not_found"),
        ({"channel": "#random", "text": "x"}, "not_in_channel"),
        ({"channel": "#general"}, "no_text"),
        ({"text": "x"}, "invalid_arguments"),
        ({"channel": "#general", "text": "x" * 40_001}, "msg_too_long"),
    ],
)
def test_post_message_refusals(slack_emulator: SlackEmulator, body: dict[str, object], error: str) -> None:
    assert err(post(slack_emulator, "chat.postMessage", body=body)) == error
    assert slack_emulator.messages == []


# -- rate limits, recording, faults --------------------------------------------------------------------


def test_profile_writes_limited_to_ten_per_window(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    for i in range(10):
        assert err(set_status(slack_emulator, status_text=f"s{i}", status_emoji=":x:")) is None
    r = set_status(slack_emulator, status_text="one too many", status_emoji=":x:")
    assert r.status_code == 429 and err(r) == "ratelimited"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert slack_emulator.status()[0] == "s9"
    slack_clock.advance(int(r.headers["Retry-After"]))
    assert err(set_status(slack_emulator, status_text="later", status_emoji=":x:")) is None


def test_tier_limit_with_scaled_window(slack_emulator_factory: object, slack_clock: ManualClock) -> None:
    emu = slack_emulator_factory(now=slack_clock, window_seconds=2.0)  # type: ignore[operator]
    for _ in range(20):  # dnd.setSnooze is tier 2: 20 per window
        assert err(post(emu, "dnd.setSnooze", body={"num_minutes": 5})) is None
    r = post(emu, "dnd.setSnooze", body={"num_minutes": 5})
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    assert err(post(emu, "dnd.info")) is None  # limits are per method
    slack_clock.advance(2)
    assert err(post(emu, "dnd.setSnooze", body={"num_minutes": 5})) is None


def test_realistic_limits_on_a_real_clock_burst(slack_emulator_factory: object) -> None:
    emu = slack_emulator_factory()  # type: ignore[operator]
    started = time.time()
    answers = [post(emu, "users.setPresence", body={"presence": "away"}) for _ in range(21)]
    elapsed = time.time() - started
    assert [a.status_code for a in answers[:20]] == [200] * 20
    assert answers[20].status_code == 429
    # the first call of the burst leaves the one-minute window 60 s after it was made
    assert 60 - math.ceil(elapsed) <= int(answers[20].headers["Retry-After"]) <= 60


def test_calls_are_recorded_without_the_token(slack_emulator: SlackEmulator) -> None:
    set_status(slack_emulator, status_text="x", status_emoji=":x:")
    post(slack_emulator, "dnd.setSnooze", form={"num_minutes": "5", "token": "xoxp-other"})
    calls = slack_emulator.calls
    assert [c.method for c in calls] == ["users.profile.set", "dnd.setSnooze"]
    assert calls[0].params == {"profile": {"status_text": "x", "status_emoji": ":x:"}} and calls[0].ok
    assert "token" not in calls[1].params and calls[1].http_status == 200
    assert slack_emulator.token not in repr(calls)


def test_injected_faults(slack_emulator: SlackEmulator) -> None:
    slack_emulator.inject("auth.test", status=503)
    slack_emulator.inject("dnd.info", status=429, retry_after=7)
    slack_emulator.inject("users.profile.get", error="fatal_error")
    assert post(slack_emulator, "auth.test").status_code == 503
    r = post(slack_emulator, "dnd.info")
    assert (r.status_code, r.headers["Retry-After"], err(r)) == (429, "7", "ratelimited")
    assert err(post(slack_emulator, "users.profile.get")) == "fatal_error"
    assert post(slack_emulator, "auth.test").status_code == 200  # each fault fires once


def test_every_error_answered_is_documented(slack_emulator: SlackEmulator) -> None:
    post(slack_emulator, "dnd.endSnooze")
    set_status(slack_emulator, status_text="x" * 101, status_emoji=":x:")
    assert slack_emulator.bugs == []
    slack_emulator.specs["dnd.endSnooze"] = type(slack_emulator.specs["dnd.endSnooze"])(
        **{
            **{
                f: getattr(slack_emulator.specs["dnd.endSnooze"], f)
                for f in slack_emulator.specs["dnd.endSnooze"].__dataclass_fields__
            },
            "errors": frozenset(),
        }
    )
    post(slack_emulator, "dnd.endSnooze")
    assert slack_emulator.bugs == ["dnd.endSnooze answered undocumented error 'snooze_not_active'"]
    slack_emulator.bugs.clear()


def test_messages_per_channel_are_limited_by_channel_not_spelling(
    slack_emulator_factory: object, slack_clock: ManualClock
) -> None:
    emu = slack_emulator_factory(now=slack_clock, window_seconds=1.0)  # type: ignore[operator]
    emu.ws.channels["C0GENERAL"].members.add(emu.user_id)
    answers = [
        post(emu, "chat.postMessage", body={"channel": ref, "text": "hi"}).status_code
        for ref in ["#general", "C0GENERAL", "general"] * 20
    ]
    assert answers == [200] * 60
    r = post(emu, "chat.postMessage", body={"channel": "#general", "text": "one more"})
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert post(emu, "chat.postMessage", body={"channel": "#handoffs", "text": "other channel"}).status_code == 200
    assert len(emu.messages) == 61
