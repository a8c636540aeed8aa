"""Every Slack Web API method traystatus calls and the user-token scope it needs: the one list login and
`doctor` check (a test reads the code for the methods it calls and Slack's reference for their scopes)."""

from __future__ import annotations

from typing import Any

# method -> (scope, what stops working without it); "" = no scope needed. Only what the code calls: asking
# for more would make users grant rights the app never uses (e.g. reading channels), and checking for more
# would warn about scopes nothing needs.
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


def methods_needing(scope: str) -> list[str]:
    return [method for method, (needed, _purpose) in METHOD_SCOPES.items() if needed == scope]


def app_manifest() -> dict[str, Any]:
    """A Slack app manifest (api.slack.com/apps → Create New App → From a manifest) that asks for exactly
    these user-token scopes at install: traystatus acts as the user, so there is no bot and no bot scope."""
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "traystatus",
            "description": "Your calendar as your Slack status, Do Not Disturb and presence; end-of-day handoffs.",
        },
        "oauth_config": {"scopes": {"user": list(needed_scopes())}},
        "settings": {"org_deploy_enabled": False, "socket_mode_enabled": False, "token_rotation_enabled": False},
    }
