"""What a running traystatus's presence loop has to tell, kept in the state dir for `traystatus status`.

`status` calls no service, so it learns "another session keeps you online" or "presence is not being held"
from the process that holds presence: that process rewrites the note after every sync while it lasts
(so a note older than ``FRESH`` belongs to a process that is gone) and removes it when it ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from traystatus.adapters.clock import utc_now
from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import WriteWatch
from traystatus.core.live_presence import LiveState

log = logging.getLogger(__name__)

FRESH = timedelta(minutes=3)  # a few sync periods: older means nobody holds presence any more


class LiveNoteFile:
    def __init__(self, state_dir: Path) -> None:
        self._dir = state_dir
        self._watch = WriteWatch(log, "the presence note")  # rewritten after every sync: said once, not each

    def _path(self, account: str) -> Path:
        digest = hashlib.sha256(account.encode("utf-8")).hexdigest()[:16]
        return self._dir / f"live-{digest}.json"

    def save(self, account: str, state: LiveState, now: datetime | None = None) -> None:
        """Keep ``state.note`` for ``account`` (remove it when there is none); never raises."""
        path = self._path(account)
        try:
            if not state.note:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                return
            at = (now or utc_now()).isoformat()
            atomic_write(path, json.dumps({"account": account, "note": state.note, "at": at}))  # 0600, like state
        except OSError as e:
            self._watch.failed(e, path, kept="`traystatus status` does not see what the running app knows.")
            return
        self._watch.worked()

    def load(self, account: str, now: datetime) -> str:
        """The note a running traystatus keeps for ``account`` ("" when none, or when it is stale)."""
        try:
            data = json.loads(self._path(account).read_text(encoding="utf-8"))
            at = datetime.fromisoformat(str(data["at"]))
            note = str(data["note"])[:500]
        except (OSError, ValueError, KeyError, TypeError):
            return ""
        if at.tzinfo is None or not timedelta(0) <= now - at <= FRESH or data.get("account") != account:
            return ""
        return f"{note} (seen by the running traystatus at {at.astimezone(UTC):%H:%M} UTC)"
