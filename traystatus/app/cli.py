"""Argument parsing: one sub-command module per feature, imported only when that command runs."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from traystatus import __version__
from traystatus.core.errors import TrayStatusError

# Each module in traystatus.app.commands exposes ``register(subparsers)``; the parser it adds
# sets ``func`` (args -> exit code). Add a feature's module here.
COMMAND_MODULES = [
    "plan",
    "calendar",
    "team",
    "settings",
    "handoff",
    "notes",
    "sync",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="traystatus",
        description="Your availability from your calendars, on Slack and Matrix.",
    )
    parser.add_argument("--version", action="version", version=f"traystatus {__version__}")
    parser.add_argument("--config", metavar="FILE", help="config file (default: the platform's config dir; "
                        "or TRAYSTATUS_CONFIG)")
    parser.add_argument("--demo", action="store_true",
                        help="run on the bundled demo calendar and team; nothing is sent anywhere")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"traystatus.app.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"traystatus.app.commands.{name}":
                raise
            continue  # a feature still being built
        module.register(sub)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from traystatus.app.gui import run_gui  # the default: the tray app

        return int(run_gui(args))
    try:
        return int(func(args))
    except TrayStatusError as e:
        print(f"traystatus: {e.title}: {e.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
