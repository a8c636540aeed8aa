"""Typed settings: the whole configuration as frozen values, parsed from a TOML mapping.

Each section's dataclass lives in the module that uses it (rules in ``classify``, per-state
status in ``status_map``, accounts in ``accounts``, roster in ``team``, handoff in ``handoff``);
this module assembles them and owns the general, calendar and working-hours sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from traystatus.core.accounts import AccountsSettings
from traystatus.core.availability import CalendarHours
from traystatus.core.classify import ClassificationRules
from traystatus.core.config_schema import Table
from traystatus.core.errors import ConfigError
from traystatus.core.handoff import HandoffSettings
from traystatus.core.hours import (
    DAY_NAMES,
    DEFAULT_HOURS_SPEC,
    DayException,
    TimeBlock,
    Travel,
    WeekHours,
    first_overlap,
    overlap_problem,
    overnight_hint,
    parse_blocks,
    parse_hours,
)
from traystatus.core.status_map import StatusSettings
from traystatus.core.team import CONFIGURED_HOURS, TeamSettings

SCHEMA_VERSION = 1
DEFAULT_REFRESH_MINUTES = 2
#: a feed that sends neither ETag nor Last-Modified costs a whole download each time: fetched this often
UNVALIDATED_FEED_MINUTES = 15


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarSourceConfig:
    """Where a calendar comes from. ``location`` may be a secret URL: never log it unredacted."""

    name: str
    location: str  # a file path, an http(s)/webcal URL, or a CalDAV collection URL
    kind: str = "ics"  # "ics" (file or URL) or "caldav"
    username: str = ""  # CalDAV
    #: a CalDAV sync or a feed's conditional GET costs one small request when nothing changed (docs/configuration.md)
    refresh_minutes: int = DEFAULT_REFRESH_MINUTES
    refresh_set: bool = False  # the config names refresh_minutes: it holds even for a feed without validators


@dataclass(frozen=True, slots=True, kw_only=True)
class GeneralSettings:
    notify_on_change: bool = True  # notify when the state changes for a reason the user did not cause
    start_at_login: bool = False
    share_titles: bool = False  # privacy: meeting titles leave the machine only when true
    clear_on_quit: bool = False  # clear the statuses traystatus owns when quitting
    respect_manual_status: bool = True  # never overwrite a status the user set by hand


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    schema_version: int = SCHEMA_VERSION
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    hours: WeekHours = field(default_factory=lambda: parse_hours(DEFAULT_HOURS_SPEC))
    exceptions: tuple[DayException, ...] = ()
    travel: tuple[Travel, ...] = ()
    calendars: tuple[CalendarSourceConfig, ...] = ()
    rules: ClassificationRules = field(default_factory=ClassificationRules)
    status: StatusSettings = field(default_factory=StatusSettings)
    accounts: AccountsSettings = field(default_factory=AccountsSettings)
    team: TeamSettings = field(default_factory=TeamSettings)
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    general: GeneralSettings = field(default_factory=GeneralSettings)
    #: working hours read from the calendars' availability (RFC 7953), set after the calendars are read;
    #: ``hours`` still applies outside what they cover. ``hours_pinned``: ``--hours`` was given for this run,
    #: which wins over the calendars.
    calendar_hours: CalendarHours | None = None
    hours_pinned: bool = False
    #: problems that do not stop the config from loading ("file: key: what, and the fix"), shown by the loader
    warnings: tuple[str, ...] = ()


ROOT_KEYS = (
    "schema_version",
    "timezone",
    "working_hours",
    "exceptions",
    "travel",
    "calendars",
    "classification",
    "status",
    "accounts",
    "team",
    "handoff",
    "general",
)


def _hours(root: Table) -> WeekHours:
    hours = root.data.get("working_hours", DEFAULT_HOURS_SPEC)
    if isinstance(hours, str):
        try:
            return parse_hours(hours)
        except ConfigError as e:
            raise root.error("working_hours", e.message) from None
    if isinstance(hours, dict):  # [working_hours] mon = "09:00-12:30,13:30-17:30"
        table = root.table("working_hours")
        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        table.check_keys(names)
        days = []
        for name in names:
            try:
                days.append(parse_blocks(table.text(name, "")))
            except ConfigError as e:
                raise table.error(name, e.message) from None
        clash = first_overlap(days, wrap=True)
        if clash is not None:
            raise table.error(names[clash[2]], overlap_problem(clash, days=True))
        return WeekHours(days=tuple(days))
    raise root.error("working_hours", 'expected "mon-fri 09:00-17:00" or a [working_hours] table.')


def _calendars(root: Table) -> tuple[CalendarSourceConfig, ...]:
    out = []
    for i, t in enumerate(root.tables("calendars")):
        t.check_keys(("name", "url", "path", "kind", "username", "refresh_minutes"))
        location = t.text("url") or t.text("path")
        if not location:
            raise t.error("url", 'each [[calendars]] needs url = "https://…" or path = "/…/file.ics".')
        out.append(
            CalendarSourceConfig(
                name=t.text("name", f"calendar {i + 1}"),
                location=location,
                kind=t.choice("kind", "ics", ("ics", "caldav")),
                username=t.text("username"),
                refresh_minutes=t.integer("refresh_minutes", DEFAULT_REFRESH_MINUTES, minimum=1, maximum=24 * 60),
                refresh_set="refresh_minutes" in t.data,
            )
        )
    return tuple(out)


def _exceptions(root: Table) -> tuple[DayException, ...]:
    out = []
    for t in root.tables("exceptions"):
        t.check_keys(("date", "first", "last", "hours", "label"))
        first = t.date("date" if "date" in t.data else "first")
        last = t.date("last") if "last" in t.data else first
        if last < first:
            raise t.error("last", f"{last} is before {first}.")
        try:
            blocks = parse_blocks(t.text("hours", "off"))
        except ConfigError as e:
            raise t.error("hours", e.message) from None
        clash = first_overlap((blocks,), wrap=True) if last > first else None  # one day's tail into the next
        if clash is not None:
            _, a, _, b = clash
            raise t.error(
                "hours",
                f"'{a}' runs overnight into the next day of these dates, where '{b}' starts before it ends: "
                "make one end before the other starts.",
            )
        out.append(DayException(first=first, last=last, hours=blocks, label=t.text("label", "day off")))
    return tuple(out)


def _travel(root: Table) -> tuple[Travel, ...]:
    out = []
    for t in root.tables("travel"):
        t.check_keys(("first", "last", "timezone", "label"))
        first, last = t.date("first"), t.date("last")
        if last < first:
            raise t.error("last", f"{last} is before {first}.")
        tz = t.zone("timezone", None)
        if tz is None:
            raise t.error("timezone", 'each [[travel]] needs timezone = "Asia/Tokyo".')
        out.append(Travel(first=first, last=last, tz=tz, label=t.text("label", "travel")))
    return tuple(out)


def _general(root: Table) -> GeneralSettings:
    t = root.table("general")
    t.check_keys(("notify_on_change", "start_at_login", "share_titles", "clear_on_quit", "respect_manual_status"))
    d = GeneralSettings()
    return GeneralSettings(
        notify_on_change=t.flag("notify_on_change", d.notify_on_change),
        start_at_login=t.flag("start_at_login", d.start_at_login),
        share_titles=t.flag("share_titles", d.share_titles),
        clear_on_quit=t.flag("clear_on_quit", d.clear_on_quit),
        respect_manual_status=t.flag("respect_manual_status", d.respect_manual_status),
    )


def settings_from_mapping(data: Mapping[str, object], *, source: str, default_tz: ZoneInfo) -> Settings:
    """Build :class:`Settings` from a parsed TOML mapping; raises :class:`ConfigError`."""
    root = Table(data, source=source)
    root.check_keys(ROOT_KEYS)
    version = root.integer("schema_version", SCHEMA_VERSION)
    if version > SCHEMA_VERSION:
        raise root.error(
            "schema_version",
            f"this file is for a newer traystatus (schema {version}); "
            f"this version reads schema {SCHEMA_VERSION}. Upgrade traystatus.",
        )
    tz = root.zone("timezone", default_tz)
    assert tz is not None
    hours, exceptions = _hours(root), _exceptions(root)
    team = TeamSettings.from_table(root.table("team"))
    return Settings(
        schema_version=version,
        timezone=tz,
        hours=hours,
        exceptions=exceptions,
        travel=_travel(root),
        calendars=_calendars(root),
        rules=ClassificationRules.from_table(root.table("classification")),
        status=StatusSettings.from_table(root.table("status")),
        accounts=AccountsSettings.from_table(root.table("accounts")),
        team=team,
        handoff=HandoffSettings.from_table(root.table("handoff")),
        general=_general(root),
        warnings=hours_warnings(root, hours, exceptions, team),
    )


def hours_warnings(
    root: Table, hours: WeekHours, exceptions: tuple[DayException, ...], team: TeamSettings
) -> tuple[str, ...]:
    """Blocks that run overnight but read like a day written backwards ("17:00-09:00"), once per key: a
    warning, not an error, as night shifts are real; the block is kept as written."""
    found: list[tuple[str, TimeBlock]] = []
    table_form = isinstance(root.data.get("working_hours"), dict)
    for day, blocks in zip(DAY_NAMES, hours.days, strict=True):
        found.extend((f"working_hours.{day}" if table_form else "working_hours", b) for b in blocks)
    found.extend((f"exceptions[{i}].hours", b) for i, e in enumerate(exceptions, 1) for b in e.hours)
    for i, person in enumerate(team.people, 1):
        if person.hours_source == CONFIGURED_HOURS:
            found.extend((f"team.people[{i}].hours", b) for day in person.hours.days for b in day)
    out: list[str] = []
    for key, block in found:
        hint = overnight_hint(block)
        line = f"{root.source}: {key}: {hint}"
        if hint and line not in out:
            out.append(line)
    return tuple(out)
