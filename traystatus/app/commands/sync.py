"""`traystatus apply | status | run --headless | doctor`: keep Slack and Matrix in step with the calendar."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import datetime, tzinfo
from typing import Any

from traystatus.adapters.clock import utc_now
from traystatus.app import container
from traystatus.app.options import add_settings_options, load_settings
from traystatus.app.paths import AppPaths
from traystatus.core.errors import ConfigError
from traystatus.core.publishing import Operation
from traystatus.core.settings import Settings
from traystatus.core.status_sync import REFRESH_REASONS, AccountLine, StatusSync, SyncReport
from traystatus.core.terminal_text import one_line


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "apply",
        help="set your status on Slack and Matrix now (only what differs)",
        description="Compute your availability now and send only what differs from what "
        "traystatus last set. A status you set by hand is left alone.",
    )
    p.add_argument("--dry-run", action="store_true", help="show the exact calls it would make; send nothing")
    _common(p)
    p.set_defaults(func=cmd_apply)
    p = subparsers.add_parser(
        "status",
        help="desired vs applied status per service, and why (sends nothing)",
        description="What each account should show now (from your calendars, hours and overrides), what "
        "traystatus last set there, the calls an `apply` would make, and why. Calls no service.",
    )
    _common(p)
    p.set_defaults(func=cmd_status)
    p = subparsers.add_parser(
        "run",
        help="keep both services in step all day (--headless: no UI)",
        description="Start traystatus: the tray icon and menu, or with --headless a background sync that "
        "updates Slack and Matrix at every change of your availability until stopped (Ctrl+C, SIGTERM).",
    )
    p.add_argument("--headless", action="store_true", help="no tray icon: for an always-on machine")
    add_settings_options(p)
    p.set_defaults(func=cmd_run)
    p = subparsers.add_parser(
        "doctor",
        help="check config, calendars, tokens and scopes, Matrix presence, keyring and tray",
        description="Check everything traystatus depends on, one line each with what to do when a check "
        "fails: the config file, each calendar, each account's token and scopes, Matrix presence, the "
        "keyring and the system tray. Exits 1 when a check fails.",
    )
    p.add_argument("--json", action="store_true", help="the checks as JSON")
    add_settings_options(p)
    p.set_defaults(func=cmd_doctor)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", metavar="ISO", help="evaluate at another moment, e.g. 2026-11-24T10:05 (your zone)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_settings_options(p)


def build_service(args: argparse.Namespace, settings: Settings, *, keep_presence: bool = False) -> StatusSync:
    """The shared sync pipeline for this command (the container decides real accounts or --demo ones)."""
    return container.cli_sync(args, settings, keep_presence=keep_presence)


def _at(args: argparse.Namespace, settings: Settings) -> datetime | None:
    if not getattr(args, "at", None):
        return None
    from traystatus.app.commands.plan import parse_start

    try:
        return parse_start(args.at, settings.timezone, utc_now())
    except ConfigError as e:
        raise ConfigError("Bad --at", e.message.replace("--from", "--at")) from None


def cmd_apply(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    service = build_service(args, settings)
    if not service.publishers and not args.dry_run:
        _no_accounts(service)
        return 1
    report = service.run(_at(args, settings), dry_run=args.dry_run, force=True)
    _emit(report, settings, args.json)
    return 0 if report.ok else 1


def cmd_status(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    service = build_service(args, settings)
    report = service.run(_at(args, settings), send=False)
    _emit(report, settings, args.json)
    return 0


def _no_accounts(service: StatusSync) -> None:
    for problem in service.account_problems:
        print(f"traystatus: {problem}", file=sys.stderr)
    if not service.account_problems:
        print(
            "traystatus: no Slack or Matrix account to update. Run `traystatus login slack` / "
            "`traystatus login matrix`, or set TRAYSTATUS_SLACK_TOKEN (and TRAYSTATUS_MATRIX_HOMESERVER, "
            "_USER, _TOKEN) for headless use. `traystatus apply --dry-run` shows what would be sent.",
            file=sys.stderr,
        )


# -- output ------------------------------------------------------------------------------------------------


def _local(moment: datetime | None, settings: Settings) -> str:
    return "—" if moment is None else f"{moment.astimezone(settings.timezone):%a %d %b %H:%M %Z}"


def _op_json(op: Operation, tz: tzinfo | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"call": str(op.kind), "description": op.describe(tz)}
    for key in ("text", "emoji", "message"):
        if getattr(op, key):
            out[key] = getattr(op, key)
    for key in ("expires_at", "until"):
        value = getattr(op, key)
        if value is not None:
            out[key] = value.isoformat()
    if op.kind == "set_presence":
        out["away"] = op.away
    return out


def report_json(report: SyncReport) -> dict[str, Any]:
    d = report.desired
    return {
        "at": report.at.isoformat(),
        "state": str(report.interval.state),
        "reason": report.interval.reason,
        "until": report.interval.until.isoformat(),
        "paused": report.paused,
        "dry_run": report.dry_run,
        "desired": {
            "text": d.text,
            "emoji": d.emoji,
            "message": d.message,
            "expires_at": d.expires_at.isoformat() if d.expires_at else None,
            "dnd_until": d.dnd_until.isoformat() if d.dnd_until else None,
            "away": d.away,
        },
        "accounts": [_account_json(a, report.dry_run) for a in report.accounts],
        "next_transition": report.next_transition.isoformat() if report.next_transition else None,
        "calendar_problems": list(report.calendar_problems),
        "account_problems": list(report.account_problems),
    }


def _account_json(a: AccountLine, dry_run: bool) -> dict[str, Any]:
    ap = a.applied
    return {
        "account": a.account,
        "service": a.service,
        "applied": {
            "text": ap.text,
            "emoji": ap.emoji,
            "message": ap.message,
            "known": ap.status_known,
            "expires_at": ap.expires_at.isoformat() if ap.expires_at else None,
            "dnd_until": ap.dnd_until.isoformat() if ap.dnd_until else None,
            "away": ap.away,
            "left_alone": bool(ap.hands_off),
        },
        "would_send" if dry_run else "sent": [
            {**_op_json(op), **({"api_call": a.calls[i]} if i < len(a.calls) else {})}
            for i, op in enumerate(a.planned if dry_run else a.sent)
        ],
        "errors": list(a.errors),
        "needs_action": a.needs_action,
        "notes": list(a.notes),
        "retry_at": a.retry.retry_at.isoformat() if a.retry.retry_at else None,
    }


def _emit(report: SyncReport, settings: Settings, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report_json(report), indent=2, ensure_ascii=False))
        return
    i, d = report.interval, report.desired
    unread = [p for p in report.calendar_issues if not p.stale]
    if settings.calendars and len(unread) >= len(settings.calendars):
        print(  # the line below would otherwise read like the calendars' word
            "No calendar could be read (see the problems below): what follows is from your working hours and "
            "overrides alone."
        )
    print(f"At {_local(report.at, settings)}: {i.state} until {_local(i.until, settings)} — {one_line(i.reason)}")
    shown = f"{d.emoji} {d.text!r}".strip() if d.has_status else "no status"
    dnd = f"until {_local(d.dnd_until, settings)}" if d.dnd_until else "off"
    print(f"Should show: {shown}; Do Not Disturb {dnd}; presence {'away' if d.away else 'auto/online'}")
    if report.paused:
        print("Syncing is paused: nothing is sent.")
    for a in report.accounts:
        ops = a.planned if report.dry_run else a.sent
        verb = "would send" if report.dry_run else "sent"
        ap = a.applied
        known = (
            (f"{ap.emoji} {ap.text!r}".strip() if (ap.text or ap.emoji) else "no status")
            if ap.status_known
            else "unknown"
        )
        print(f"{a.account}: last set by traystatus: {known}")
        print(f"  {verb}: " + ("; ".join(op.describe(settings.timezone) for op in ops) if ops else "nothing"))
        for call in a.calls:
            print(f"    {call}")
        for note in a.notes:
            print(f"  note: {note}")
        for err in a.errors:
            print(f"  error: {err}" + (" (needs you)" if a.needs_action else ""))
    for problem in (*report.account_problems, *report.calendar_problems):
        print(f"problem: {problem}")
    if not report.accounts and not report.account_problems:
        print("No Slack or Matrix account configured (`traystatus login slack`, or TRAYSTATUS_SLACK_TOKEN).")
    print(f"Next change: {_local(report.next_transition, settings)}")


# -- run --headless ----------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    if not args.headless:
        raise ConfigError(
            "Use the tray app or --headless",
            "`traystatus run` needs --headless (no UI); run plain `traystatus` for the tray app.",
        )
    from datetime import timedelta

    from traystatus.adapters.scheduler import SyncScheduler
    from traystatus.app.logging_setup import setup_logging

    paths = AppPaths.resolve(getattr(args, "config", None))
    setup_logging(paths.log_dir, verbose=getattr(args, "verbose", False))
    import logging

    log = logging.getLogger(__name__)
    settings = load_settings(args)
    service = build_service(args, settings, keep_presence=True)
    if not service.publishers:
        _no_accounts(service)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("Signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    said: set[tuple[str, str]] = set()  # calendar problems already in the log: each said once until it changes

    def run_pass(reason: str) -> datetime | None:
        report = service.run(refresh=reason in REFRESH_REASONS)
        for a in report.accounts:
            for err in a.errors:
                log.warning("%s: %s", a.account, err)
        problems = {(p.title, p.message): p.text for p in report.calendar_issues}
        for key in problems.keys() - said:
            log.warning("%s", problems[key])
        said.clear()
        said.update(problems)
        log.info(
            "Pass (%s): %s; next at %s",
            reason,
            report.interval.state,
            report.wake_at.isoformat() if report.wake_at else "-",
        )
        return report.wake_at

    from traystatus.core.duties import OutboxDuty

    # the same duties as the tray: the handoff outbox (notes stored by `traystatus handoff` that could not go
    # out at once are retried here), wake-ups from other traystatus processes on this state dir, and the
    # Matrix presence loops (stopped with the runtime)
    from traystatus.core.errors import TrayStatusError
    from traystatus.core.live_presence import PresenceDuty

    try:
        handoff = container.headless_handoff(args, paths, settings)
    except TrayStatusError as e:  # an unwritable archive: statuses are still kept in step, said once
        log.error("Handoff notes will not be delivered: %s: %s", e.title, e.message)
        handoff = None
    duties = [
        *container.runtime_duties(paths, OutboxDuty(lambda: handoff.worker if handoff else None, owned=True)),
        PresenceDuty(lambda: service.publishers),
    ]
    minutes = min((c.refresh_minutes for c in settings.calendars), default=15)
    scheduler = SyncScheduler(run_pass, refresh_every=timedelta(minutes=minutes), duties=duties)
    print(
        f"traystatus: keeping {len(service.publishers)} account(s) in step; log: {paths.log_dir}",
        file=sys.stderr,
        flush=True,
    )
    scheduler.start()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        from traystatus.adapters.bounded_http import abort_all

        abort_all()  # a calendar fetch in progress ends now, not at its deadline: the pass can finish
        scheduler.shutdown(wait=True)
        if handoff is not None:
            handoff.close()
    log.info("Stopped")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from traystatus.app.doctor import run_checks

    checks = run_checks(args)
    if args.json:
        print(json.dumps([c.as_dict() for c in checks], indent=2, ensure_ascii=False))
    else:
        for c in checks:
            print(f"[{c.level:^4}] {c.name}: {c.detail}")
            if c.fix:
                print(f"       → {c.fix}")
    return 1 if any(c.level == "FAIL" for c in checks) else 0
