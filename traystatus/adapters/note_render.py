"""A note's markdown as each service reads it, through markdown-it-py (CommonMark; raw HTML off):
Slack mrkdwn (``*bold*``, ``_em_``, ``<url|text>``, only ``&<>`` escaped) and Matrix
``org.matrix.custom.html`` limited to the tags the Matrix spec recommends (docs/handoff-rendering.md),
with ``m.mentions`` that ping nobody unless the user names people or opts in to room mentions.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from traystatus.core.handoff import HandoffNote, NoteSection, heading, slack_escape

# The Matrix client-server spec's recommended tags (m.room.message, "HTML formatting"); anything else
# the renderer would produce is dropped to its text.
_TAGS = "font del h1 h2 h3 h4 h5 h6 blockquote p a ul ol sup sub li b i u strong em s code hr br div "
MATRIX_TAGS = frozenset((_TAGS + "table thead tbody tr th td caption pre span img details summary").split())
LINK_SCHEMES = ("https:", "http:", "ftp:", "mailto:", "magnet:")  # the spec's allowed href schemes
_MATRIX_USER = re.compile(r"(?<![\w@])@[a-z0-9._=/+-]+:[a-z0-9.-]+(?::\d+)?", re.IGNORECASE)
_ROOM_MENTION = re.compile(r"(?<![\w])@room\b")


def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.disable("image")  # Matrix images must be mxc:// uploads; a note's image stays a link's text
    md.validateLink = lambda url: url.strip().lower().startswith(LINK_SCHEMES)  # type: ignore[method-assign]
    return md


_MARKDOWN = _md()


def _sections(note: HandoffNote) -> list[NoteSection]:
    return [s for s in note.sections if s.text.strip()]


# ---- Matrix --------------------------------------------------------------------------------------


def _allowed(html_text: str) -> str:
    """Drop any tag the spec does not recommend (keep its text); markdown-it only makes a few anyway."""

    def keep(m: re.Match[str]) -> str:
        return m[0] if m[1].lower() in MATRIX_TAGS else ""

    return re.sub(r"</?([a-zA-Z0-9]+)[^>]*>", keep, html_text)


def matrix_html(note: HandoffNote) -> str:
    parts = [f"<h3>{html.escape(heading(note))}</h3>"]
    for s in _sections(note):
        parts.append(f"<h4>{html.escape(s.title)}</h4>{_allowed(_MARKDOWN.render(s.text.strip())).strip()}")
    return "".join(parts)


def matrix_mentions(note: HandoffNote, *, room_mentions: bool = False) -> dict[str, Any]:
    """``m.mentions``, always sent: the users the note names, and the room only when the user opted in
    (with it present, a literal "@room" in the text no longer pings the room)."""
    text = "\n".join(_prose(s.text) for s in note.sections)  # a name in `code` is quoted, not called
    mentions: dict[str, Any] = {}
    users = sorted(dict.fromkeys(_MATRIX_USER.findall(text)))
    if users:
        mentions["user_ids"] = users
    if room_mentions and _ROOM_MENTION.search(text):
        mentions["room"] = True
    return mentions


def _prose(text: str) -> str:
    """The text of ``text`` outside code spans and code blocks: where a mention means a mention."""
    out: list[str] = []
    for t in _MARKDOWN.parse(text):
        if t.type == "inline":
            out.extend(c.content for c in t.children or [] if c.type == "text")
    return "\n".join(out)


# ---- Slack ---------------------------------------------------------------------------------------

_SLACK_BROADCAST = re.compile(r"(?<![\w])@(channel|here|everyone)\b")


def _inline(tokens: list[Token], room_mentions: bool = False) -> str:
    out: list[str] = []
    link: list[str] = []  # href of the open link
    buf: list[str] = []
    for t in tokens:
        target = buf if link else out
        if t.type == "text":
            text = slack_escape(t.content)
            if room_mentions:  # only in prose: a `@channel` in code is quoted, not a broadcast
                text = _SLACK_BROADCAST.sub(lambda m: f"<!{m[1]}>", text)
            target.append(text)
        elif t.type == "code_inline":
            target.append(f"`{slack_escape(t.content)}`")
        elif t.type in ("strong_open", "strong_close"):
            target.append("*")
        elif t.type in ("em_open", "em_close"):
            target.append("_")
        elif t.type in ("softbreak", "hardbreak"):
            target.append("\n")
        elif t.type == "link_open":
            link.append(str(t.attrs.get("href", "")))
        elif t.type == "link_close" and link:
            href, text = link.pop(), "".join(buf)
            buf.clear()
            # Slack's link syntax: <url|text>; a "|" or ">" in the text would end it early.
            label = text.replace("|", "¦").replace("&gt;", "›")
            out.append(f"<{slack_escape(href).replace('|', '%7C')}|{label}>" if label else f"<{slack_escape(href)}>")
    return "".join(out)


def _slack_blocks(text: str, room_mentions: bool = False) -> str:
    lines: list[str] = []
    prefix: list[str] = []  # list markers and quote marks of the open blocks
    counters: list[int] = []
    item_start = False
    for t in _MARKDOWN.parse(text):
        if t.type == "bullet_list_open":
            counters.append(0)
        elif t.type == "ordered_list_open":
            counters.append(int(str(t.attrs.get("start", 1))))
        elif t.type in ("bullet_list_close", "ordered_list_close"):
            counters.pop()
        elif t.type == "list_item_open":
            item_start = True
        elif t.type == "blockquote_open":
            prefix.append("> ")
        elif t.type == "blockquote_close":
            prefix.pop()
        elif t.type == "inline":
            body = _inline(t.children or [], room_mentions)
            marker = ""
            if item_start and counters:
                indent = "    " * (len(counters) - 1)
                marker = f"{indent}• " if counters[-1] == 0 else f"{indent}{counters[-1]}. "
                if counters[-1]:
                    counters[-1] += 1
                item_start = False
            if t.level and not marker and counters:
                marker = "    " * len(counters)
            quote = "".join(prefix)
            lines.extend(f"{quote}{marker if i == 0 else ''}{line}" for i, line in enumerate(body.split("\n")))
        elif t.type in ("fence", "code_block"):
            lines.append(f"```\n{slack_escape(t.content.rstrip())}\n```")
        elif t.type == "hr":
            lines.append("———")
        elif t.type == "heading_open":
            pass
    return "\n".join(lines)


def slack_text(note: HandoffNote, *, room_mentions: bool = False) -> str:
    """The note as Slack mrkdwn: headings in bold, the markdown as Slack writes it. A typed ``<!channel>``
    is escaped (no ping); ``@channel``/``@here``/``@everyone`` ping only when the user opted in."""
    parts = [f"*{slack_escape(heading(note))}*"]
    for s in _sections(note):
        body = _slack_blocks(s.text.strip(), room_mentions)
        parts.append(f"*{slack_escape(s.title)}*\n{body}")
    return "\n\n".join(parts)
