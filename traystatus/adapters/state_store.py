"""The app's own state (``sync_state.json`` in the state dir): what was applied per account, retry state,
manual overrides. Every change is written atomically (temporary file, fsync, rename); readers reload it.

A state dir that cannot be written (read-only, full) does not stop syncing: the newest state is kept in
memory, the file stays as it was, and the problem is logged once (``problem`` says it until a write works).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from traystatus.adapters.file_lock import locked
from traystatus.adapters.private_files import atomic_write
from traystatus.adapters.storage_problems import WriteWatch, storage_error
from traystatus.adapters.wake_socket import poke
from traystatus.core.errors import StorageError
from traystatus.core.model import Override, State
from traystatus.core.publishing import Applied, KnownLimits, RetryState

log = logging.getLogger(__name__)

FILE_NAME = "sync_state.json"
LOCK_NAME = "sync.lock"
VERSION = 1


def _encode(obj: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        out[f.name] = value.isoformat() if isinstance(value, datetime) else value
    return out


# the records kept per account: dataclasses whose fields all have defaults
_Record = TypeVar("_Record", Applied, RetryState, KnownLimits)


def _fields(cls: type[Any], data: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if isinstance(value, str) and "datetime" in str(f.type):
            value = datetime.fromisoformat(value)
        elif str(f.type) == "State":
            value = State(value)
        kwargs[f.name] = value
    return kwargs


def _decode(cls: type[_Record], data: object) -> _Record:
    if not isinstance(data, dict):
        return cls()
    return cls(**_fields(cls, data))


def _decode_override(data: object) -> Override | None:
    """An override from the file; None for an entry that is damaged (it is dropped, not fatal)."""
    if not isinstance(data, dict):
        return None
    try:
        return Override(**_fields(Override, data))
    except (TypeError, ValueError):
        return None


class StateStore:
    """Thread-safe; several processes (tray, CLI ``apply``) may share the file: each change re-reads it first."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE_NAME
        self._lock = threading.RLock()
        self._unsaved: dict[str, Any] | None = None  # newer than the file, which could not be written
        self._watch = WriteWatch(log, "the state file")
        self._unreadable: StorageError | None = None

    @property
    def problem(self) -> StorageError | None:
        """Why the state is not in the file (cannot be written or read), until that works again."""
        return self._watch.problem or self._unreadable

    # -- file ------------------------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        if self._unsaved is not None:
            return copy.deepcopy(self._unsaved)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": VERSION, "accounts": {}, "overrides": []}
        except OSError as e:  # unreadable is not damaged: the file is left where it is, for when it can be read
            if self._unreadable is None:
                self._unreadable = storage_error(
                    e, self.path, "the state file", reading=True, kept="syncing goes on from a fresh state."
                )
                log.warning("%s: %s", self._unreadable.title, self._unreadable.message)
            return {"version": VERSION, "accounts": {}, "overrides": []}
        self._unreadable = None
        try:
            data = json.loads(text)
        except ValueError as e:
            bad = self.path.with_suffix(".corrupt")
            log.warning("State file %s unreadable (%s); moved to %s and starting afresh", self.path, e, bad.name)
            with contextlib.suppress(OSError):
                self.path.replace(bad)
            return {"version": VERSION, "accounts": {}, "overrides": []}
        if not isinstance(data, dict):
            data = {}
        data.setdefault("version", VERSION)
        data.setdefault("accounts", {})
        data.setdefault("overrides", [])
        return data

    def _changed(self, what: str) -> None:
        """A change a running tray or headless service must act on now (not at its next pass): poke it."""
        poke(self.path.parent, what)

    def _save(self, data: dict[str, Any]) -> None:
        if self._unreadable is not None:  # never replace a file that could not be read: it may be all there is
            self._unsaved = copy.deepcopy(data)
            return
        try:
            atomic_write(self.path, json.dumps(data, indent=1, sort_keys=True))
        except OSError as e:
            self._unsaved = copy.deepcopy(data)
            kept = (
                "what was applied and your overrides are kept in memory until it can be written; the file is as it was."
            )
            self._watch.failed(e, self.path, kept=kept)
            return
        self._unsaved = None
        self._watch.worked()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the state dir's lock file: one reconcile pass at a time across processes (tray, ``run
        --headless``, CLI ``apply``), so two of them never both send the same change."""
        with locked(self.path.parent / LOCK_NAME):
            yield

    # -- accounts ----------------------------------------------------------------------------------------
    def account(self, account_id: str) -> tuple[Applied, RetryState]:
        with self._lock:
            entry = self._load()["accounts"].get(account_id, {})
        return _decode(Applied, entry.get("applied")), _decode(RetryState, entry.get("retry"))

    def limits(self, account_id: str) -> KnownLimits:
        """What an earlier sync found this account cannot do (nothing known: no limits)."""
        with self._lock:
            entry = self._load()["accounts"].get(account_id, {})
        return _decode(KnownLimits, entry.get("limits"))

    def save_account(
        self, account_id: str, applied: Applied, retry: RetryState, limits: KnownLimits | None = None
    ) -> None:
        """``limits`` None: keep what was known."""
        with self._lock:
            data = self._load()
            entry: dict[str, Any] = {"applied": _encode(applied), "retry": _encode(retry)}
            if limits is None:
                limits = _decode(KnownLimits, data["accounts"].get(account_id, {}).get("limits"))
            if limits.any:
                entry["limits"] = _encode(limits)
            data["accounts"][account_id] = entry
            self._save(data)

    def accounts(self) -> list[str]:
        with self._lock:
            return sorted(self._load()["accounts"])

    def forget_account(self, account_id: str) -> None:
        with self._lock:
            data = self._load()
            if data["accounts"].pop(account_id, None) is not None:
                self._save(data)

    def clear_retry(self) -> None:
        """Forget every wait (the user asked to try now, or logged in again)."""
        with self._lock:
            data = self._load()
            for entry in data["accounts"].values():
                entry["retry"] = _encode(RetryState())
            self._save(data)
        self._changed("retries")

    # -- overrides ---------------------------------------------------------------------------------------
    def add_override(self, override: Override) -> None:
        """Add a manual override; one that overlaps an existing override of the same kind replaces it."""
        with self._lock:
            data = self._load()
            existing = [o for o in map(_decode_override, data["overrides"]) if o is not None]
            kept = [_encode(o) for o in existing if not (o.paused == override.paused and _overlaps(o, override))]
            kept.append(_encode(override))
            data["overrides"] = kept
            self._save(data)
        self._changed("overrides")

    def remove_override(self, override: Override) -> None:
        with self._lock:
            data = self._load()
            data["overrides"] = [o for o in data["overrides"] if _decode_override(o) != override]
            self._save(data)
        self._changed("overrides")

    def overrides(self, now: datetime) -> list[Override]:
        """The overrides not yet over at ``now`` (ended ones are dropped from the file)."""
        with self._lock:
            data = self._load()
            items = [_decode_override(o) for o in data["overrides"]]
            live = [o for o in items if o is not None and o.end > now]
            if len(live) != len(items):
                data["overrides"] = [_encode(o) for o in live]
                self._save(data)
            return live

    def clear_overrides(self) -> None:
        with self._lock:
            data = self._load()
            if data["overrides"]:
                data["overrides"] = []
                self._save(data)
                self._changed("overrides")


def _overlaps(a: Override, b: Override) -> bool:
    return a.start < b.end and b.start < a.end
