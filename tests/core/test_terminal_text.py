"""Terminal-safe text: what could act on a terminal is escaped, everything else (emoji, accents, RTL script)
is kept, and the escaped form reads back as the same text in JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from traystatus.core.terminal_text import one_line, terminal_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\u001b[31mred"),
        ("\x1b]0;title\x07", "\\u001b]0;title\\u0007"),
        ("\x9b2J", "\\u009b2J"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        ("over\rwrite", "over\\u000dwrite"),
        ("bell\x07 del\x7f nul\x00", "bell\\u0007 del\\u007f nul\\u0000"),
        ("lone \udc80", "lone \\udc80"),
        ("line\u2028sep", "line\\u2028sep"),
    ],
)
def test_what_acts_on_a_terminal_is_escaped(raw: str, shown: str) -> None:
    assert terminal_text(raw) == shown and one_line(raw) == shown


def test_ordinary_text_is_kept() -> None:
    text = "Réunion 🗓 · 会議 · اجتماع · 👩‍💻 · Priya\tnotes\nnext line"
    assert terminal_text(text) == text
    assert one_line(text) == text.replace("\t", "\\u0009").replace("\n", "\\u000a")


@given(st.text())
def test_nothing_unsafe_survives_and_json_reads_the_same(text: str) -> None:
    safe = one_line(text)
    assert all(c >= " " and not ("\x7f" <= c <= "\x9f") and c not in "\u202a\u202b\u202c\u202d\u202e" for c in safe)
    encoded = terminal_text(json.dumps(text, ensure_ascii=False))
    assert json.loads(encoded) == text
