"""The Slack scopes login and doctor check are exactly those of the methods the code calls: read from the
code (every Slack method name in traystatus/) and from Slack's reference (tests/data/slack-specs), and
enforced by the emulator with a token that carries exactly those scopes."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tests.slack_emulator import SlackEmulator
from traystatus.adapters.service_clients import Purpose, slack_client
from traystatus.adapters.slack_api import SlackApiError
from traystatus.adapters.slack_scopes import METHOD_SCOPES, needed_scopes
from traystatus.app.account_login import SLACK_SCOPES

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "tests" / "data" / "slack-specs"
# Slack's method families (api.slack.com/methods); "team.people" (a settings key) and "calls.json" (the
# demo's file) only look like methods.
METHOD = re.compile(
    r"^(admin|api|apps|auth|bots|calls|chat|conversations|dialog|dnd|emoji|files|oauth|pins|"
    r"reactions|reminders|rtm|search|stars|team|usergroups|users|views|workflows)\.[a-z][A-Za-z.]*$"
)
NOT_METHODS = {"team.people", "calls.json"}

# The smallest valid arguments of each method, to call it on the emulator.
ARGS: dict[str, dict[str, object]] = {
    "users.profile.set": {"profile": {"status_text": "x", "status_emoji": ":calendar:", "status_expiration": 0}},
    "dnd.setSnooze": {"num_minutes": 5},
    "users.setPresence": {"presence": "auto"},
    "chat.postMessage": {"channel": "#handoffs", "text": "scope check"},
}


def slack_methods_in_code() -> dict[str, list[str]]:
    """Every string in traystatus/ that names a Slack method, with where it is (the transport's list of
    JSON-capable methods names methods without calling them, so it is left out)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "traystatus").rglob("*.py")):
        if path.name in ("slack_scopes.py", "slack_app.py"):  # the table itself
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "JSON_METHODS" for t in node.targets
            ):
                skip.update(id(n) for n in ast.walk(node.value))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and METHOD.match(node.value)
                and node.value not in NOT_METHODS
            ):
                found.setdefault(node.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_method_the_code_calls_is_listed_and_nothing_else() -> None:
    in_code = slack_methods_in_code()
    assert set(in_code) == set(METHOD_SCOPES), (
        f"called but not in core/slack_app.py: {sorted(set(in_code) - set(METHOD_SCOPES))}; "
        f"listed but never called: {sorted(set(METHOD_SCOPES) - set(in_code))}"
    )
    assert set(in_code) >= {"chat.postMessage", "users.profile.set", "users.list"}  # the scan sees calls


@pytest.mark.parametrize("method", sorted(METHOD_SCOPES))
def test_each_scope_is_what_slacks_reference_says_the_method_needs(method: str) -> None:
    spec = json.loads((SPECS / f"{method}.json").read_text(encoding="utf-8"))
    user_scopes = spec.get("scope", {}).get("user", [])
    scope, purpose = METHOD_SCOPES[method]
    assert (scope in user_scopes) if user_scopes else scope == ""
    assert bool(purpose) == bool(scope)


def test_login_and_doctor_check_exactly_these_scopes() -> None:
    assert needed_scopes() == SLACK_SCOPES
    assert set(SLACK_SCOPES) == {s for s, _ in METHOD_SCOPES.values() if s}
    # Recovery never reads channels (the user decides after "may have been posted"): not asked for.
    assert not {"channels:history", "groups:history", "channels:read", "groups:read", "dnd:read"} & set(SLACK_SCOPES)


def test_a_token_with_exactly_these_scopes_may_call_every_method_and_each_one_is_needed(
    slack_emulator: SlackEmulator,
) -> None:
    exact = "xoxp-exact-scopes-0001"
    slack_emulator.add_token(exact, scopes=tuple(SLACK_SCOPES))
    client = slack_client(exact, Purpose.INTERACTIVE, api_url=slack_emulator.base_url)
    for method in METHOD_SCOPES:
        try:
            client.call(method, **ARGS.get(method, {}))
        except SlackApiError as e:
            assert e.error != "missing_scope", method  # e.g. dnd.endSnooze: snooze_not_active is fine
    for scope in SLACK_SCOPES:
        token = f"xoxp-without-{scope.replace(':', '-').replace('.', '-')}"
        slack_emulator.add_token(token, scopes=tuple(s for s in SLACK_SCOPES if s != scope))
        lacking = slack_client(token, Purpose.INTERACTIVE, api_url=slack_emulator.base_url)
        method = next(m for m, (s, _) in METHOD_SCOPES.items() if s == scope)
        with pytest.raises(SlackApiError) as caught:
            lacking.call(method, **ARGS.get(method, {}))
        assert caught.value.error == "missing_scope" and scope in (caught.value.needed or "")


def test_doctor_is_content_with_exactly_these_scopes_and_names_what_one_less_breaks(
    monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    from traystatus.app.cli import run

    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    args = ["doctor", "--json", "--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00"]
    for token, scopes in (
        ("xoxp-doctor-exact", tuple(SLACK_SCOPES)),
        ("xoxp-doctor-no-chat", tuple(s for s in SLACK_SCOPES if s != "chat:write")),
    ):
        slack_emulator.add_token(token, scopes=scopes)
        monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", token)
        run(args)
        (slack,) = [c for c in json.loads(capsys.readouterr().out) if c["name"].startswith("slack")]
        if "chat:write" in scopes:
            assert slack["level"] == "OK" and "all scopes traystatus uses are present" in slack["detail"]
        else:
            assert slack["level"] == "WARN" and "chat:write (no posting end-of-day handoff notes)" in slack["detail"]
        assert token not in json.dumps(slack)
