"""The handoff draft on disk: written atomically (temp file, fsync, rename) so a crash or a kill
leaves either the previous or the new draft, never a torn one; read back to reopen where it was.
Also the state of the end-of-day prompt (snoozed, skipped) so a restart does not ask again.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import storage_error
from traystatus.core.handoff import HandoffDraft, NoteSection, PromptState

log = logging.getLogger(__name__)

FILE_NAME = "handoff-draft.json"


class JsonDraftStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_dir(cls, state_dir: Path) -> JsonDraftStore:
        return cls(state_dir / FILE_NAME)

    def load(self) -> HandoffDraft | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return HandoffDraft(
                sections=tuple(NoteSection(title=s["title"], text=s["text"]) for s in data["sections"]),
                destinations=tuple(data.get("destinations", ())),
                sign_off=bool(data.get("sign_off", True)),
                focus_section=int(data.get("focus_section", 0)),
                cursor=int(data.get("cursor", 0)),
                note_id=str(data.get("note_id", "")),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as e:
            log.warning("ignoring an unreadable handoff draft %s: %s", self.path, e)
            return None

    def save(self, draft: HandoffDraft) -> None:
        data = {
            "sections": [{"title": s.title, "text": s.text} for s in draft.sections],
            "destinations": list(draft.destinations),
            "sign_off": draft.sign_off,
            "focus_section": draft.focus_section,
            "cursor": draft.cursor,
            "note_id": draft.note_id,
        }
        try:
            atomic_write(self.path, json.dumps(data, ensure_ascii=False))
        except OSError as e:  # the text stays in the popup: submitting or a later save still works
            raise storage_error(e, self.path, "the handoff draft", kept="the text is still in the window.") from None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


PROMPT_FILE = "handoff-prompt.json"


class JsonPromptStore:
    """What the user did about the current end-of-day prompt (snoozed, skipped, done), in the state dir."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._memory: PromptState | None = None  # the last answer, also when the file could not be written

    @classmethod
    def in_dir(cls, state_dir: Path) -> JsonPromptStore:
        return cls(state_dir / PROMPT_FILE)

    def load(self) -> PromptState:
        if self._memory is not None:
            return self._memory
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return PromptState(
                day_end=_when(data.get("day_end")),
                snoozed_until=_when(data.get("snoozed_until")),
                done=bool(data.get("done")),
            )
        except (OSError, ValueError, TypeError, AttributeError):
            return PromptState()  # missing or damaged: the prompt simply comes as usual

    def save(self, state: PromptState) -> None:
        self._memory = state  # a snooze holds in this process even when the file cannot take it
        data = {"day_end": _iso(state.day_end), "snoozed_until": _iso(state.snoozed_until), "done": state.done}
        try:
            atomic_write(self.path, json.dumps(data))
        except OSError as e:
            raise storage_error(
                e, self.path, "the handoff prompt state", kept="it holds until traystatus quits."
            ) from None


def _iso(d: datetime | None) -> str | None:
    return None if d is None else d.astimezone(UTC).isoformat()


def _when(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    d = datetime.fromisoformat(text)
    return d if d.tzinfo is not None else None
