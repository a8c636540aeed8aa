"""`traystatus handoff`: open the end-of-day note popup, or post a note from a text file non-interactively."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import timedelta, tzinfo
from pathlib import Path

from traystatus.app import container
from traystatus.app.handoff_service import HandoffService, SubmitResult
from traystatus.app.options import add_settings_options, load_settings
from traystatus.app.paths import AppPaths
from traystatus.core.errors import TrayStatusError
from traystatus.core.handoff import HandoffDraft, parse_destination, parse_note_text_mapped
from traystatus.core.model import Override
from traystatus.core.outbox import DeliveryStatus, describe
from traystatus.core.publishing import OpKind
from traystatus.core.settings import Settings
from traystatus.core.status_sync import SyncReport

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "handoff",
        help="write the end-of-day handoff note (popup), or post one from a file",
        description="Without --text-file: open the handoff popup. With it: store the note in the archive, "
        "post it to each --to destination (or the configured ones) and sign off.",
    )
    p.add_argument(
        "--text-file",
        metavar="FILE",
        help="the note as text; '# Done', '## Next' … headings split it into the template's sections ('-' reads stdin)",
    )
    p.add_argument(
        "--to",
        action="append",
        default=[],
        metavar="DEST",
        help="slack:#channel, slack:<workspace>:#channel or matrix:!room:server (repeatable; "
        "default: [handoff] destinations)",
    )
    p.add_argument(
        "--no-sign-off",
        action="store_true",
        help="do not set off-hours status and Do Not Disturb until the next working start",
    )
    add_settings_options(p)
    p.set_defaults(func=run)


class SyncSignOff:
    """Sign off through the sync service: store the off-hours override, then reconcile both services now.

    ``notes`` says afterwards where a service granted Do Not Disturb for less than the sign-off (Slack: a day
    at a time), so the CLI can tell the user what happens when no traystatus is left running."""

    def __init__(self, args: argparse.Namespace, settings: Settings) -> None:
        self._args, self._settings = args, settings
        self.notes: tuple[str, ...] = ()

    def __call__(self, override: Override) -> None:
        from traystatus.app.commands.sync import build_service

        service = build_service(self._args, self._settings)
        service.store.add_override(override)
        log.info("signed off until %s", override.end.isoformat())
        report = service.run()
        self.notes = shorter_dnd_notes(report, self._settings.timezone)
        if not report.ok:
            raise TrayStatusError(
                "Sign off",
                "the off-hours override is stored, but not every service took it "
                "yet; `traystatus status` shows why, and the tray app keeps trying.",
            )


def shorter_dnd_notes(report: SyncReport, zone: tzinfo) -> tuple[str, ...]:
    """One line per account whose Do Not Disturb was set to end before the span it is for."""
    notes = []
    for line in report.accounts:
        for op in line.sent:
            if op.kind is not OpKind.SET_DND or op.until is None or op.span_end is None:
                continue
            if op.span_end - op.until <= timedelta(minutes=1):  # whole minutes: up to a minute either way
                continue
            until, end = (t.astimezone(zone).strftime("%a %H:%M") for t in (op.until, op.span_end))
            notes.append(
                f"{line.account}: Do Not Disturb until {until}, not {end}: traystatus asks for a day at a time. "
                "A running traystatus (the tray app or `traystatus run --headless`) renews it; without one it ends "
                f"at {until}."
            )
    return tuple(notes)


def report(result: SubmitResult, settings: Settings) -> int:
    print(f"Stored note {result.note.id} in the archive.")
    for d in result.deliveries:
        print(f"  {describe(d)}")
    if not result.deliveries:
        print(
            "  Posted nowhere: no --to destination given and no [handoff] destinations configured "
            "(e.g. --to slack:#team)."
        )
    if result.signed_off_until is not None:
        print(f"Signed off until {result.signed_off_until.astimezone(settings.timezone).strftime('%a %H:%M %Z')}.")
    elif result.sign_off_error:
        print(f"Not signed off: {result.sign_off_error}", file=sys.stderr)
    waiting = [d for d in result.deliveries if d.status is not DeliveryStatus.SENT]
    if waiting:
        print(
            "Some destinations are not done; `traystatus notes deliver` retries, and so does the tray app.",
            file=sys.stderr,
        )
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    paths = AppPaths.resolve(getattr(args, "config", None))
    destinations = tuple(str(parse_destination(d)) for d in args.to) or tuple(
        str(d) for d in settings.handoff.destinations
    )
    sign_off = SyncSignOff(args, settings)
    if args.text_file is None:
        from traystatus.app.handoff_gui import run_popup

        return run_popup(
            paths,
            settings,
            sign_off=sign_off,
            destinations=destinations,
            sign_off_default=not args.no_sign_off and settings.handoff.sign_off,
        )
    try:
        text = sys.stdin.read() if args.text_file == "-" else Path(args.text_file).read_text(encoding="utf-8")
    except OSError as e:
        raise TrayStatusError("Handoff", f"cannot read {args.text_file}: {e.strerror}.") from None
    sections, mapping = parse_note_text_mapped(text, settings.handoff.sections)
    for heading, section in mapping:  # show where each heading went: a typo must not silently start a section
        where = f"section {section!r}" if section else "a section of its own (no template section matches)"
        print(f"Heading {heading!r} → {where}", file=sys.stderr)  # stdout stays the result scripts read
    draft = HandoffDraft(
        sections=sections,
        destinations=destinations,
        sign_off=not args.no_sign_off and settings.handoff.sign_off,
    )
    senders = container.demo_senders(args, paths)  # --demo: simulated destinations, the demo posts nowhere
    result = None
    try:
        service = HandoffService(paths, settings, senders=senders, sign_off=sign_off)
        try:
            result = service.submit(draft, deliver_now=True)
            code = report(result, settings)
            for note in sign_off.notes if result.signed_off_until is not None else ():
                print(note)
            if senders is not None:
                print(
                    f"Demo: posted to simulated channels only ({paths.state_dir / 'handoffs.json'}); nothing was sent."
                )
            return code
        finally:
            service.close()
    except TrayStatusError as e:
        if result is None and args.text_file == "-":  # piped in and not stored: the only copy left, give it back
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            e.message += " The note was not stored: its text is printed above, to keep."
        raise
