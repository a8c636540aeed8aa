"""The Slack app a user creates for traystatus: every Slack method the code calls with the user-token scope it
needs, and the scope list, app manifest and step-by-step guide built from them, so login, doctor, `login slack
--manifest` and the Connect Slack dialog can never ask for different scopes.
"""

from __future__ import annotations

import json
from typing import Any

# method -> (scope, what stops working without it); "" = no scope needed. Only what the code calls: asking
# for more would make users grant rights the app never uses (e.g. reading channels), and checking for more
# would warn about scopes nothing needs. tests/adapters/test_slack_scopes.py reads the code for the methods
# it calls and Slack's reference (tests/data/slack-specs) for their scopes.
METHOD_SCOPES: dict[str, tuple[str, str]] = {
    "auth.test": ("", ""),
    "users.profile.set": ("users.profile:write", "setting your status text and emoji"),
    "users.profile.get": ("users.profile:read", "noticing a status you set by hand (so it is left alone)"),
    "dnd.setSnooze": ("dnd:write", "Do Not Disturb (snooze) during meetings, focus and off hours"),
    "dnd.endSnooze": ("dnd:write", "Do Not Disturb (snooze) during meetings, focus and off hours"),
    "users.setPresence": ("users:write", "setting your presence to away"),
    "chat.postMessage": ("chat:write", "posting end-of-day handoff notes"),
    "users.list": ("users:read", "the team clock (teammates' time zones)"),
}


def needed_scopes() -> dict[str, str]:
    """Scope -> what stops working without it, in the order of :data:`METHOD_SCOPES`."""
    out: dict[str, str] = {}
    for scope, purpose in METHOD_SCOPES.values():
        if scope:
            out.setdefault(scope, purpose)
    return out


#: what login and doctor check a token against, the manifest asks for and the connect dialog lists
SLACK_SCOPES = needed_scopes()

#: Slack's "Create an app" page, opened on its "From a manifest" / "From scratch" choice
NEW_APP_URL = "https://api.slack.com/apps?new_app=1"


def methods_needing(scope: str) -> list[str]:
    return [method for method, (needed, _purpose) in METHOD_SCOPES.items() if needed == scope]


def app_manifest(name: str = "traystatus") -> dict[str, Any]:
    """A Slack app manifest (api.slack.com/apps → Create New App → From a manifest) that asks for exactly
    these user-token scopes at install: traystatus acts as the user, so there is no bot and no bot scope."""
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Your calendar as your Slack status, Do Not Disturb and presence; end-of-day handoffs.",
        },
        "oauth_config": {"scopes": {"user": list(SLACK_SCOPES)}},
        "settings": {"org_deploy_enabled": False, "socket_mode_enabled": False, "token_rotation_enabled": False},
    }


def slack_app_manifest(name: str = "traystatus") -> str:
    """:func:`app_manifest` as the JSON text to paste (Slack's manifest editor takes JSON as well as YAML)."""
    return json.dumps(app_manifest(name), indent=2)


def slack_app_steps() -> tuple[str, ...]:
    """Where to click, in Slack's own words, from the new-app page to the token the dialog asks for."""
    return (
        f"Open {NEW_APP_URL} and choose “From a manifest”, then your workspace.",
        "Pick JSON, replace what is there with the manifest below (Copy manifest), then Next and Create.",
        "Click “Install to Workspace” and Allow.",
        "Under “OAuth & Permissions”, copy the “User OAuth Token” (xoxp-…) and paste it here.",
    )
