"""Text from calendars, notes and servers made harmless for a terminal: control characters, escape sequences
(ESC, CSI), bidirectional overrides and lone surrogates are shown escaped as ``\\u001b`` instead of acting.

The ``\\uXXXX`` form keeps JSON output valid JSON with the same value.
"""

from __future__ import annotations

import re

# C0 but tab and newline; DEL and C1 (U+009B is a one-character CSI); the bidi embeddings, overrides, isolates
# and marks (the "Trojan Source" characters, CVE-2021-42574); line/paragraph separators; interlinear
# annotation marks; lone surrogates (which no terminal encoding can write)
_UNSAFE = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufff9-\ufffb\ud800-\udfff"
)
_IN_TEXT = re.compile(f"[{_UNSAFE}]")
_IN_LINE = re.compile(f"[\t\n{_UNSAFE}]")


def _escaped(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def terminal_text(text: str) -> str:
    """``text`` with every character that could act on a terminal escaped; newlines and tabs kept."""
    return _IN_TEXT.sub(_escaped, text)


def one_line(text: str) -> str:
    """For a field printed on one line of a table: newlines and tabs escaped too, so that a title cannot
    start a line of its own that looks like traystatus's."""
    return _IN_LINE.sub(_escaped, text)
