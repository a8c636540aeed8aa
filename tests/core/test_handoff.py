"""Handoff settings, destinations, pre-fill, text files and rendering for Slack and Matrix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from traystatus.core.config_schema import Table
from traystatus.core.errors import ConfigError
from traystatus.core.handoff import (
    DEFAULT_SECTIONS,
    Destination,
    HandoffNote,
    HandoffSettings,
    NoteSection,
    match_heading,
    matrix_html,
    new_draft,
    parse_destination,
    parse_note_text,
    parse_note_text_mapped,
    plain_text,
    section_role,
    slack_escape,
    slack_text,
)

NOW = datetime(2026, 11, 24, 16, tzinfo=UTC)


def note(**texts: str) -> HandoffNote:
    titles = dict(zip(("done", "progress", "blocked", "decisions", "next", "notes"), DEFAULT_SECTIONS, strict=True))
    return HandoffNote(
        id="n1", created=NOW, sections=tuple(NoteSection(title=titles[k], text=v) for k, v in texts.items())
    )


def test_settings_defaults_and_table() -> None:
    d = HandoffSettings.from_table(Table({}))
    assert d.minutes_before == 15 and d.sign_off and d.sections[2] == "Blocked — and who can unblock"
    s = HandoffSettings.from_table(
        Table(
            {
                "minutes_before": 30,
                "sign_off": False,
                "sections": ["Done", "Next"],
                "destinations": ["slack:#team", "slack:acme:#ops", "matrix:!r:ex.org"],
            }
        )
    )
    assert s.minutes_before == 30 and not s.sign_off and s.sections == ("Done", "Next")
    assert [str(x) for x in s.destinations] == ["slack:#team", "slack:acme:#ops", "matrix:!r:ex.org"]
    assert s.destinations[1] == Destination(service="slack", target="#ops", workspace="acme")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"destinations": ["irc:#x"]}, "unknown service"),
        ({"destinations": ["matrix:room"]}, "not a Matrix room"),
        ({"destinations": ["slack:# bad"]}, "not a Slack channel"),
        ({"minutes_before": -1}, "at least 0"),
        ({"sections": []}, "at least one"),
        ({"minutes_befor": 5}, "Did you mean 'minutes_before'"),
    ],
)
def test_settings_errors_name_the_key(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError) as e:
        HandoffSettings.from_table(Table(data, path="handoff", source="config.toml"))
    assert fragment in e.value.message and "config.toml: handoff." in e.value.message


def test_parse_destination_forms() -> None:
    assert parse_destination("slack:#general") == Destination(service="slack", target="#general")
    assert parse_destination("matrix:#team:example.org").target == "#team:example.org"


def test_prefill_from_previous_next_and_open_blockers() -> None:
    prev = note(done="shipped", blocked="waiting for Ana (API key)", next="review PR #12")
    draft = new_draft(HandoffSettings(), prev)
    texts = {s.title: s.text for s in draft.sections}
    assert texts["In progress"] == "review PR #12"
    assert texts["Blocked — and who can unblock"] == "waiting for Ana (API key)"
    assert texts["Done"] == "" and draft.sign_off
    assert all(not s.text for s in new_draft(HandoffSettings(), None).sections)
    # a template without "In progress": the previous Next stays in Next
    only = new_draft(HandoffSettings(sections=("Done", "Next")), prev)
    assert only.sections[1].text == "review PR #12"


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("Next / handed over to", "next"),
        ("Up next:", "next"),
        ("What's NEXT", "next"),
        ("Blocked — and who can unblock", "blocked"),
        ("Stuck on", "blocked"),
        ("Blockers", "blocked"),
        ("In progress", "in_progress"),
        ("Doing", "in_progress"),
        ("Working on", "in_progress"),
        ("Done", "done"),
        ("Shipped!", "done"),
        ("Decisions", "other"),
        ("Nextcloud migration", "other"),  # a word, not a prefix
    ],
)
def test_custom_template_sections_have_roles_by_their_words(title: str, role: str) -> None:
    assert section_role(title) == role


def test_a_custom_template_carries_next_and_blockers_over() -> None:
    template = HandoffSettings(sections=("Shipped", "Doing", "Up next", "Stuck on"))
    prev = HandoffNote(
        id="p",
        created=NOW,
        sections=(NoteSection(title="Up next", text="PR 42"), NoteSection(title="Stuck on", text="CI")),
    )
    texts = {s.title: s.text for s in new_draft(template, prev).sections}
    assert texts == {"Shipped": "", "Doing": "PR 42", "Up next": "", "Stuck on": "CI"}


def test_parse_note_text_headings_and_fallback() -> None:
    s = parse_note_text("# Done\nA & B\n\n## next / handed over to\nC\n", DEFAULT_SECTIONS)
    by = {x.title: x.text for x in s}
    assert by["Done"] == "A & B" and by["Next / handed over to"] == "C"
    assert parse_note_text("just text", DEFAULT_SECTIONS)[-1] == NoteSection(title="Notes", text="just text")


def test_text_file_headings_map_onto_the_template_case_and_punctuation_insensitively() -> None:
    text = "## NEXT\nPriya\n## Blockers:\nCI\n### in-progress\nmigration\n# Decisions!\nship\n# Random\nx\n"
    sections, mapping = parse_note_text_mapped(text, DEFAULT_SECTIONS)
    assert mapping == [
        ("NEXT", "Next / handed over to"),
        ("Blockers:", "Blocked — and who can unblock"),
        ("in-progress", "In progress"),
        ("Decisions!", "Decisions"),
        ("Random", None),
    ]
    by = {x.title: x.text for x in sections}
    assert by["Next / handed over to"] == "Priya" and by["Blocked — and who can unblock"] == "CI"
    assert by["In progress"] == "migration" and by["Random"] == "x"
    assert match_heading("!!!", DEFAULT_SECTIONS) is None and match_heading("No", DEFAULT_SECTIONS) is None


def test_slack_escapes_only_amp_lt_gt() -> None:
    assert slack_escape("a & b <@U123> > \"q\" 'x'") == "a &amp; b &lt;@U123&gt; &gt; \"q\" 'x'"
    text = slack_text(note(done="fixed <script> & co", blocked=""))
    assert "fixed &lt;script&gt; &amp; co" in text and "*Done*" in text and "Blocked" not in text


def test_matrix_body_and_escaped_html() -> None:
    n = note(done='fixed <b>bold</b> & "quotes"\nsecond line')
    assert 'fixed <b>bold</b> & "quotes"' in plain_text(n)
    h = matrix_html(n)
    assert "fixed &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;<br>second line" in h
    assert "<h4>Done</h4>" in h and "<b>" not in h
