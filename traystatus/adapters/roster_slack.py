"""The team from Slack ``users.list``: real names, IANA zones, avatars; bots and deactivated users skipped.

Cursor pagination; rate limits (tier 2) are waited out by the Slack client. Cached daily in the state dir
(see :class:`traystatus.adapters.roster_cache.CachedRoster`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traystatus.adapters.roster_cache import CACHE_FILES, CachedRoster
from traystatus.core.errors import ServiceError
from traystatus.core.team import SOURCE_SLACK, Person

log = logging.getLogger(__name__)

PAGE_SIZE = 200  # Slack recommends no more than 200 per page
MAX_PAGES = 500  # a safety stop against a cursor that never ends
SLACKBOT = "USLACKBOT"


class SlackCaller(Protocol):
    def call(self, method: str, **params: Any) -> Mapping[str, Any]: ...


def person_from_member(member: Mapping[str, Any]) -> Person | None:
    """A teammate from one ``users.list`` member, or None for bots, apps, deactivated or zone-less users."""
    if member.get("deleted") or member.get("is_bot") or member.get("is_app_user") or member.get("id") == SLACKBOT:
        return None
    profile = member.get("profile") or {}
    name = str(
        member.get("real_name") or profile.get("real_name") or profile.get("display_name") or member.get("name") or ""
    ).strip()
    zone_name = str(member.get("tz") or "")
    try:
        tz = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        log.info("slack member %s has no usable time zone (%r): not on the team clock", member.get("id"), zone_name)
        return None
    if not name:
        return None
    return Person(
        name=name,
        tz=tz,
        handles=(f"slack:{member.get('id')}",),
        avatar_url=str(profile.get("image_72") or ""),
        source=SOURCE_SLACK,
    )


def fetch_slack_people(
    client: SlackCaller, *, exclude_user_id: str = "", page_size: int = PAGE_SIZE
) -> tuple[Person, ...]:
    """Every active human member of the workspace (all pages), except ``exclude_user_id`` (you)."""
    people: list[Person] = []
    cursor = ""
    for _ in range(MAX_PAGES):
        params: dict[str, Any] = {"limit": page_size}
        if cursor:
            params["cursor"] = cursor
        reply = client.call("users.list", **params)
        members = reply.get("members")
        if not isinstance(members, list):
            raise ServiceError(
                "Slack team import failed", "users.list answered without a member list; try again later."
            )
        for m in members:
            if isinstance(m, dict) and m.get("id") != exclude_user_id:
                p = person_from_member(m)
                if p is not None:
                    people.append(p)
        cursor = str((reply.get("response_metadata") or {}).get("next_cursor") or "")
        if not cursor:
            break
    else:
        log.warning("users.list still had pages after %d; keeping what was read", MAX_PAGES)
    return tuple(people)


def slack_roster(
    client: SlackCaller, state_dir: Path, *, exclude_user_id: str = "", refresh_hours: int = 24
) -> CachedRoster:
    """The Slack team, refreshed from ``users.list`` when the cached copy is older than ``refresh_hours``."""
    return CachedRoster(
        fetch=lambda: fetch_slack_people(client, exclude_user_id=exclude_user_id),
        cache_file=state_dir / CACHE_FILES["slack"],
        max_age=timedelta(hours=refresh_hours),
    )
