"""Matrix room aliases (``#name:server``) turned into room ids through the homeserver's room directory, for
the handoff destinations and the team room, so users can write the name they know."""

from __future__ import annotations

from urllib.parse import quote

import requests

from traystatus.core.errors import ConfigError, ServiceError


def resolve_alias(homeserver: str, access_token: str, alias: str, *, timeout: float = 15.0) -> str:
    """The room id of ``alias``; :class:`ConfigError` when no room has it, :class:`ServiceError` when the
    homeserver cannot be asked right now (try again later)."""
    url = f"{homeserver.rstrip('/')}/_matrix/client/v3/directory/room/{quote(alias, safe='')}"
    try:
        r = requests.get(url, headers={"Authorization": f"Bearer {access_token}"}, timeout=timeout)
    except requests.RequestException as e:
        raise ServiceError(
            "Matrix homeserver unreachable",
            f"looking up {alias} failed ({type(e).__name__}); traystatus tries again later.",
        ) from None
    if r.status_code == 404:
        raise ConfigError(
            "Matrix room not found",
            f"no room is called {alias}; check the alias, or use the room "
            "id (it starts with '!'; Element shows it under Room settings → Advanced).",
        )
    try:
        room_id = r.json().get("room_id") if r.ok else None
    except ValueError:
        room_id = None
    if not isinstance(room_id, str) or not room_id.startswith("!"):
        raise ServiceError(
            "Matrix room lookup failed",
            f"looking up {alias} answered HTTP {r.status_code}; traystatus tries again later.",
        )
    return room_id
