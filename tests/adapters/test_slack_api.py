"""SlackClient against the Slack emulator: bodies, identity, rate-limit waits, retries, errors, no token leaks."""

from __future__ import annotations

import logging
import socket

import pytest

from tests.fixtures.slack import ManualClock
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.slack_api import SlackApiError, SlackClient, SlackIdentity, default_api_url
from traystatus.core.errors import ServiceError


class Sleeps:
    def __init__(self, clock: ManualClock | None = None) -> None:
        self.calls: list[float] = []
        self.clock = clock

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.advance(seconds)


def client(emu: SlackEmulator, **kw: object) -> SlackClient:
    return SlackClient(emu.token, api_url=emu.base_url, **kw)  # type: ignore[arg-type]


def test_auth_test_gives_identity_and_scopes(slack_emulator: SlackEmulator) -> None:
    ident = client(slack_emulator).auth_test()
    assert ident == SlackIdentity(
        team_id="T0TRAYST",
        team="Traystatus Test",
        user_id="U0ME00001",
        user="alex",
        url="https://traystatus-test.slack.com/",
        scopes=ident.scopes,
    )
    assert {"users.profile:write", "dnd:write", "chat:write"} <= set(ident.scopes)


def test_writes_are_json_reads_are_form(slack_emulator: SlackEmulator, slack_clock: ManualClock) -> None:
    c = client(slack_emulator)
    until = int(slack_clock()) + 900
    c.call(
        "users.profile.set",
        profile={"status_text": "In a meeting", "status_emoji": ":calendar:", "status_expiration": until},
    )
    got = c.call("users.profile.get")
    assert got["profile"]["status_text"] == "In a meeting"
    c.call("users.info", user="U0PRIYA01")
    c.call("users.list", limit=2)
    kinds = [(call.method, call.content_type.split(";")[0]) for call in slack_emulator.calls]
    assert kinds == [
        ("users.profile.set", "application/json"),
        ("users.profile.get", ""),  # no arguments, no body
        ("users.info", "application/x-www-form-urlencoded"),
        ("users.list", "application/x-www-form-urlencoded"),
    ]
    assert all("warning" not in call.response for call in slack_emulator.calls)
    assert slack_emulator.status() == ("In a meeting", ":calendar:", until)


def test_dnd_presence_and_message_round_trip(slack_emulator: SlackEmulator) -> None:
    c = client(slack_emulator)
    assert c.call("dnd.setSnooze", num_minutes=45)["snooze_enabled"] is True
    c.call("users.setPresence", presence="away")
    posted = c.call("chat.postMessage", channel="#handoffs", text="Wrapped up & handed over")
    assert slack_emulator.presence() == "away" and slack_emulator.snooze_end() is not None
    assert slack_emulator.messages[0].ts == posted["ts"]
    with pytest.raises(SlackApiError) as e:
        c.call("dnd.endSnooze")
        c.call("dnd.endSnooze")
    assert e.value.error == "snooze_not_active" and not e.value.needs_action


def test_retry_after_is_honoured(slack_emulator: SlackEmulator) -> None:
    slack_emulator.inject("users.setPresence", status=429, retry_after=3, times=2)
    sleeps = Sleeps()
    client(slack_emulator, sleep=sleeps).call("users.setPresence", presence="away")
    assert sleeps.calls == [3, 3]
    assert [c.http_status for c in slack_emulator.calls_to("users.setPresence")] == [429, 429, 200]
    assert slack_emulator.presence() == "away"


def test_retry_after_longer_than_max_wait_raises_with_retry_after(slack_emulator: SlackEmulator) -> None:
    slack_emulator.inject("users.setPresence", status=429, retry_after=45)
    sleeps = Sleeps()
    with pytest.raises(ServiceError) as e:
        client(slack_emulator, sleep=sleeps, max_wait=30).call("users.setPresence", presence="away")
    assert e.value.retry_after == 45 and sleeps.calls == []
    assert len(slack_emulator.calls) == 1


def test_profile_write_burst_waits_on_the_emulator_clock(
    slack_emulator: SlackEmulator, slack_clock: ManualClock
) -> None:
    sleeps = Sleeps(slack_clock)
    c = client(slack_emulator, sleep=sleeps, max_wait=120)
    for i in range(12):
        c.call("users.profile.set", profile={"status_text": f"step {i}", "status_emoji": ":gear:"})
    assert slack_emulator.status()[0] == "step 11"
    assert len(sleeps.calls) == 1 and 1 <= sleeps.calls[0] <= 60  # one 429, waited once, both writes landed
    assert [c.http_status for c in slack_emulator.calls].count(429) == 1


def test_realistic_burst_gives_up_with_retry_after(slack_emulator_factory: object) -> None:
    emu = slack_emulator_factory()  # type: ignore[operator]
    c = client(emu, sleep=Sleeps(), max_wait=5)
    for i in range(10):
        c.call("users.profile.set", profile={"status_text": f"{i}", "status_emoji": ":x:"})
    with pytest.raises(SlackApiError) as e:
        c.call("users.profile.set", profile={"status_text": "11th", "status_emoji": ":x:"})
    assert e.value.error == "ratelimited" and e.value.retry_after is not None and 5 < e.value.retry_after <= 60


