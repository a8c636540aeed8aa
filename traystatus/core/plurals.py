"""Counts in words for people: "1 event", "2 events", "no events"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and ``noun`` agreeing in number; ``plural`` for nouns that do not just take an s."""
    many = plural if plural is not None else f"{noun}s"
    if n == 0:
        return f"no {many}"
    return f"{n} {noun if n == 1 else many}"
