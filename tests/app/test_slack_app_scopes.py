"""The Slack app traystatus asks users to create: its manifest and steps are built from the scopes login and
doctor check (tests/adapters/test_slack_scopes.py proves those are exactly what the code's calls need)."""

from __future__ import annotations

import json

from traystatus.app import account_login, doctor
from traystatus.core.slack_app import NEW_APP_URL, SLACK_SCOPES, slack_app_manifest, slack_app_steps


def test_the_manifest_asks_for_exactly_those_scopes_as_a_user_only_app() -> None:
    manifest = json.loads(slack_app_manifest())
    assert manifest["oauth_config"]["scopes"] == {"user": list(SLACK_SCOPES)}  # no bot scopes, no bot user
    assert manifest["display_information"]["name"] == "traystatus"
    assert "features" not in manifest and manifest["settings"]["socket_mode_enabled"] is False
    # the one `traystatus login slack --manifest` prints is the same
    from traystatus.adapters.slack_scopes import app_manifest

    assert manifest == app_manifest()


def test_login_and_doctor_check_tokens_against_the_same_list() -> None:
    assert account_login.SLACK_SCOPES is SLACK_SCOPES
    assert doctor.SLACK_SCOPES is SLACK_SCOPES
    assert account_login.missing_slack_scopes(("users.profile:write",)) == [s for s in SLACK_SCOPES][1:]


def test_the_steps_start_at_slacks_new_app_page_and_end_at_the_user_token() -> None:
    steps = slack_app_steps()
    assert NEW_APP_URL == "https://api.slack.com/apps?new_app=1" and NEW_APP_URL in steps[0]
    assert "From a manifest" in steps[0] and "Install to Workspace" in steps[2]
    assert "User OAuth Token" in steps[-1] and "xoxp-" in steps[-1]
