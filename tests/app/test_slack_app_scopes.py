"""The Slack app traystatus asks users to create: its manifest asks for exactly the user scopes the code's Slack
calls need (by Slack's method reference in tests/data/slack-specs), and login and doctor check the same list."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.slack_emulator.spec import load_specs
from traystatus.app import account_login, doctor
from traystatus.core.slack_app import NEW_APP_URL, SLACK_SCOPES, slack_app_manifest, slack_app_steps

SOURCE = Path(__file__).resolve().parents[2] / "traystatus"


def methods_called() -> set[str]:
    """Every Slack Web API method named in traystatus's source (a string literal like "users.profile.set")."""
    specs = load_specs()
    names = set()
    for path in SOURCE.rglob("*.py"):
        names.update(
            m[1] for m in re.finditer(r"[\"']([a-z]+(?:\.[a-zA-Z]+)+)[\"']", path.read_text()) if m[1] in specs
        )
    return names


def test_the_code_calls_the_slack_methods_it_is_known_to_call() -> None:
    # a guard for the scan itself: if it found nothing, the checks below would pass vacuously
    assert {"users.profile.set", "dnd.setSnooze", "users.setPresence", "chat.postMessage", "users.list"} <= (
        methods_called()
    )


def test_every_method_called_has_its_scope_in_the_list_and_nothing_more_is_asked() -> None:
    specs = load_specs()
    needed: set[str] = set()
    for method in methods_called():
        scopes = set(specs[method].user_scopes)
        if not scopes:
            continue  # auth.test needs no scope
        assert scopes & set(SLACK_SCOPES), f"{method} needs one of {sorted(scopes)}"
        needed |= scopes & set(SLACK_SCOPES)
    # a status app asks for no scope it does not use (e.g. dnd:read with no dnd.info call)
    assert needed == set(SLACK_SCOPES)


def test_the_manifest_asks_for_exactly_those_scopes_as_a_user_only_app() -> None:
    manifest = json.loads(slack_app_manifest())
    assert manifest["oauth_config"]["scopes"] == {"user": list(SLACK_SCOPES)}  # no bot scopes, no bot user
    assert manifest["display_information"]["name"] == "traystatus"
    assert "features" not in manifest and manifest["settings"]["socket_mode_enabled"] is False


def test_login_and_doctor_check_tokens_against_the_same_list() -> None:
    assert account_login.SLACK_SCOPES is SLACK_SCOPES
    assert doctor.SLACK_SCOPES is SLACK_SCOPES
    assert account_login.missing_slack_scopes(("users.profile:write",)) == [s for s in SLACK_SCOPES][1:]


def test_the_steps_start_at_slacks_new_app_page_and_end_at_the_user_token() -> None:
    steps = slack_app_steps()
    assert NEW_APP_URL == "https://api.slack.com/apps?new_app=1" and NEW_APP_URL in steps[0]
    assert "From a manifest" in steps[0] and "Install to Workspace" in steps[2]
    assert "User OAuth Token" in steps[-1] and "xoxp-" in steps[-1]
