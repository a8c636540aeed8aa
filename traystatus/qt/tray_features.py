"""The team clock and the handoff feature plugged into the running tray app: the windows the menu opens
("team", "handoff", "notes"), the left click on the icon, the end-of-day prompt re-armed after every pass,
and the daily roster refresh on a thread of its own. Built by the composition root (``app/tray_wiring.py``,
which hands in the team clock, the handoff factory and the roster refresh as ports)::

    features = tray_wiring.tray_features(settings, paths, parent=app)
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

from traystatus.core.duties import OutboxWorker
from traystatus.core.errors import TrayStatusError
from traystatus.core.model import Availability, Override
from traystatus.core.settings import Settings

if TYPE_CHECKING:
    from traystatus.qt.handoff_windows import HandoffWindows
    from traystatus.qt.team_clock import TeamClock

log = logging.getLogger(__name__)

ROSTER_CHECK = timedelta(hours=1)  # how often to look whether the imported roster is a day old


#: the owner a feature's Qt objects are parented to (named here: the composition root does not import Qt)
QtParent = QObject

#: builds the handoff windows for (sign_off, timeline, parent) and starts its outbox worker; returns both
HandoffFactory = Callable[
    [Callable[[Override], None], Callable[[datetime], Sequence[Availability]], QObject],
    "tuple[HandoffWindows, OutboxWorker]",
]


class TrayFeatures(QObject):
    """Owns the team clock and the handoff windows; everything here runs on the GUI thread except the roster
    refresh (a daemon thread: network) and the handoff delivery (the service's worker)."""

    def __init__(
        self,
        settings: Settings,
        *,
        team: TeamClock,
        handoff: HandoffFactory,
        refresh_imports: Callable[[datetime], None],
        timeline: Callable[[datetime], Sequence[Availability]] | None = None,
        apply_override: Callable[[Override], None] | None = None,
        now: Callable[[], datetime],  # the one clock (adapters.clock.utc_now), given by the composition root
        parent: QObject | None = None,
    ) -> None:
        """``refresh_imports(now)``: refresh the stale roster imports (network; called on a thread)."""
        super().__init__(parent)
        self.settings = settings
        self._view_changed: Any = None
        self._now = now
        self._timeline = timeline
        self._apply_override = apply_override
        self.team = team
        self._make_handoff = handoff
        self._refresh_imports = refresh_imports
        self._handoff: HandoffWindows | None = None  # built after the icon is up: the archive, keyring, requests
        self.outbox: OutboxWorker | None = None
        self._anchor: Callable[[], QRect | None] = lambda: None
        self._refreshing = threading.Lock()
        self.roster_timer = QTimer(self)
        self.roster_timer.setInterval(int(ROSTER_CHECK.total_seconds() * 1000))
        self.roster_timer.timeout.connect(self.refresh_roster)

    @property
    def handoff(self) -> HandoffWindows:
        """The handoff windows and outbox worker (created on first use; pending deliveries resume then)."""
        if self._handoff is None:
            self._handoff, self.outbox = self._make_handoff(self._sign_off, self._current_timeline, self)
            log.info("handoff feature ready: its outbox worker runs")
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
                self._refresh_imports(self._now())
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
        build: Callable[[Settings, QObject], TrayFeatures],
        *,
        surface: Any,
        bridge: Any,
        timeline: Callable[[datetime], Sequence[Availability]],
        apply_override: Callable[[Override], None],
        parent: QObject | None = None,
    ) -> None:
        """``build(settings, parent)``: the features for these settings (the composition root wires them)."""
        super().__init__(parent)
        self._build = build
        self._surface = surface
        self._bridge = bridge
        self._timeline = timeline
        self._apply_override = apply_override
        self.features: TrayFeatures | None = None
        bridge.ready.connect(self.build)

    def open(self, key: str) -> None:
        """Open the feature window ``key`` (one of ``qt.menu.FEATURE_WINDOWS``)."""
        from traystatus.qt.desktop import NotReady

        if self.features is None:
            raise NotReady(key)
        self.features.windows()[key]()

    def build(self, sync: Any) -> None:
        """On the GUI thread (a queued signal from the worker): features for this pipeline's settings."""
        old, self.features = self.features, None
        if old is not None:
            old.close()
            old.deleteLater()
        features = self._build(sync.settings, self)
        features.attach(
            self._surface, self._bridge.view_changed, timeline=self._timeline, apply_override=self._apply_override
        )
        self.features = features

    def outbox(self) -> OutboxWorker | None:
        """The handoff outbox worker once the handoff feature runs (any thread), for the runtime's duty."""
        features = self.features
        return features.outbox if features is not None else None

    def close(self) -> None:
        if self.features is not None:
            self.features.close()
            self.features = None
