"""Read-only looks at a Matrix account for `traystatus doctor`: does the server keep presence, what does it show.

Nothing here writes presence (a write costs the ~10 s presence rate limit and shows the user online): the
presence is read with ``GET /presence``, and a one-off filtered ``/sync`` with ``set_presence=offline`` (which
Synapse does not count as presence) tells whether presence events exist at all on this server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import requests

from traystatus.adapters.matrix_api import MatrixClient
from traystatus.adapters.matrix_login import CLIENT_V3, response_json
from traystatus.adapters.matrix_sync import SYNC_FILTER


@dataclass(frozen=True, slots=True, kw_only=True)
class PresenceProbe:
    enabled: bool | None  # None: cannot tell without writing (bare "offline", nobody in shared rooms)
    presence: str  # the user's merged presence, as teammates see it
    status_msg: str


def probe_presence(client: MatrixClient, *, timeout: float = 10.0) -> PresenceProbe:
    """What the server shows for the user, and whether it keeps presence, without changing either."""
    seen = client.get_presence()
    presence, msg = str(seen.get("presence") or "offline"), str(seen.get("status_msg") or "")
    if presence != "offline" or set(seen) != {"presence"}:
        return PresenceProbe(enabled=True, presence=presence, status_msg=msg)
    session = client.session
    try:
        resp = requests.get(
            f"{session.homeserver}{CLIENT_V3}/sync",
            params={"filter": json.dumps(SYNC_FILTER), "timeout": "0", "set_presence": "offline"},
            headers={"Authorization": f"Bearer {session.access_token}"},
            timeout=timeout,
        )
    except requests.RequestException:
        return PresenceProbe(enabled=None, presence=presence, status_msg=msg)
    events = (response_json(resp).get("presence") or {}).get("events") if resp.ok else None
    # a server that keeps presence tells the syncing user about themselves and people in shared rooms
    return PresenceProbe(enabled=True if events else None, presence=presence, status_msg=msg)
