"""Argument parsing: one sub-command module per feature, imported only when that command runs."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from traystatus import __version__
from traystatus.app.terminal_guard import guarded_output
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
    "accounts",
]


# Which module registers each top-level command, so running one command imports only its module
# (start-up stays fast: `--version` and the tray app import none). A word missing here still
# works: then every module is imported, as for `--help`.
COMMAND_WORDS = {
    "plan": "plan",
    "calendar": "calendar",
    "team": "team",
    "settings": "settings",
    "handoff": "handoff",
    "notes": "notes",
    "apply": "sync",
    "status": "sync",
    "run": "sync",
    "doctor": "sync",
    "login": "accounts",
    "logout": "accounts",
}
GLOBAL_OPTIONS_WITH_VALUE = ("--config",)


def _command_word(argv: Sequence[str]) -> str | None:
    """The first positional argument (the command), skipping global options and their values."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(only: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; ``only`` limits which command modules are imported (None: all of them)."""
    parser = argparse.ArgumentParser(
        prog="traystatus",
        description="Your availability from your calendars, on Slack and Matrix.",
    )
    parser.add_argument("--version", action="version", version=f"traystatus {__version__}")
    parser.add_argument(
        "--config", metavar="FILE", help="config file (default: the platform's config dir; or TRAYSTATUS_CONFIG)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="run on the bundled demo calendar and team; nothing is sent anywhere"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if only is None else only:
        try:
            module = importlib.import_module(f"traystatus.app.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"traystatus.app.commands.{name}":
                raise
            continue  # a feature still being built
        module.register(sub)
    _describe(parser)
    return parser


def _describe(parser: argparse.ArgumentParser) -> None:
    """A command's own ``--help`` starts with what it does: its one-line help unless it has a longer text."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help for a in action._choices_actions}
        for name, child in action.choices.items():
            if not (child.description or "").strip() and helps.get(name):
                text = str(helps[name])
                child.description = text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
            _describe(child)


def run(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    word = _command_word(argv)
    wants_help = any(a in ("-h", "--help") for a in argv)
    if word is None and not wants_help:
        only: list[str] | None = []  # --version or the tray app: no command module needed
    elif word in COMMAND_WORDS and COMMAND_WORDS[word] in COMMAND_MODULES:
        only = [COMMAND_WORDS[word]]
    else:
        only = None
    parser = build_parser(only)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from traystatus.app.gui import run_gui  # the default: the tray app

        return int(run_gui(args))
    with guarded_output():  # calendar and note text never acts on the terminal (docs/runtime.md)
        return _run_command(func, args)


def _run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        if getattr(args, "demo", False):
            from traystatus.app.demo_mode import demo_session

            with demo_session(args):
                return int(func(args))
        return int(func(args))
    except TrayStatusError as e:
        print(f"traystatus: {e.title}: {e.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `traystatus plan | head`: the reader left; not an error of ours
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's flush at exit would raise again
        return 141
    except OSError as e:  # a file no adapter expected to fail (a read-only or full dir): its path and the fix
        if e.filename is None:
            raise
        from pathlib import Path

        from traystatus.adapters.storage_problems import cause_and_fix

        cause, fix = cause_and_fix(e, Path(e.filename))
        print(f"traystatus: {e.filename}: {cause}. To fix: {fix}.", file=sys.stderr)
        return 2
