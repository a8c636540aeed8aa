"""The running tray app on the GUI thread: connects menu intents to the worker and worker results to the
tray (through the bridge), opens the other windows, and quits cleanly.

Work (calendars, the shared sync pipeline ``core.status_sync``, the background duties, notifications over
D-Bus) runs on the runtimes' one scheduler (``core.duties.RuntimeScheduler``, built by the composition root:
one APScheduler worker); results come back as Qt signals through the bridge, so the GUI never waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QCursor, QDesktopServices

from traystatus.core.errors import TrayStatusError
from traystatus.core.live_presence import close_all
from traystatus.core.model import Availability, Override
from traystatus.core.overrides import Choice
from traystatus.core.tray_view import TrayView
from traystatus.qt.bridge import Bridge
from traystatus.qt.tray import Tray

if TYPE_CHECKING:  # the pipeline's modules load on the worker, after the icon is shown
    from traystatus.core.duties import BackgroundDuty, RuntimeScheduler, SchedulerFactory
    from traystatus.core.status_sync import StatusSync, SyncReport
    from traystatus.core.sync_view import ChangeNotices, SyncSetup
    from traystatus.qt.fallback_window import FallbackWindow  # only where there is no tray

log = logging.getLogger(__name__)


class NotReady(Exception):
    """A window opener whose feature is not built yet (the first pass is still running)."""


class Desktop(QObject):
    """Glue between the tray (or the fallback window), the bridge, the worker and the pass."""

    def __init__(
        self,
        *,
        surface: Tray | FallbackWindow,
        bridge: Bridge,
        sync_factory: Callable[[], SyncSetup],
        scheduler_factory: SchedulerFactory,
        notify: Callable[[str, str], bool],
        log_file: Path,
        windows: dict[str, Callable[..., Any]] | None = None,  # "fix": takes the health line's name
        duties: Sequence[BackgroundDuty] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.surface = surface
        self.bridge = bridge
        self._factory = sync_factory
        self._scheduler_factory = scheduler_factory
        self._setup: SyncSetup | None = None
        self._notices: ChangeNotices | None = None  # built with the pipeline (core code stays off start-up)
        self._notify = notify
        self._log_file = log_file
        self._windows = windows or {}
        self._duties = list(duties)
        self._worker: RuntimeScheduler | None = None
        self._quitting = False
        menu = surface.menu
        menu.choice_selected.connect(self.choose)
        menu.entry_selected.connect(self.open_entry)
        bridge.view_changed.connect(self._render)
        bridge.notify.connect(surface.show_message)
        bridge.failed.connect(surface.show_message)
        bridge.instance_message.connect(self.handle_instance_message)
        if isinstance(surface, Tray):
            surface.activated.connect(self._activated)

    @property
    def view(self) -> TrayView | None:
        return self.surface.menu.view

    # -- start and stop -------------------------------------------------------------------------------
    @property
    def sync(self) -> StatusSync | None:
        return self._setup.sync if self._setup is not None else None

    @property
    def scheduler(self) -> RuntimeScheduler | None:
        return self._worker

    def start(self) -> None:
        """Start the scheduler, its duties and the first pass (called once the icon is visible)."""
        self._worker = self._scheduler_factory(self._scheduled_pass, self._duties)
        self._worker.start()  # the "start" pass builds the pipeline from the configuration
        self._watch_sleep()  # the network coming back is a background duty (adapters.network_watch)

    def _watch_sleep(self) -> None:
        """A resume from suspend (logind's announcement on the system bus) runs a pass at once; the clock-jump
        check is the fallback where there is no logind."""
        try:
            from traystatus.qt.sleep_watch import SleepWatch

            self._sleep_watch = SleepWatch(parent=self)
            self._sleep_watch.resumed.connect(self.resumed)
            self._sleep_watch.start()
        except Exception:  # an optional signal (a build without Qt D-Bus, a broken bus): the clock check remains
            log.exception("cannot watch for resume from suspend; the clock-jump check remains")

    def resumed(self) -> None:
        log.info("resumed from suspend: reconciling now")
        self.refresh("resumed")

    def shutdown(self) -> None:
        """Stop the worker; with ``general.clear_on_quit`` (as last loaded: a settings change counts) clear the
        statuses traystatus set."""
        if self._worker is None:
            return
        worker, self._worker = self._worker, None
        worker.shutdown(wait=True)
        sync = self.sync
        if sync is not None and sync.settings.general.clear_on_quit:
            try:
                sync.clear_owned()
            except Exception:
                log.exception("clearing the statuses on quit failed")

    # -- intents (GUI thread) -------------------------------------------------------------------------
    def choose(self, choice: Choice) -> None:
        if self._worker is not None:
            self._worker.run_step(
                lambda: self._guarded(lambda s: s.choose(choice), user_caused=True),
                f"menu: {choice.value}",
                f"choice-{choice.value}",
            )

    def reload(self) -> None:
        """The configuration changed (the settings window saved): rebuild the pass from it and run, no restart."""
        if self._worker is not None:
            self._worker.run_step(self._rebuild, "settings saved", "rebuild")

    def apply_override(self, override: Override) -> None:
        """Any thread (the handoff's sign-off): stored and applied by the next pass on the worker."""
        if self._worker is None or self._setup is None:
            raise TrayStatusError("Sign off", "the status sync has not started yet; try again in a moment.")
        self._worker.run_step(
            lambda: self._guarded(lambda s: s.apply_override(override), user_caused=True),
            "sign-off",
            f"override-{override.start.isoformat()}",
        )

    def tell(self, title: str, message: str) -> None:
        """A desktop notification from the GUI thread: sent on the worker (D-Bus may be slow), the tray's own
        message when there is no notification daemon."""
        if self._worker is not None:
            self._worker.submit(lambda: self._tell(title, message))

    def _tell(self, title: str, message: str) -> None:
        log.info("telling the user: %s: %s", title, message)
        if not self._notify(title, message):
            self.bridge.publish_notification(title, message)

    def timeline(self, now: datetime) -> tuple[Availability, ...]:
        """The working day as the last pass saw it, for the handoff prompt (any thread): its overrides but
        Do not disturb, which never moves the day's end (``StatusSync.working_day_timeline``)."""
        sync = self.sync
        last = sync.last if sync is not None else None
        if sync is None or last is None:
            return ()
        return tuple(sync.working_day_timeline(now, last.overrides).intervals)

    def refresh(self, reason: str = "refresh") -> None:
        """Read the calendars again and reconcile now; every duty looks too (the outbox after a resume)."""
        if self._worker is not None:
            self._worker.trigger(reason)

    def open_entry(self, key: str) -> None:
        if key == "log":
            try:
                self._log_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._log_file.touch(mode=0o600, exist_ok=True)  # private like every file the app writes
            except OSError as e:  # a read-only or full log dir: the log went to stderr (said at start)
                self.surface.show_message("No log file", f"{self._log_file} cannot be made: {e.strerror}.")
                return
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_file)))
            return
        fix = key.startswith("fix:")
        opener = self._windows.get("fix" if fix else key)
        if opener is None:
            log.warning("no window for %r", key)
            return
        try:
            if fix:  # the settings window on that account ("fix:Slack"), listed as the last sync found it
                opener(key.removeprefix("fix:"))
            else:
                opener()
        except NotReady:
            self.surface.show_message("traystatus is starting", "Reading your calendars; try again in a moment.")
        except Exception as e:
            log.exception("could not open %s", key)
            self.surface.show_message("Could not open the window", f"{key}: {type(e).__name__}; see the log.")

    def handle_instance_message(self, message: str) -> None:
        """A second launch forwarded a request: show ourselves or the window it asked for."""
        if (message in self._windows and message != "fix") or message.startswith("fix:"):
            self.open_entry(message)
        elif message == "setup" and "settings" in self._windows:
            self.open_entry("settings")
        elif not isinstance(self.surface, Tray):  # the fallback window
            self.surface.show()
            self.surface.raise_()
            self.surface.activateWindow()
        else:
            self._show_menu()

    def _activated(self) -> None:
        """A left click on the icon: the team clock when there is one (and it is ready), else the menu."""
        opener = self._windows.get("team")
        if opener is not None:
            try:
                opener()
                return
            except NotReady:
                pass
            except Exception:
                log.exception("could not open the team clock")
        self._show_menu()

    def _show_menu(self) -> None:
        self.surface.menu.popup(QCursor.pos())

    def _render(self, view: TrayView) -> None:
        self.surface.show_view(view)

    # -- worker side ----------------------------------------------------------------------------------
    def _scheduled_pass(self, reason: str) -> datetime | None:
        """The scheduler's pass: the first one builds the pipeline from the configuration (a configuration that
        cannot be used is told once; the next try is the user's reload)."""
        from traystatus.core.status_sync import REFRESH_REASONS

        if self._setup is None:
            return self._build("traystatus could not start syncing") if reason == "start" else None
        return self._guarded(lambda s: s.run(refresh=reason in REFRESH_REASONS))

    def _rebuild(self) -> datetime | None:
        # a broken edit is told; the last good configuration keeps syncing
        return self._build("The new settings could not be used")

    def _build(self, failure_title: str) -> datetime | None:
        """(Re)build the pipeline from the configuration, tell the features, run it; on failure say why."""
        try:
            fresh = self._factory()
        except Exception as e:
            log.exception("building the sync pipeline failed")
            self.bridge.publish_failure(
                str(getattr(e, "title", failure_title)), str(getattr(e, "message", f"{type(e).__name__}; see the log."))
            )
            return None
        from traystatus.core.sync_view import ChangeNotices

        old, self._setup = self._setup, fresh
        if old is not None:
            close_all(old.sync.publishers)  # its Matrix presence loops: the fresh pipeline starts its own
        self._notices = ChangeNotices(notify_on_change=fresh.sync.settings.general.notify_on_change)
        if self._worker is not None:
            minutes = min((c.refresh_minutes for c in fresh.sync.settings.calendars), default=15)
            self._worker.set_refresh_every(timedelta(minutes=minutes))
        self.bridge.publish_ready(fresh.sync)
        return self._guarded(lambda s: s.run(refresh=True))

    def _guarded(self, step: Callable[[StatusSync], SyncReport], *, user_caused: bool = False) -> datetime | None:
        """Run one step of the pipeline; publish its view and notices; return when to run again."""
        setup = self._setup
        if setup is None:
            return None
        try:
            report = step(setup.sync)
        except Exception as e:
            log.exception("sync pass failed")
            self.bridge.publish_failure(
                str(getattr(e, "title", "Sync failed")), str(getattr(e, "message", f"{type(e).__name__}; see the log."))
            )
            return setup.sync.clock() + timedelta(minutes=1)
        from traystatus.core.sync_view import tray_view_for

        view = tray_view_for(report, setup.sync.settings.timezone, setup.notice)
        self.bridge.publish_view(view)
        if self._notices is not None:
            for title, message in self._notices.after(view, report.interval.state, user_caused=user_caused):
                self._tell(title, message)
        return report.wake_at
