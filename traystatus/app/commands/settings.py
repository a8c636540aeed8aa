"""`traystatus settings`: the settings window, shown by the running app when there is one.

With no config.toml yet (or ``--first-run``) it is the first-run setup instead.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "settings",
        help="open the settings window (the running app shows it, if any)",
        description="Open the settings window: working hours, calendars, accounts, what each state shows. "
        "If traystatus is running, it shows its own window. Without a config.toml yet this is the "
        "first-run setup.",
    )
    p.add_argument(
        "--first-run",
        action="store_true",
        help="open the first-run setup instead (the default while there is no config.toml)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from traystatus.app.paths import AppPaths
    from traystatus.app.settings_app import forward_settings_request, run_settings_window

    first_run = bool(args.first_run) or not AppPaths.resolve(getattr(args, "config", None)).config_file.exists()
    if forward_settings_request(args, "setup" if first_run else "settings"):
        print("traystatus is running: it shows the settings window now.")
        return 0
    return run_settings_window(args, first_run=first_run)
