"""The CLI imports only what the command needs: `--version` and the tray start import no heavy module."""

from __future__ import annotations

import argparse
import subprocess
import sys

from traystatus.app.cli import COMMAND_MODULES, COMMAND_WORDS, build_parser

HEAVY = ("requests", "icalendar", "recurring_ical_events", "PySide6", "apscheduler", "sqlite3", "keyring")


def _choices(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_version_imports_nothing_heavy() -> None:
    code = (
        "import sys\nfrom traystatus.app.cli import run\ntry:\n    run(['--version'])\nexcept SystemExit:\n"
        f"    pass\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]"), out


def test_every_command_word_is_mapped_to_the_module_that_registers_it() -> None:
    assert _choices(build_parser()) == set(COMMAND_WORDS)
    for word, module in COMMAND_WORDS.items():
        assert module in COMMAND_MODULES
        assert word in _choices(build_parser([module])), word
