"""The Slack app a user creates for traystatus: the user-token scopes the code needs, and the app manifest and
step-by-step guide built from them, so login, doctor and the connect dialog can never ask for different scopes.
"""

from __future__ import annotations

import json

# Scope -> what stops working without it. Every Slack method traystatus calls needs one of these
# (tests/app/test_slack_app_scopes.py checks that against Slack's method reference).
SLACK_SCOPES = {
    "users.profile:write": "setting your status text and emoji",
    "dnd:write": "Do Not Disturb (snooze) during meetings, focus and off hours",
    "users:write": "setting your presence to away",
    "chat:write": "posting end-of-day handoff notes",
    "users:read": "the team clock (teammates' time zones)",
    "users.profile:read": "noticing a status you set by hand (so it is left alone)",
}

#: Slack's "Create an app" page, opened on its "From a manifest" / "From scratch" choice
NEW_APP_URL = "https://api.slack.com/apps?new_app=1"


def slack_app_manifest(name: str = "traystatus") -> str:
    """The app manifest (JSON, which Slack's manifest editor accepts as well as YAML): a user-token-only app
    with exactly :data:`SLACK_SCOPES`; no bot user, no events, nothing public."""
    manifest = {
        "display_information": {
            "name": name,
            "description": "Sets my Slack status, Do Not Disturb and presence from my calendar.",
        },
        "oauth_config": {"scopes": {"user": list(SLACK_SCOPES)}},
        "settings": {"org_deploy_enabled": False, "socket_mode_enabled": False, "token_rotation_enabled": False},
    }
    return json.dumps(manifest, indent=2)


def slack_app_steps() -> tuple[str, ...]:
    """Where to click, in Slack's own words, from the new-app page to the token the dialog asks for."""
    return (
        f"Open {NEW_APP_URL} and choose “From a manifest”, then your workspace.",
        "Pick JSON, replace what is there with the manifest below (Copy manifest), then Next and Create.",
        "Click “Install to Workspace” and Allow.",
        "Under “OAuth & Permissions”, copy the “User OAuth Token” (xoxp-…) and paste it here.",
    )