def test_server_errors_are_retried_a_bounded_number_of_times(slack_emulator: SlackEmulator) -> None:
    slack_emulator.inject("dnd.info", status=502, times=2)
    sleeps = Sleeps()
    assert client(slack_emulator, sleep=sleeps).call("dnd.info")["ok"] is True
    assert sleeps.calls == [0.5, 1.0]
    slack_emulator.inject("dnd.info", status=500, times=10)
    with pytest.raises(ServiceError) as e:
        client(slack_emulator, sleep=Sleeps()).call("dnd.info")
    assert e.value.title == "Slack unreachable" and "HTTP 500" in e.value.message
    assert len(slack_emulator.calls_to("dnd.info")) == 3 + 3  # 2 faults + success, then 1 try + 2 retries


def test_timeout_is_retried(slack_emulator: SlackEmulator) -> None:
    slack_emulator.inject("auth.test", delay=0.6, status=200, times=1)
    sleeps = Sleeps()
    with pytest.raises(ServiceError):  # the delayed answer is itself a fault; but the client must not hang
        client(slack_emulator, sleep=sleeps, timeout=0.2, retries=0).auth_test()
    ident = client(slack_emulator, timeout=0.2).auth_test()
    assert ident.user_id == "U0ME00001"


def test_timeout_then_success(slack_emulator: SlackEmulator) -> None:
    slack_emulator.inject("users.getPresence", delay=0.6, error="fatal_error")
    sleeps = Sleeps()
    got = client(slack_emulator, sleep=sleeps, timeout=0.2).call("users.getPresence")
    assert got["presence"] == "active" and sleeps.calls == [0.5]


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth", "account_inactive"])
def test_revoked_token_needs_action(slack_emulator: SlackEmulator, error: str) -> None:
    if error == "token_revoked":
        slack_emulator.revoke()
        token = slack_emulator.token
    elif error == "invalid_auth":
        token = "xoxp-9999-not-known"
    else:
        slack_emulator.ws.tokens[slack_emulator.token].inactive = True
        token = slack_emulator.token
    with pytest.raises(ServiceError) as e:
        SlackClient(token, api_url=slack_emulator.base_url).call("users.profile.get")
    assert e.value.needs_action
    assert "reconnect with `traystatus login slack`" in e.value.message


def test_missing_scope_is_named(slack_emulator: SlackEmulator) -> None:
    slack_emulator.add_token("xoxp-no-dnd", scopes=("users:read",))
    with pytest.raises(SlackApiError) as e:
        SlackClient("xoxp-no-dnd", api_url=slack_emulator.base_url).call("dnd.setSnooze", num_minutes=5)
    assert e.value.needs_action and e.value.needed == "dnd:write" and "dnd:write" in e.value.message


def test_invalid_arguments_are_explained(slack_emulator: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as e:
        client(slack_emulator).call("users.profile.set", profile={"status_text": "x" * 101, "status_emoji": ":x:"})
    assert e.value.error == "too_long" and "users.profile.set" in e.value.message


def test_token_never_leaks(slack_emulator: SlackEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "xoxp-4444-5555-very-secret-value"
    slack_emulator.add_token(secret, scopes=("users:read",))
    c = SlackClient(secret, api_url=slack_emulator.base_url, sleep=Sleeps())
    texts = [repr(c), str(c)]
    c.call("users.info", user="U0PRIYA01")
    for fault in ({"status": 500, "times": 5}, {"status": 429, "retry_after": 99}):
        slack_emulator.inject("users.info", **fault)  # type: ignore[arg-type]
        with pytest.raises(ServiceError) as e:
            c.call("users.info", user="U0PRIYA01")
        texts += [str(e.value), repr(e.value), e.value.message, e.value.title]
    with pytest.raises(ServiceError) as e:
        c.call("dnd.setSnooze", num_minutes=5)
    texts += [str(e.value), repr(e.value)]
    slack_emulator.revoke(secret)
    with pytest.raises(ServiceError) as e:
        c.call("users.info", user="U0PRIYA01")
    texts += [str(e.value), repr(e.value)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ServiceError) as e:
        SlackClient(secret, api_url=f"http://127.0.0.1:{port}/api/", sleep=Sleeps()).call("auth.test")
    texts += [str(e.value), repr(e.value), e.value.message]
    assert caplog.text and all(secret not in t for t in [*texts, caplog.text])
    assert all("4444-5555" not in t for t in texts)


def test_api_url_from_environment(monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator) -> None:
    assert default_api_url() == "https://slack.com/api/"
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url.rstrip("/"))
    c = SlackClient(slack_emulator.token)
    assert c.api_url == slack_emulator.base_url
    assert c.auth_test().team_id == "T0TRAYST"
