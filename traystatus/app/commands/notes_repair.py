"""`traystatus notes repair`: a damaged handoff archive becomes a sound one with every note that can be read;
the damaged file is kept beside it (see ``adapters.archive_repair``)."""

from __future__ import annotations

import argparse

from traystatus.app.paths import AppPaths
from traystatus.core.errors import TrayStatusError


def add_repair(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rp = sub.add_parser(
        "repair",
        help="rebuild a damaged archive from every note that can still be read (the damaged file is kept)",
    )
    rp.set_defaults(func=run_repair)


def run_repair(args: argparse.Namespace) -> int:
    from traystatus.adapters.archive_repair import repair
    from traystatus.adapters.archive_sqlite import FILE_NAME
    from traystatus.adapters.wake_socket import WakeListener

    paths = AppPaths.resolve(getattr(args, "config", None))
    path = paths.data_dir / FILE_NAME
    if not path.exists():
        print(f"No archive at {path} yet: nothing to repair.")
        return 0
    # the tray and run --headless listen for wake-ups on this state dir: one that runs has the file open
    alone = WakeListener(paths.state_dir, lambda _what: None)
    if not alone.start():
        raise TrayStatusError(
            "traystatus is running", "quit the tray app or stop `traystatus run --headless`, then repair again."
        )
    try:
        done = repair(path)
    except ValueError:
        print(f"{path} is not damaged: nothing to repair.")
        return 0
    except OSError as e:
        raise TrayStatusError(
            "Archive not repaired", f"{e}; {path} is as it was. Check that {path.parent} is writable and has room."
        ) from None
    finally:
        alone.stop()
    rows = done.rows
    print(
        f"Repaired {path}: {rows['notes']} note(s), {rows['note_revisions']} revision(s) and "
        f"{rows['deliveries']} delivery record(s) kept; the search index was rebuilt."
    )
    if done.notes_from_revisions:
        print(f"  {done.notes_from_revisions} note(s) came back from their revisions (their sign-off flag is off).")
    if done.unreadable:
        print(f"  {done.unreadable} row(s) on damaged pages could not be read.")
    print(f"The damaged file is kept as {done.kept}; delete it once you are sure nothing is missing.")
    return 0
