"""`traystatus calendar add` and `calendar migrate`: a calendar into the config, its secret address into the
OS keyring (the config holds ``url = "keyring:NAME"``), and older configs' plain addresses moved there."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import timedelta
from pathlib import Path

from traystatus.adapters.clock import utc_now
from traystatus.app.paths import AppPaths
from traystatus.core.calendar_kind import guess_calendar_kind
from traystatus.core.calendar_secret import (
    address_name,
    holds_secret_address,
    is_reference,
    new_reference_name,
    redact_url,
    reference,
    reference_name,
    secret_key,
)
from traystatus.core.errors import ConfigError, TrayStatusError
from traystatus.core.ports import SecretStore
from traystatus.core.settings import CalendarSourceConfig, Settings

MAX_ADDRESS_CHARS = 8192  # an address, not a calendar: a runaway pipe is cut here
CHECK_DAYS = 14


def register_add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add = sub.add_parser(
        "add",
        help="add a calendar; a secret address goes into the OS keyring, the config file only names it",
        description="Add a calendar to config.toml (or update the one with that name). An address that is a "
        "credential (a token in its path or query, or user:password@; Google's secret address, Outlook's "
        'published link) is kept in the OS keyring and the file holds url = "keyring:NAME". Give - to type '
        "or pipe the address on stdin, so that it never shows on a command line. The calendar is fetched once "
        "to check it.",
    )
    add.add_argument("location", metavar="URL|FILE|-", help="the address or .ics file; - reads it from stdin")
    add.add_argument("--name", default="", help="its name in traystatus (default: the address's host or file name)")
    add.add_argument("--kind", choices=("ics", "caldav"), help="default: detected from the address")
    add.add_argument("--username", default="", help="CalDAV user name (password: keyring entry caldav:NAME)")
    add.add_argument(
        "--keyring", action="store_true", help="keep the address in the keyring even if it does not look secret"
    )
    add.add_argument("--no-check", action="store_true", help="do not fetch the calendar once to check it")
    add.set_defaults(func=run_add)
    migrate = sub.add_parser(
        "migrate",
        help="move the secret calendar addresses of config.toml into the OS keyring",
        description="Every [[calendars]] url that is a secret address moves to the OS keyring; the file keeps "
        "a keyring:NAME reference, its comments and everything else. Any save does this too.",
    )
    migrate.set_defaults(func=run_migrate)


def read_location(value: str) -> str:
    """The address itself, or from stdin for ``-`` (a terminal gets a prompt that does not echo)."""
    if value.strip() != "-":
        return value.strip()
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("Calendar address (not shown): ").strip()
    return (sys.stdin.readline(MAX_ADDRESS_CHARS) if sys.stdin is not None else "").strip()


def _default_name(location: str) -> str:
    if "://" in location:
        return address_name(location)
    return Path(location).stem or "calendar"


def _keyring() -> SecretStore:
    from traystatus.adapters.secrets import KeyringSecretStore

    return KeyringSecretStore()


def run_add(args: argparse.Namespace) -> int:
    from traystatus.adapters.config_write import calendar_tables, put_calendar

    path = AppPaths.resolve(getattr(args, "config", None)).config_file
    location = read_location(args.location)
    if not location:
        raise ConfigError("No calendar address", "give a URL or .ics file, or - and the address on stdin.")
    is_address = "://" in location
    if is_address and location.split("://", 1)[0].lower() not in ("http", "https", "webcal", "webcals"):
        raise ConfigError("Not a calendar address", "give an https://, http:// or webcal:// address, or an .ics file.")
    if not is_address:
        file = Path(location).expanduser()
        if not file.is_file():
            raise ConfigError("Calendar file not found", f"{file} is not a file; give an .ics file or a URL.")
        location = str(file.resolve())
    name = args.name.strip() or _default_name(location)
    kind = args.kind or (guess_calendar_kind(location) if is_address else "ics")
    entry: dict[str, object] = {"name": name}
    if kind != "ics":
        entry["kind"] = kind
    if args.username:
        entry["username"] = args.username
    tables = calendar_tables(path)
    old = next((t.get("url") for t in tables if t.get("name") == name), None)
    old_ref = str(old) if isinstance(old, str) and is_reference(old) else ""
    store: SecretStore | None = None
    before: str | None = None  # what the keyring entry held, put back if the config cannot be written
    if is_address and (args.keyring or holds_secret_address(location)):
        store = _keyring()
        if old_ref:
            ref = old_ref  # the same calendar again: its keyring entry takes the new address
            before = store.get(secret_key(ref))
        else:
            taken = {reference_name(str(t["url"])) for t in tables if is_reference(str(t.get("url", "")))}
            ref = reference(new_reference_name(name, taken))
        store.set(secret_key(ref), location)
        entry["url"] = ref
    else:
        entry["url" if is_address else "path"] = location
    try:
        added = put_calendar(path, entry)
    except (TrayStatusError, OSError) as e:
        if store is not None:  # nothing half-done: the keyring holds what the config names, as before
            if before is None:
                store.delete(secret_key(str(entry["url"])))
            else:
                store.set(secret_key(str(entry["url"])), before)
        what = (
            f"{e.title}: {e.message}"
            if isinstance(e, TrayStatusError)
            else f"{path} could not be written ({e.strerror or type(e).__name__}); make its directory writable "
            "and run the command again"
        )
        kept = "; nothing was kept in the keyring." if store is not None else "."
        raise ConfigError("Calendar not added", what.rstrip(".") + kept) from None
    if old_ref and store is None:  # the calendar no longer names its keyring entry: remove it
        _keyring().delete(secret_key(old_ref))
    shown = f"its address is in the OS keyring as {entry['url']}" if store is not None else f"{_shown(location)}"
    print(f"{'Added' if added else 'Updated'} calendar '{name}' in {path}: {shown}.")
    if is_address and store is None:
        print("The address is kept in the file (it does not look secret); use --keyring to keep it in the keyring.")
    if not args.no_check:
        _check(
            CalendarSourceConfig(
                name=name, location=str(entry.get("url") or location), kind=kind, username=args.username
            ),
            path,
            store,
        )
    return 0


def _shown(location: str) -> str:
    return redact_url(location) if "://" in location else location


def _check(config: CalendarSourceConfig, config_file: Path, store: SecretStore | None) -> None:
    """Fetch the new calendar once (the fetch log records it) and say what came back."""
    from traystatus.adapters.calendar_sources import build_sources, load_all

    paths = AppPaths.resolve(str(config_file))
    now = utc_now()
    [source] = build_sources(Settings(calendars=(config,)), cache_dir=paths.cache_dir, secrets=store)
    [result] = load_all([source], now, now + timedelta(days=CHECK_DAYS))
    if result.error is not None and not result.events:
        print(f"traystatus: {result.error.title}: {result.error.message}", file=sys.stderr)
        print(
            "traystatus: the calendar is added anyway; fix its address by adding it again with --name "
            f"{config.name!r}.",
            file=sys.stderr,
        )
        return
    print(f"Checked: {len(result.events)} events in the next {CHECK_DAYS} days.")


def run_migrate(args: argparse.Namespace) -> int:
    from traystatus.adapters.calendar_secrets import plain_secret_calendars
    from traystatus.adapters.config_document import TomlConfigDocument
    from traystatus.adapters.system_zone import system_zone

    path = AppPaths.resolve(getattr(args, "config", None)).config_file
    if not path.exists():
        print(f"No config file at {path}: nothing to move.")
        return 0
    doc = TomlConfigDocument(path, default_tz=system_zone())
    if not plain_secret_calendars(doc.doc):
        print(f"{path} holds no secret calendar address: nothing to move.")
        return 0
    doc.save()
    for note in doc.notes:
        print(note)
    return 1 if plain_secret_calendars(doc.doc) else 0  # the keyring could not take one: it is still in the file
