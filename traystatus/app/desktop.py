"""The running tray app on the GUI thread: connects menu intents to the worker and worker results to the
tray (through the bridge), opens the other windows, and quits cleanly.

Work (calendars, reconcile, notifications over D-Bus) runs on one APScheduler ``BackgroundScheduler``
worker (FIELD_NOTES: not ``QtScheduler``); results come back as Qt signals, so the GUI never waits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtGui import QCursor, QDesktopServices

from traystatus.core.errors import TrayStatusError
from traystatus.core.model import Availability, Override
from traystatus.core.overrides import Choice
from traystatus.core.tray_view import TrayView
from traystatus.qt.bridge import Bridge
from traystatus.qt.tray import Tray

if TYPE_CHECKING:  # the pass is built on the worker: importing it here would put it on the start-up path
    from traystatus.app.tray_pass import PassResult, TrayPass
    from traystatus.qt.fallback_window import FallbackWindow  # only where there is no tray

log = logging.getLogger(__name__)

#: a wall-clock jump (suspend/resume, clock change) larger than this triggers a fresh pass
JUMP_TOLERANCE_S = 90.0
#: how often to compare the wall clock with the monotonic one; a resume is announced by logind (which runs a pass
#: at once) and usually brings the network back, so this only bounds the lateness after a manual clock change or
#: a resume on a system without logind.
#: Every wake-up of an idle process costs CPU (≈ 10 ms on small VMs): not every minute.
JUMP_CHECK_S = 300


class Worker:
    """One background worker thread (APScheduler 3 ``BackgroundScheduler``) with coalescing jobs."""

    def __init__(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            # One thread already serialises the jobs; max_instances=1 would silently drop a job submitted while
            # one with the same id runs (a reload or a refresh during a pass), so let it queue instead.
            job_defaults={"coalesce": True, "max_instances": 8, "misfire_grace_time": None},
            timezone=UTC,
        )

    def start(self) -> None:
        self._scheduler.start()

    def submit(self, fn: Callable[[], None], job_id: str | None = None) -> None:
        """Run ``fn`` as soon as the worker is free (a job with the same id is replaced)."""
        self._scheduler.add_job(fn, "date", run_date=datetime.now(UTC), id=job_id, replace_existing=bool(job_id))

    def at(self, when: datetime, fn: Callable[[], None], job_id: str) -> None:
        self._scheduler.add_job(fn, "date", run_date=when, id=job_id, replace_existing=True)

    def every(self, seconds: int, fn: Callable[[], None], job_id: str) -> None:
        self._scheduler.add_job(fn, "interval", seconds=seconds, id=job_id, replace_existing=True)

    def shutdown(self, wait: bool = True) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=wait)


class NotReady(Exception):
    """A window opener whose feature is not built yet (the first pass is still running)."""


class Desktop(QObject):
    """Glue between the tray (or the fallback window), the bridge, the worker and the pass."""

    def __init__(
        self,
        *,
        surface: Tray | FallbackWindow,
        bridge: Bridge,
        tray_pass_factory: Callable[[], TrayPass],
        notify: Callable[[str, str], bool],
        log_file: Path,
        windows: dict[str, Callable[[], Any]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.surface = surface
        self.bridge = bridge
        self._factory = tray_pass_factory
        self._pass: TrayPass | None = None
        self._notify = notify
        self._log_file = log_file
        self._windows = windows or {}
        self._worker: Worker | None = None
        self._wall_minus_mono = time.time() - time.monotonic()
        self._quitting = False
        self._online = True
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
    def start(self) -> None:
        """Start the worker and the first pass (called once the icon is visible)."""
        self._worker = Worker()
        self._worker.start()
        # On the GUI thread, coarse (Qt may align it with its own wake-ups): the worker only wakes for a jump.
        from PySide6.QtCore import Qt  # not at import: building the Qt namespace costs ~20 ms before the icon

        self._jump_timer = QTimer(self)
        self._jump_timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self._jump_timer.timeout.connect(self._check_clock_jump)
        self._jump_timer.start(JUMP_CHECK_S * 1000)
        self._worker.submit(self._first_pass, "pass")
        self._watch_network()
        self._watch_sleep()

    def _watch_network(self) -> None:
        """The network coming back (Wi-Fi, VPN, resume) triggers a pass at once, not at the next retry."""
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend() or QNetworkInformation.instance() is None:
            log.info("no network status backend: a lost network is noticed by the retries only")
            return
        info = QNetworkInformation.instance()
        self._online = info.reachability() == QNetworkInformation.Reachability.Online
        info.reachabilityChanged.connect(lambda r: self.network_changed(r == QNetworkInformation.Reachability.Online))

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
        self._wall_minus_mono = time.time() - time.monotonic()  # the jump is handled: no second pass for it
        self.refresh()

    def network_changed(self, online: bool) -> None:
        was, self._online = self._online, online
        if online and not was:
            log.info("the network is back: reconciling now")
            self.refresh()

    def shutdown(self) -> None:
        """Stop the worker; with ``general.clear_on_quit`` (as last loaded: a settings change counts) clear the
        statuses traystatus set."""
        if self._worker is None:
            return
        worker, self._worker = self._worker, None
        worker.shutdown(wait=True)
        if self._pass is not None and self._pass.settings.general.clear_on_quit:
            try:
                self._pass.clear_owned()
            except Exception:
                log.exception("clearing the statuses on quit failed")
        if self._pass is not None:
            self._pass.close()

    # -- intents (GUI thread) -------------------------------------------------------------------------
    def choose(self, choice: Choice) -> None:
        if self._worker is not None:
            self._worker.submit(lambda: self._guarded(lambda p: p.choose(choice)), f"choice-{choice.value}")

    def reload(self) -> None:
        """The configuration changed (the settings window saved): rebuild the pass from it and run, no restart."""
        if self._worker is not None:
            self._worker.submit(self._rebuild, "pass")

    def apply_override(self, override: Override) -> None:
        """Any thread (the handoff's sign-off): stored and applied by the next pass on the worker."""
        if self._worker is None or self._pass is None:
            raise TrayStatusError("Sign off", "the status sync has not started yet; try again in a moment.")
        self._worker.submit(
            lambda: self._guarded(lambda p: p.apply_override(override)), f"override-{override.start.isoformat()}"
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

    def timeline(self, _now: datetime) -> tuple[Availability, ...]:
        """The last pass's timeline (any thread)."""
        current = self._pass
        return current.intervals() if current is not None else ()

    def refresh(self) -> None:
        if self._worker is not None:
            self._worker.submit(lambda: self._guarded(lambda p: p.run(refresh=True)), "pass")

    def open_entry(self, key: str) -> None:
        if key == "log":
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            self._log_file.touch(exist_ok=True)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._log_file)))
            return
        opener = self._windows.get("settings" if key.startswith("fix:") else key)
        if opener is None:
            log.warning("no window for %r", key)
            return
        try:
            opener()
        except NotReady:
            self.surface.show_message("traystatus is starting", "Reading your calendars; try again in a moment.")
        except Exception as e:
            log.exception("could not open %s", key)
            self.surface.show_message("Could not open the window", f"{key}: {type(e).__name__}; see the log.")

    def handle_instance_message(self, message: str) -> None:
        """A second launch forwarded a request: show ourselves or the window it asked for."""
        if message in self._windows or message.startswith("fix:"):
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
        self.surface.render(view)

    # -- worker side ----------------------------------------------------------------------------------
    def _first_pass(self) -> None:
        self._build_pass("traystatus could not start syncing")

    def _rebuild(self) -> None:
        # a broken edit is told; the last good configuration keeps syncing
        self._build_pass("The new settings could not be used")

    def _build_pass(self, failure_title: str) -> None:
        """(Re)build the pass from the configuration, tell the features, run it; on failure say why."""
        try:
            fresh = self._factory()
        except Exception as e:
            log.exception("building the sync pass failed")
            self.bridge.publish_failure(
                str(getattr(e, "title", failure_title)), str(getattr(e, "message", f"{type(e).__name__}; see the log."))
            )
            return
        old, self._pass = self._pass, fresh
        if old is not None:
            old.close()  # its presence loops: the fresh pass starts its own
        self.bridge.publish_ready(fresh)
        self._guarded(lambda p: p.run(refresh=True))

    def _guarded(self, step: Callable[[TrayPass], PassResult]) -> None:
        if self._pass is None:
            return
        try:
            result = step(self._pass)
        except Exception as e:
            log.exception("sync pass failed")
            self.bridge.publish_failure(
                str(getattr(e, "title", "Sync failed")), str(getattr(e, "message", f"{type(e).__name__}; see the log."))
            )
            self._schedule(datetime.now(UTC) + timedelta(minutes=1))
            return
        self.bridge.publish_view(result.view)
        for title, message in result.notifications:
            self._tell(title, message)
        self._schedule(result.wake_at)

    def _schedule(self, when: datetime) -> None:
        if self._worker is not None:
            self._worker.at(when, lambda: self._guarded(lambda p: p.run()), "pass")

    def _check_clock_jump(self) -> None:
        offset = time.time() - time.monotonic()
        jumped = abs(offset - self._wall_minus_mono) > JUMP_TOLERANCE_S
        self._wall_minus_mono = offset
        if jumped:
            log.info("wall clock jumped (suspend/resume or a clock change): reconciling now")
            self.refresh()
