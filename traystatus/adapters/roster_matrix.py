"""The team from a Matrix room: its joined members and the time zone on their profiles (``m.tz``, MSC4175,
or the unstable ``us.cloke.msc4175.tz``). Members without a zone are left out. Cached daily in the state dir."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traystatus.adapters.matrix_directory import resolve_alias
from traystatus.adapters.roster_cache import CACHE_FILES, CachedRoster
from traystatus.core.errors import ConfigError
from traystatus.core.team import SOURCE_MATRIX, Person

log = logging.getLogger(__name__)

TZ_KEYS = ("m.tz", "us.cloke.msc4175.tz")  # stable first


class MatrixMembers(Protocol):
    @property
    def user_id(self) -> str: ...
    def joined_members(self, room_id: str) -> list[str]: ...
    def get_profile(self, user_id: str | None = None) -> Mapping[str, Any]: ...


def person_from_profile(user_id: str, profile: Mapping[str, Any]) -> Person | None:
    zone_name = next((str(profile[k]) for k in TZ_KEYS if isinstance(profile.get(k), str) and profile[k]), "")
    if not zone_name:
        return None
    try:
        tz = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        log.info("matrix member %s has an unknown time zone %r: not on the team clock", user_id, zone_name)
        return None
    name = str(profile.get("displayname") or "").strip() or user_id.lstrip("@").split(":", 1)[0]
    return Person(
        name=name, tz=tz, handles=(user_id,), avatar_url=str(profile.get("avatar_url") or ""), source=SOURCE_MATRIX
    )


def session_of(client: object) -> Any:
    """The client's session (homeserver and token) when it has one, for alias lookups."""
    return getattr(client, "session", None)


def fetch_matrix_people(client: MatrixMembers, room_id: str) -> tuple[Person, ...]:
    """The room's joined members (you excluded) who have a time zone on their profile."""
    if room_id.startswith("#") and ":" in room_id and session_of(client) is not None:
        session = session_of(client)
        room_id = resolve_alias(session.homeserver, session.access_token, room_id)
    if not room_id.startswith("!"):
        raise ConfigError(
            "Matrix team room",
            f"team.matrix_room = {room_id!r}: give the room id (it starts "
            "with '!'; Element shows it under Room settings → Advanced) or its alias (#name:server).",
        )
    people = []
    for uid in client.joined_members(room_id):
        if uid == client.user_id:
            continue
        p = person_from_profile(uid, client.get_profile(uid))
        if p is not None:
            people.append(p)
    return tuple(people)


def matrix_roster(client: MatrixMembers, room_id: str, state_dir: Path, *, refresh_hours: int = 24) -> CachedRoster:
    return CachedRoster(
        fetch=lambda: fetch_matrix_people(client, room_id),
        cache_file=state_dir / CACHE_FILES["matrix"],
        max_age=timedelta(hours=refresh_hours),
    )
