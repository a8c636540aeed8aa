"""The team roster: people, their zones and working hours, teams, travel, import settings.

Configured people (``[[team.people]]``) win over imported ones (Slack, Matrix): see :func:`merge_roster`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from traystatus.core.config_schema import Table
from traystatus.core.errors import ConfigError
from traystatus.core.hours import DEFAULT_HOURS_SPEC, Travel, WeekHours, parse_hours

SOURCE_CONFIG = "config"
SOURCE_SLACK = "slack"
SOURCE_MATRIX = "matrix"
ASSUMED_HOURS = "assumed: mon-fri 09:00-17:00"
CONFIGURED_HOURS = "configured"
CALENDAR_HOURS = "from their calendar's availability"


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """A teammate (or you). ``handles`` are ``slack:U0123`` or Matrix ids ``@alice:example.org``."""

    name: str
    tz: ZoneInfo
    hours: WeekHours = field(default_factory=lambda: parse_hours(DEFAULT_HOURS_SPEC))
    handles: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    travel: tuple[Travel, ...] = ()
    avatar_url: str = ""
    source: str = SOURCE_CONFIG
    availability: str = ""  # a file or feed whose RFC 7953 availability gives their hours (may be a secret URL)
    hours_source: str = ASSUMED_HOURS  # where ``hours`` come from, said in the team clock

    def zone_on(self, day: date) -> ZoneInfo:
        """The zone this person is in on ``day`` (their home date): travel wins over home."""
        for trip in self.travel:
            if trip.first <= day <= trip.last:
                return trip.tz
        return self.tz

    def zone_at(self, instant: datetime) -> ZoneInfo:
        """The zone this person is in at an aware instant."""
        if not self.travel:
            return self.tz
        return self.zone_on(instant.astimezone(self.tz).date())

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace("-", " ").split() if p[:1].isalnum()]
        if not parts:
            return "?"
        if len(parts) == 1:
            return parts[0][:2].upper()
        return (parts[0][0] + parts[-1][0]).upper()


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamSettings:
    """``[team]``: your display name, imports (Slack workspace, Matrix room) and ``[[team.people]]``."""

    me_name: str = "You"
    people: tuple[Person, ...] = ()
    import_slack: bool = False
    slack_workspace: str = ""  # the account (workspace) to import from; "" = the only/first one
    matrix_room: str = ""  # a room id or alias whose members are imported
    refresh_hours: int = 24
    meeting_minutes: int = 30  # the length of a "best slot"

    @classmethod
    def from_table(cls, table: Table) -> TeamSettings:
        table.check_keys(
            ("me_name", "people", "import_slack", "slack_workspace", "matrix_room", "refresh_hours", "meeting_minutes")
        )
        d = cls()
        people = tuple(_person(t) for t in table.tables("people"))
        seen: set[str] = set()
        for p in people:
            if p.name.casefold() in seen:
                raise ConfigError(
                    "Configuration error",
                    f"{table.source}: {table.key('people')}: {p.name!r} is listed twice; keep one entry per person.",
                )
            seen.add(p.name.casefold())
        return cls(
            me_name=table.text("me_name", d.me_name),
            people=people,
            import_slack=table.flag("import_slack", d.import_slack),
            slack_workspace=table.text("slack_workspace"),
            matrix_room=table.text("matrix_room"),
            refresh_hours=table.integer("refresh_hours", d.refresh_hours, minimum=1, maximum=24 * 30),
            meeting_minutes=table.integer("meeting_minutes", d.meeting_minutes, minimum=5, maximum=8 * 60),
        )


def _one_or_many(t: Table, one: str, many: str) -> tuple[str, ...]:
    if one in t.data and many in t.data:
        raise t.error(many, f'use either {one} = "…" or {many} = ["…"], not both.')
    if one in t.data:
        value = t.text(one)
        return (value,) if value else ()
    return tuple(v for v in t.text_list(many) if v)


def _person(t: Table) -> Person:
    t.check_keys(
        ("name", "timezone", "hours", "handle", "handles", "team", "teams", "avatar", "travel", "availability")
    )
    name = t.text("name").strip()
    if not name:
        raise t.error("name", 'each [[team.people]] needs name = "Alice".')
    tz = t.zone("timezone", None)
    if tz is None:
        raise t.error("timezone", f'{name!r} needs timezone = "Asia/Tokyo" (an IANA zone).')
    try:
        hours = parse_hours(t.text("hours", DEFAULT_HOURS_SPEC))
    except ConfigError as e:
        raise t.error("hours", e.message) from None
    trips = []
    for trip in t.tables("travel"):
        trip.check_keys(("first", "last", "timezone", "label"))
        first, last = trip.date("first"), trip.date("last")
        if last < first:
            raise trip.error("last", f"{last} is before {first}.")
        trip_tz = trip.zone("timezone", None)
        if trip_tz is None:
            raise trip.error("timezone", 'each travel entry needs timezone = "Asia/Tokyo".')
        trips.append(Travel(first=first, last=last, tz=trip_tz, label=trip.text("label", "travel")))
    return Person(
        name=name,
        tz=tz,
        hours=hours,
        handles=_one_or_many(t, "handle", "handles"),
        teams=_one_or_many(t, "team", "teams"),
        travel=tuple(trips),
        avatar_url=t.text("avatar"),
        availability=t.text("availability").strip(),
        hours_source=CONFIGURED_HOURS if "hours" in t.data else ASSUMED_HOURS,
    )


def parse_member(spec: str) -> Person:
    """``"Name=Zone"`` or ``"Name=Zone;mon-fri 09:00-17:00; sat 10:00-12:00"`` (the ``--member`` option)."""
    name, sep, rest = spec.partition("=")
    zone_name, _, hours_spec = rest.partition(";")
    name, zone_name = name.strip(), zone_name.strip()
    if not sep or not name or not zone_name:
        raise ConfigError(
            "Bad --member",
            f'{spec!r}: expected "Name=Zone" or "Name=Zone;mon-fri 09:00-17:00", e.g. --member "Aiko=Asia/Tokyo".',
        )
    try:
        tz = ZoneInfo(zone_name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise ConfigError(
            "Bad --member", f"{spec!r}: {zone_name!r} is not an IANA zone; use e.g. Europe/Berlin or America/New_York."
        ) from None
    hours = parse_hours(hours_spec) if hours_spec.strip() else parse_hours(DEFAULT_HOURS_SPEC)
    return Person(name=name, tz=tz, hours=hours, source=SOURCE_CONFIG)


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def merge_roster(configured: Sequence[Person], *imported: Iterable[Person]) -> tuple[Person, ...]:
    """Configured people win: an imported person matching one (shared handle, else the same name)
    only lends what the config leaves empty (avatar, handles, teams). Imports are merged in order,
    the earlier import winning over a later one for the same person."""
    out: list[Person] = list(configured)
    for batch in imported:
        for new in batch:
            match = _find(out, new)
            if match is None:
                out.append(new)
                continue
            old = out[match]
            out[match] = dataclasses.replace(
                old,
                avatar_url=old.avatar_url or new.avatar_url,
                handles=old.handles + tuple(h for h in new.handles if h not in old.handles),
                teams=old.teams or new.teams,
            )
    return tuple(out)


def _find(people: Sequence[Person], new: Person) -> int | None:
    handles = set(new.handles)
    for i, p in enumerate(people):
        if handles.intersection(p.handles):
            return i
    for i, p in enumerate(people):
        if _key(p.name) == _key(new.name):
            return i
    return None


def me_person(*, name: str, tz: ZoneInfo, hours: WeekHours, travel: tuple[Travel, ...] = ()) -> Person:
    """You, as a row of the team clock (from the general settings)."""
    return Person(name=name, tz=tz, hours=hours, travel=travel, source=SOURCE_CONFIG, hours_source=CONFIGURED_HOURS)
