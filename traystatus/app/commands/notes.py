"""`traystatus notes`: list, search, show, export, archive/unarchive handoff notes; deliver or retry the outbox;
`browse` opens the history window."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime, time
from typing import Any

from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.clock import utc_now
from traystatus.app import container
from traystatus.app.handoff_service import HandoffService
from traystatus.app.options import load_settings
from traystatus.app.paths import AppPaths
from traystatus.core.errors import ConfigError, TrayStatusError
from traystatus.core.handoff import HandoffNote, markdown
from traystatus.core.outbox import Delivery, DeliveryStatus, describe
from traystatus.core.terminal_text import one_line


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "notes",
        help="the handoff archive: list, search, export, archive, deliver",
        description="Every handoff note is kept forever; archived ones are only hidden.",
    )
    sub = p.add_subparsers(dest="notes_command", metavar="ACTION", required=True)
    ls = sub.add_parser("list", help="recent notes, newest first")
    ls.add_argument("--all", action="store_true", help="include archived notes")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    se = sub.add_parser("search", help="full-text search (every word must match; accents and case ignored)")
    se.add_argument("query", nargs="+")
    se.add_argument("--json", action="store_true")
    se.add_argument("--no-archived", action="store_true", help="leave archived notes out")
    se.set_defaults(func=run_search)
    sh = sub.add_parser("show", help="one note, its revisions and its delivery state")
    sh.add_argument("id")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=run_show)
    ex = sub.add_parser("export", help="export notes as Markdown or JSON to stdout")
    ex.add_argument("--format", choices=("md", "json"), default="md")
    ex.add_argument("--since", metavar="DATE", help="only notes created on or after DATE (YYYY-MM-DD)")
    ex.add_argument("--all", action="store_true", help="include archived notes")
    ex.set_defaults(func=run_export)
    for name, flag in (("archive", True), ("unarchive", False)):
        a = sub.add_parser(name, help=f"{name} a note (nothing is ever deleted)")
        a.add_argument("id")
        a.set_defaults(func=run_archive, archived=flag)
    de = sub.add_parser("deliver", help="send what the outbox still holds (retries, after a crash)")
    de.set_defaults(func=run_deliver)
    rt = sub.add_parser(
        "retry",
        help="retry a failed or uncertain delivery now (check the channel first when it says 'may have been posted')",
    )
    rt.add_argument("id")
    rt.add_argument("--to", metavar="DEST", help="only this destination")
    rt.set_defaults(func=run_retry)
    ms = sub.add_parser(
        "mark-sent",
        help="a delivery that 'may have been posted' is in the channel: record it as sent, never post it again",
    )
    ms.add_argument("id")
    ms.add_argument("--to", metavar="DEST", help="only this destination")
    ms.set_defaults(func=run_mark_sent)
    from traystatus.app.commands.notes_repair import add_repair

    add_repair(sub)
    ed = sub.add_parser(
        "edit",
        help="replace a note's text with a new revision (earlier ones are kept; messages "
        "already posted are not changed)",
    )
    ed.add_argument("id")
    ed.add_argument(
        "--text-file",
        metavar="FILE",
        help="the new text, '# Done' … headings as for `traystatus handoff` ('-' reads stdin); "
        "without it the note opens in $VISUAL or $EDITOR",
    )
    ed.set_defaults(func=run_edit)
    br = sub.add_parser("browse", help="open the history window: browse and search every note")
    br.set_defaults(func=run_browse)


def _archive(args: argparse.Namespace, *, read_only: bool = False) -> SqliteNoteArchive:
    """``read_only`` for the commands that only read (list, search, show, export): they work on a
    read-only data dir and never write into the archive."""
    paths = AppPaths.resolve(getattr(args, "config", None))
    return SqliteNoteArchive.in_dir(paths.data_dir, read_only=read_only)


def note_json(note: HandoffNote, deliveries: list[Delivery] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": note.id,
        "created": note.created.isoformat(),
        "day": note.day.isoformat() if note.day else None,
        "updated": note.updated.isoformat() if note.updated else None,
        "revision": note.revision,
        "archived": note.archived,
        "sign_off": note.sign_off,
        "destinations": [str(d) for d in note.destinations],
        "sections": [{"title": s.title, "text": s.text} for s in note.sections],
    }
    if deliveries is not None:
        out["deliveries"] = [
            {
                "destination": d.destination,
                "status": d.status.value,
                "attempts": d.attempts,
                "error": d.last_error,
                "remote_id": d.remote_id,
            }
            for d in deliveries
        ]
    return out


def _line(note: HandoffNote, extra: str = "") -> str:
    flag = " [archived]" if note.archived else ""
    local = note.created.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{note.id}  {local}{flag}  {one_line(extra)}".rstrip()


def _first_line(note: HandoffNote) -> str:
    s = next((s for s in note.sections if s.text.strip()), None)
    return "" if s is None else f"{s.title}: {s.text.strip().splitlines()[0]}"[:100]


def run_list(args: argparse.Namespace) -> int:
    archive = _archive(args, read_only=True)
    try:
        notes = archive.notes(include_archived=args.all)
        if args.json:
            print(json.dumps([note_json(n) for n in notes], ensure_ascii=False, indent=1))
        else:
            for n in notes:
                print(_line(n, _first_line(n)))
            if not notes and not args.all and archive.notes(include_archived=True):
                print("No note outside the archive; `traystatus notes list --all` shows archived ones.")
            elif not notes:
                print("No handoff note yet; write one with `traystatus handoff`.")
        return 0
    finally:
        archive.close()


def run_search(args: argparse.Namespace) -> int:
    archive = _archive(args, read_only=True)
    try:
        hits = archive.search(" ".join(args.query), include_archived=not args.no_archived)
        if args.json:
            print(json.dumps([{**note_json(h.note), "snippet": h.snippet} for h in hits], ensure_ascii=False, indent=1))
        else:
            for h in hits:
                print(_line(h.note, h.snippet))
            if not hits:
                print("No note matches.", file=sys.stderr)
        return 0 if hits else 1
    finally:
        archive.close()


def run_show(args: argparse.Namespace) -> int:
    archive = _archive(args, read_only=True)
    try:
        note = archive.get(archive.resolve_id(args.id))
        deliveries = archive.deliveries(note.id)
        if args.json:
            data = note_json(note, deliveries)
            data["revisions"] = [
                {
                    "revision": r.revision,
                    "saved": r.saved.isoformat(),
                    "sections": [{"title": s.title, "text": s.text} for s in r.sections],
                }
                for r in archive.revisions(note.id)
            ]
            print(json.dumps(data, ensure_ascii=False, indent=1))
        else:
            print(markdown(note))
            print(f"id {note.id}, revision {note.revision}{', archived' if note.archived else ''}")
            for d in deliveries:
                print(f"  {describe(d)}")
        return 0
    finally:
        archive.close()


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ConfigError("Bad date", f"--since {text!r}: use YYYY-MM-DD, e.g. 2026-11-01.") from None
    return datetime.combine(day, time(0)).astimezone(UTC)  # local midnight


def run_export(args: argparse.Namespace) -> int:
    archive = _archive(args, read_only=True)
    try:
        notes = list(reversed(archive.notes(include_archived=args.all, since=_since(args.since))))
        if args.format == "json":
            print(json.dumps([note_json(n, archive.deliveries(n.id)) for n in notes], ensure_ascii=False, indent=1))
        else:
            print("\n".join(markdown(n) for n in notes), end="")
        return 0
    finally:
        archive.close()


def run_archive(args: argparse.Namespace) -> int:
    archive = _archive(args)
    try:
        note_id = archive.resolve_id(args.id)
        archive.set_archived(note_id, args.archived)
        print(f"{'Archived' if args.archived else 'Unarchived'} {note_id}.")
        return 0
    finally:
        archive.close()


def _deliver(args: argparse.Namespace) -> int:
    paths = AppPaths.resolve(getattr(args, "config", None))
    service = HandoffService(paths, load_settings(args), senders=container.demo_senders(args, paths))
    try:
        if getattr(args, "id", None):
            note_id = service.archive.resolve_id(args.id)
            for d in service.archive.deliveries(note_id):
                if args.to in (None, d.destination):
                    service.worker.retry(note_id, d.destination)
        else:
            service.worker.retry_failed_now()
        left = service.worker.deliver()
        for d in left:
            print(f"{d.note_id}  {describe(d)}")
            if d.status is DeliveryStatus.UNCERTAIN:
                print(
                    f"  you decide: `traystatus notes retry {d.note_id} --to {d.destination}` posts it again, "
                    f"`traystatus notes mark-sent {d.note_id} --to {d.destination}` records it as there"
                )
        if not left:
            print("Nothing left to deliver.")
        # Waiting for the user's decision is no failure of this run (it said so above); failures are.
        return 1 if any(d.status not in (DeliveryStatus.SENT, DeliveryStatus.UNCERTAIN) for d in left) else 0
    finally:
        service.close()


def run_deliver(args: argparse.Namespace) -> int:
    return _deliver(args)


def run_retry(args: argparse.Namespace) -> int:
    return _deliver(args)


def run_mark_sent(args: argparse.Namespace) -> int:
    paths = AppPaths.resolve(getattr(args, "config", None))
    service = HandoffService(paths, load_settings(args), senders=container.demo_senders(args, paths))
    try:
        note_id = service.archive.resolve_id(args.id)
        marked = 0
        for d in service.archive.deliveries(note_id):
            if args.to in (None, d.destination) and d.status is DeliveryStatus.UNCERTAIN:
                service.worker.mark_sent(note_id, d.destination)
                print(f"{note_id}  {d.destination}: marked as sent")
                marked += 1
        if not marked:
            raise TrayStatusError(
                "Mark as sent",
                f"note {note_id} has no delivery that may have been posted; see `traystatus notes show`.",
            )
        return 0
    finally:
        service.close()


def run_browse(args: argparse.Namespace) -> int:
    from traystatus.app.handoff_gui import run_notes_window

    return run_notes_window(AppPaths.resolve(getattr(args, "config", None)), load_settings(args))


def run_edit(args: argparse.Namespace) -> int:
    from pathlib import Path

    from traystatus.core.handoff import parse_note_text

    settings = load_settings(args)
    archive = _archive(args)
    try:
        note_id = archive.resolve_id(args.id)
        if args.text_file is None:  # `notes edit ID`: the note in the user's editor, as `git commit` does
            before = "\n\n".join(f"# {s.title}\n{s.text.strip()}" for s in archive.get(note_id).sections) + "\n"
            text = _in_editor(before)
            if text.strip() == before.strip():
                print(f"Nothing changed: note {note_id} keeps its text.")
                return 0
            args.text_file = "the edited text"
        else:
            try:
                text = sys.stdin.read() if args.text_file == "-" else Path(args.text_file).read_text(encoding="utf-8")
            except OSError as e:
                raise ConfigError("Note edit", f"cannot read {args.text_file}: {e.strerror}.") from None
        titles = tuple(dict.fromkeys([*(s.title for s in archive.get(note_id).sections), *settings.handoff.sections]))
        sections = tuple(s for s in parse_note_text(text, titles) if s.text.strip() or s.title in titles)
        if not any(s.text.strip() for s in sections):
            raise ConfigError(
                "Note edit",
                f"{args.text_file} has no text; a note is never emptied (use `traystatus notes archive` to hide it).",
            )
        note = archive.edit(note_id, sections, utc_now())
        print(
            f"Note {note.id} is now revision {note.revision}; earlier revisions are kept "
            f"(`traystatus notes show {note.id} --json`)."
        )
        return 0
    finally:
        archive.close()


def _in_editor(text: str) -> str:
    """``text`` edited in $VISUAL or $EDITOR (a temp file, removed after)."""
    import os
    import shlex
    import subprocess
    import tempfile
    from pathlib import Path

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise ConfigError("Note edit", "no editor: set $EDITOR (e.g. EDITOR=nano), or pass --text-file FILE.")
    fd, name = tempfile.mkstemp(prefix="traystatus-note-", suffix=".md")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        done = subprocess.run([*shlex.split(editor), name], check=False)
        if done.returncode != 0:
            raise ConfigError("Note edit", f"the editor ({editor}) exited with {done.returncode}; nothing changed.")
        return Path(name).read_text(encoding="utf-8")
    finally:
        Path(name).unlink()
