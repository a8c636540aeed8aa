"""The team clock and the handoff feature plugged into the running tray app: the windows the menu opens
("team", "handoff", "notes"), the left click on the icon, the end-of-day prompt re-armed after every pass,
and the daily roster refresh on a thread of its own. Built by the composition root (``app/gui.py``)::

    features = TrayFeatures(settings, paths, parent=app)
    windows.update(features.windows())                  # before the menu is built
    features.attach(surface, bridge.view_changed, timeline=desktop.timeline, apply_override=desktop.apply_override)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRect, QTimer

from traystatus.adapters.clock import utc_now
from traystatus.app.paths import AppPaths
from traystatus.app.team_gui import TeamClock, refresh_imports
from traystatus.core.errors import TrayStatusError
from traystatus.core.model import Availability, Override
from traystatus.core.settings import Settings

if TYPE_CHECKING:
    from traystatus.app.handoff_tray import HandoffWindows

log = logging.getLogger(__name__)

ROSTER_CHECK = timedelta(hours=1)  # how often to look whether the imported roster is a day old


class TrayFeatures(QObject):
    """Owns the team clock and the handoff windows; everything here runs on the GUI thread except the roster
    refresh (a daemon thread: network) and the handoff delivery (the service's worker)."""

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        *,
        timeline: Callable[[datetime], Sequence[Availability]] | None = None,
        apply_override: Callable[[Override], None] | None = None,
        now: Callable[[], datetime] = utc_now,
        senders: dict[str, Any] | None = None,
        announce: Callable[[str, str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self._announce = announce
        self._senders = senders  # None: the configured accounts (the demo passes its simulated ones)
        self._view_changed: Any = None
        self.paths = paths
        self._now = now
        self._timeline = timeline
        self._apply_override = apply_override
        self.team = TeamClock(settings, paths, now=now)
        self._handoff: HandoffWindows | None = None  # built after the icon is up: the archive, keyring, requests
        self._anchor: Callable[[], QRect | None] = lambda: None
        self._refreshing = threading.Lock()
        self.roster_timer = QTimer(self)
        self.roster_timer.setInterval(int(ROSTER_CHECK.total_seconds() * 1000))
        self.roster_timer.timeout.connect(self.refresh_roster)

    @property
    def handoff(self) -> HandoffWindows:
        """The handoff windows and outbox worker (created on first use; pending deliveries resume then)."""
        if self._handoff is None:
            from traystatus.app.handoff_service import HandoffService
            from traystatus.app.handoff_tray import HandoffWindows

            service = HandoffService(
                self.paths, self.settings, senders=self._senders, sign_off=self._sign_off, now=self._now
            )
            self._handoff = HandoffWindows(
                self.paths,
                self.settings,
                sign_off=self._sign_off,
                timeline=self._current_timeline,
                now=self._now,
                service=service,
                announce=self._announce,
                parent=self,
            )
        return self._handoff

    def windows(self) -> dict[str, Callable[[], Any]]:
        return {
            "team": self.open_team,
            "handoff": lambda: self.handoff.open_note(),
            "notes": lambda: self.handoff.open_history(),
        }

    def attach(
        self,
        surface: Any,
        view_changed: Any,
        *,
        timeline: Callable[[datetime], Sequence[Availability]] | None = None,
        apply_override: Callable[[Override], None] | None = None,
    ) -> None:
        """``surface``: the Tray (its icon anchors the popup) or the fallback window; ``view_changed``: the
        bridge's signal, emitted after every pass (the prompt follows the new timeline); ``timeline`` and
        ``apply_override`` come from the running app once it exists (the sync pass)."""
        self._timeline = timeline or self._timeline
        self._apply_override = apply_override or self._apply_override
        icon = getattr(surface, "icon", None)
        if icon is not None:
            self._anchor = icon.geometry
        view_changed.connect(self._view_was_changed)
        self._view_changed = view_changed
        self.roster_timer.start()
        QTimer.singleShot(0, self, self._started)

    def _view_was_changed(self, *_: object) -> None:
        self.handoff.schedule()

    def _started(self) -> None:
        """Just after the icon is on screen: resume the outbox, arm the prompt, look at the roster."""
        self.handoff.schedule()
        self.refresh_roster()

    def _current_timeline(self, now: datetime) -> Sequence[Availability]:
        return self._timeline(now) if self._timeline is not None else ()

    def _sign_off(self, override: Override) -> None:
        if self._apply_override is None:
            raise TrayStatusError("Sign off", "the status sync is not running; the note was stored and posted.")
        self._apply_override(override)

    def open_team(self) -> None:
        """The left click on the icon, or the menu's "Team clock…": toggles the popup next to the icon."""
        anchor = self._anchor()
        self.team.toggle(anchor if anchor is not None and anchor.isValid() else None)

    def refresh_roster(self) -> None:
        """Refresh stale imports in the background (at most one refresh at a time)."""
        if not (self.settings.team.import_slack or self.settings.team.matrix_room):
            return
        if not self._refreshing.acquire(blocking=False):
            return

        def run() -> None:
            try:
                refresh_imports(self.settings, self.paths, self._now())
            except Exception:
                log.exception("roster refresh failed")
            finally:
                self._refreshing.release()

        threading.Thread(target=run, name="roster-refresh", daemon=True).start()

    def close(self) -> None:
        if self._view_changed is not None:
            self._view_changed.disconnect(self._view_was_changed)
            self._view_changed = None
        self.roster_timer.stop()
        self.team.close()
        if self._handoff is not None:
            self._handoff.close()


class LateFeatures(QObject):
    """The features as the tray app holds them: the menu's openers exist from the start, the features are
    built when the sync pass is (its settings; ``ready`` on the bridge) and rebuilt when it is rebuilt after
    a settings change. Before that an opener raises ``NotReady`` (the tray says it is starting)."""

    def __init__(
        self,
        paths: AppPaths,
        *,
        surface: Any,
        bridge: Any,
        timeline: Callable[[datetime], Sequence[Availability]],
        apply_override: Callable[[Override], None],
        senders: dict[str, Any] | None = None,
        announce: Callable[[str, str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._paths = paths
        self._announce = announce
        self._surface = surface
        self._bridge = bridge
        self._timeline = timeline
        self._apply_override = apply_override
        self._senders = senders
        self.features: TrayFeatures | None = None
        bridge.ready.connect(self.build)

    def open(self, key: str) -> None:
        """Open the feature window ``key`` (one of ``qt.menu.FEATURE_WINDOWS``)."""
        from traystatus.app.desktop import NotReady

        if self.features is None:
            raise NotReady(key)
        self.features.windows()[key]()

    def build(self, tray_pass: Any) -> None:
        """On the GUI thread (a queued signal from the worker): features for this pass's settings."""
        old, self.features = self.features, None
        if old is not None:
            old.close()
            old.deleteLater()
        features = TrayFeatures(
            tray_pass.settings, self._paths, now=utc_now, senders=self._senders, announce=self._announce, parent=self
        )
        features.attach(
            self._surface, self._bridge.view_changed, timeline=self._timeline, apply_override=self._apply_override
        )
        self.features = features

    def close(self) -> None:
        if self.features is not None:
            self.features.close()
            self.features = None
