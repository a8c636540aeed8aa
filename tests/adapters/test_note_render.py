"""Rendering a note for each service, without a server: hostile links, raw HTML, code, lists and mentions
(the Synapse and Slack emulator tests in test_handoff_delivery.py check what the other side receives)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from traystatus.adapters.note_render import matrix_html, matrix_mentions, slack_text
from traystatus.core.handoff import HandoffNote, NoteSection

NOW = datetime(2026, 11, 24, 16, tzinfo=UTC)


def note(text: str) -> HandoffNote:
    return HandoffNote(id="r1", created=NOW, sections=(NoteSection(title="Done", text=text),))


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "file:///etc/passwd"],
)
def test_a_link_with_an_unsafe_scheme_stays_text(link: str) -> None:
    rendered = matrix_html(note(f"[click]({link})"))
    assert "href" not in rendered and "<a" not in rendered
    assert "<|" not in slack_text(note(f"[click]({link})"))


def test_raw_html_and_images_never_become_markup() -> None:
    rendered = matrix_html(note('<img src=x onerror=alert(1)> ![pic](https://example.org/p.png) <iframe src="x">'))
    assert "<img" not in rendered and "<iframe" not in rendered and "onerror=alert(1)" in rendered  # as text
    assert "&lt;img" in rendered


def test_mentions_in_code_are_quoted_not_called() -> None:
    text = "ask @ana:example.org\n`@bob:example.org` and `@room` are examples\n```\n@channel @carl:example.org\n```"
    assert matrix_mentions(note(text), room_mentions=True) == {"user_ids": ["@ana:example.org"]}
    slack = slack_text(note(text + "\n\n@here for real"), room_mentions=True)
    assert "`@room`" in slack and "<!here> for real" in slack
    assert "<!channel>" not in slack  # in a code block: quoted


def test_slack_lists_quotes_and_code_blocks() -> None:
    text = "1. first\n2. second\n   - nested & <odd>\n\n> quoted *em*\n\n```\nif a < b: pass\n```"
    out = slack_text(note(text))
    assert "1. first\n2. second\n    • nested &amp; &lt;odd&gt;" in out
    assert "> quoted _em_" in out and "```\nif a &lt; b: pass\n```" in out
