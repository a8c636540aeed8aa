"""The CLI's stdout and stderr pass through :func:`~traystatus.core.terminal_text.terminal_text`: whatever a
calendar, a note, a teammate's profile or a server put in the text a command prints, no escape sequence or
bidi override reaches the terminal (a hostile invite cannot clear the screen, retitle the window or hide text).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from traystatus.core.terminal_text import terminal_text


class TerminalGuard:
    """A text stream that escapes what it is given, then writes it to ``inner``; everything else is inner's."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(terminal_text(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer, …
        return getattr(self.inner, name)


@contextlib.contextmanager
def guarded_output() -> Iterator[None]:
    """stdout and stderr guarded while a command runs; the streams are given back afterwards."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, TerminalGuard):
        sys.stdout = TerminalGuard(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, TerminalGuard):
        sys.stderr = TerminalGuard(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
