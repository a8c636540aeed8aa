"""Counts agree with their nouns."""

from __future__ import annotations

import pytest

from traystatus.core.plurals import counted


@pytest.mark.parametrize(
    ("n", "noun", "plural", "said"),
    [
        (0, "event", None, "no events"),
        (1, "event", None, "1 event"),
        (2, "event", None, "2 events"),
        (1, "person", "people", "1 person"),
        (3, "person", "people", "3 people"),
    ],
)
def test_counted(n: int, noun: str, plural: str | None, said: str) -> None:
    assert counted(n, noun, plural) == said
