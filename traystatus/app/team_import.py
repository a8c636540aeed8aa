"""Roster imports wired to the configured accounts: Slack ``users.list`` (``team.import_slack``) and the members
of ``team.matrix_room``, cached in the state dir and refreshed when older than ``team.refresh_hours``.
Used by `traystatus team import` and by the tray app's worker (never on the GUI thread); ``team_roster`` is
the roster the team clock and `traystatus team` show (local cache only).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from traystatus.app.paths import AppPaths
from traystatus.core.errors import ConfigError, TrayStatusError
from traystatus.core.settings import Settings
from traystatus.core.team import Person, me_person, merge_roster

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportOutcome:
    """One import: ``people`` read (or kept from the cache), or ``error`` text."""

    source: str  # "slack" | "matrix"
    people: int = 0
    error: str = ""


def _accounts(settings: Settings, service: str, environ: Mapping[str, str], keyring_store: Any) -> list[Any]:
    from traystatus.adapters.secrets import configured_accounts

    return [a for a in configured_accounts(settings.accounts, environ) if a.service == service]


def _slack(
    settings: Settings, paths: AppPaths, now: datetime, force: bool, environ: Mapping[str, str], keyring_store: Any
) -> ImportOutcome:
    from traystatus.adapters.roster_slack import slack_roster
    from traystatus.adapters.secrets import secret_for
    from traystatus.adapters.service_clients import Purpose, slack_client

    wanted = settings.team.slack_workspace
    accounts = _accounts(settings, "slack", environ, keyring_store)
    account = next((a for a in accounts if not wanted or wanted in (a.name, a.team_id)), None)
    if account is None:
        raise ConfigError(
            "Slack team import",
            (f"no Slack account named {wanted!r}" if wanted else "no Slack account")
            + " is configured; run `traystatus login slack` first, or set "
            "team.import_slack = false.",
        )
    client = slack_client(secret_for(account, keyring_store, environ), Purpose.ROSTER, environ=environ)
    try:
        me = account.user_id or str(client.call("auth.test").get("user_id") or "")
        roster = slack_roster(client, paths.state_dir, exclude_user_id=me, refresh_hours=settings.team.refresh_hours)
        return ImportOutcome(source="slack", people=len(roster.people(now, force=force)))
    finally:
        client.close()


def _matrix(
    settings: Settings,
    paths: AppPaths,
    now: datetime,
    force: bool,
    environ: Mapping[str, str],
    keyring_store: Any,
    media: list[Any],
) -> ImportOutcome:
    from traystatus.adapters.avatar_cache import MatrixMedia
    from traystatus.adapters.roster_matrix import matrix_roster
    from traystatus.adapters.secrets import parse_matrix_secret, secret_for
    from traystatus.adapters.service_clients import Purpose, matrix_client, matrix_session

    account = next((a for a in _accounts(settings, "matrix", environ, keyring_store) if a.homeserver), None)
    if account is None:
        raise ConfigError(
            "Matrix team import",
            "no Matrix account is configured; run `traystatus login matrix` first, or remove team.matrix_room.",
        )
    secret = parse_matrix_secret(secret_for(account, keyring_store, environ))
    session = matrix_session(account, secret)
    client = matrix_client(session, Purpose.ROSTER)
    media.append(MatrixMedia(homeserver=session.homeserver, access_token=session.access_token))
    roster = matrix_roster(
        client, settings.team.matrix_room, paths.state_dir, refresh_hours=settings.team.refresh_hours
    )
    return ImportOutcome(source="matrix", people=len(roster.people(now, force=force)))


def import_rosters(
    settings: Settings,
    paths: AppPaths,
    now: datetime,
    *,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    keyring_store: Any = None,
) -> list[ImportOutcome]:
    """Refresh each configured import whose cache is stale (or all with ``force``); errors become outcomes."""
    env = os.environ if environ is None else environ
    out = []
    media: list[Any] = []  # the Matrix account's media access, for mxc:// pictures
    if settings.team.import_slack:
        out.append(_guarded("slack", lambda: _slack(settings, paths, now, force, env, keyring_store)))
    if settings.team.matrix_room:
        out.append(_guarded("matrix", lambda: _matrix(settings, paths, now, force, env, keyring_store, media)))
    fetch_avatars(settings, paths, now, media[0] if media else None)
    return out


def _guarded(source: str, job: Callable[[], ImportOutcome]) -> ImportOutcome:
    try:
        return job()
    except TrayStatusError as e:
        log.warning("%s roster import failed: %s: %s", source, e.title, e.message)
        return ImportOutcome(source=source, error=f"{e.title}: {e.message}")


def fetch_avatars(settings: Settings, paths: AppPaths, now: datetime, matrix: Any = None) -> int:
    """Download the team's pictures that are not cached yet (or are a week old); returns how many are cached."""
    from traystatus.adapters.avatar_cache import AvatarCache

    _me, people = team_roster(settings, paths)
    return AvatarCache(paths.cache_dir, matrix=matrix).fetch((p.avatar_url for p in people), now)


def team_roster(settings: Settings, paths: AppPaths, extra: Sequence[Person] = ()) -> tuple[Person, list[Person]]:
    """You, and the team: ``extra`` people (``--member``), then configured ones, then the cached imports.
    Reads only the local cache (no network): the imports are refreshed by :func:`refresh_imports`."""
    from traystatus.adapters.roster_cache import load_cached_people
    from traystatus.adapters.team_hours import TeamHoursCache

    names = {m.name.casefold() for m in extra}
    configured = [*extra, *(p for p in settings.team.people if p.name.casefold() not in names)]
    people = TeamHoursCache(paths.cache_dir).apply(list(merge_roster(configured, *load_cached_people(paths.state_dir))))
    me = me_person(name=settings.team.me_name, tz=settings.timezone, hours=settings.hours, travel=settings.travel)
    return me, people


def refresh_imports(settings: Settings, paths: AppPaths, now: datetime) -> None:
    """Refresh the Slack/Matrix rosters whose cache is stale (call it on the worker: it uses the network).
    A failure is logged and the last good copy stays; nothing here raises."""
    for outcome in import_rosters(settings, paths, now):
        if outcome.error:
            log.warning("team import from %s: %s", outcome.source, outcome.error)
    for problem in refresh_team_hours(settings, paths, now):
        log.warning("team hours: %s", problem)


def refresh_team_hours(settings: Settings, paths: AppPaths, now: datetime) -> list[str]:
    """Read the calendars of the teammates who have ``availability`` (network: not on the GUI thread)."""
    from traystatus.adapters.team_hours import TeamHoursCache

    people = [p for p in settings.team.people if p.availability]
    return TeamHoursCache(paths.cache_dir).refresh(people, now) if people else []
