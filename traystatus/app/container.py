"""The composition root: every adapter the runtimes need (real or demo), built on first use.

One place decides what a runtime is made of: the sync pipeline (``core.status_sync.StatusSync`` over the
state store, the calendar reader and the publishers), the handoff service and the background duties that
every runtime runs (``core.duties``). Imports stay inside the factories: the tray imports this module
before its icon is shown, the heavy libraries load on the worker afterwards.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from traystatus.app.paths import AppPaths

if TYPE_CHECKING:
    from traystatus.adapters.handoff_delivery import Sender
    from traystatus.adapters.scheduler import SyncScheduler
    from traystatus.app.handoff_service import HandoffService
    from traystatus.core.duties import BackgroundDuty
    from traystatus.core.ports import CalendarResult, CalendarSource
    from traystatus.core.publishing import StatusPublisher
    from traystatus.core.settings import Settings
    from traystatus.core.status_sync import StatusSync
    from traystatus.core.sync_view import SyncSetup

#: a wall-clock jump (suspend/resume, clock change) larger than this triggers a fresh pass
TRAY_JUMP_TOLERANCE_S = 90.0
#: how often to compare the wall clock with the monotonic one; a resume is announced by logind (which runs a pass
#: at once) and usually brings the network back, so this only bounds the lateness after a manual clock change or
#: a resume on a system without logind.
#: Every wake-up of an idle process costs CPU (≈ 10 ms on small VMs): not every minute.
TRAY_JUMP_CHECK_S = 300
DEMO_NOTICE = "Demo mode: simulated services, nothing is sent"
NO_CONFIG_NOTICE = "No configuration yet — choose Settings… to set up"


class SourcesReader:
    """``core.status_sync.CalendarReader`` over the configured sources (fetched in parallel, cached)."""

    def __init__(self, sources: Sequence[CalendarSource]) -> None:
        self.sources = list(sources)

    def __call__(self, start: datetime, end: datetime) -> Sequence[CalendarResult]:
        from traystatus.adapters.calendar_sources import load_all  # icalendar & co: only when reading

        return load_all(self.sources, start, end)


def _reader(settings: Settings, paths: AppPaths, *, own_emails: bool = True) -> SourcesReader:
    from traystatus.adapters.calendar_sources import build_sources

    if own_emails:
        return SourcesReader(build_sources(settings, cache_dir=paths.cache_dir, user_emails=settings.rules.user_emails))
    return SourcesReader(build_sources(settings, cache_dir=paths.cache_dir))


def cli_sync(args: argparse.Namespace, settings: Settings, *, keep_presence: bool = False) -> StatusSync:
    """The pipeline of ``apply``/``status``/``run --headless``: real accounts, or recording ones with --demo.
    ``keep_presence``: a long-running face (`run --headless`) holds Matrix presence between passes."""
    from traystatus.adapters.clock import SystemClock
    from traystatus.adapters.state_store import StateStore
    from traystatus.core.status_sync import StatusSync

    paths = AppPaths.resolve(getattr(args, "config", None))
    if getattr(args, "demo", False):  # cli.run's demo session: ``paths`` are the demo's own (app.demo_mode)
        from traystatus.adapters.demo import demo_publishers

        publishers: list[StatusPublisher] = list(demo_publishers())
        problems: list[str] = []
    else:
        from traystatus.app.sync_service import build_publishers

        publishers, problems = build_publishers(settings, keep_presence=keep_presence, state_dir=paths.state_dir)
    return StatusSync(
        settings=settings,
        calendars=_reader(settings, paths),
        publishers=publishers,
        store=StateStore(paths.state_dir),
        clock=SystemClock().now,
        account_problems=problems,
    )


def tray_sync(args: argparse.Namespace, paths: AppPaths) -> SyncSetup:
    """The tray's pipeline, built on the worker thread (this is where the heavy imports happen)."""
    from traystatus.adapters.clock import SystemClock
    from traystatus.adapters.state_store import StateStore
    from traystatus.adapters.system_zone import system_zone
    from traystatus.core.status_sync import StatusSync
    from traystatus.core.sync_view import SyncSetup

    clock = SystemClock()
    store = StateStore(paths.state_dir)
    if args.demo:
        from traystatus.adapters.config_toml import load_config_file
        from traystatus.adapters.demo import demo_publishers, prepare_demo, write_calls
        from traystatus.app.resources import demo_dir

        zone = system_zone()
        # the demo root holds its config, calendar and calls.json (as for every --demo command: app.demo_mode)
        files = prepare_demo(demo_dir(), paths.config_file.parent, clock.now(), zone)
        settings = load_config_file(files.config_file, default_tz=zone)
        demo = demo_publishers()
        sync = StatusSync(
            settings=settings,
            calendars=_reader(settings, paths, own_emails=False),
            publishers=demo,
            store=store,
            clock=clock.now,
            on_published=lambda: write_calls(demo, files.calls_file),
        )
        return SyncSetup(sync, DEMO_NOTICE)
    from traystatus.app.options import load_settings
    from traystatus.app.sync_service import build_publishers

    settings = load_settings(args)
    publishers, problems = build_publishers(settings, keep_presence=True, state_dir=paths.state_dir)
    sync = StatusSync(
        settings=settings,
        calendars=_reader(settings, paths),
        publishers=publishers,
        store=store,
        clock=clock.now,
        account_problems=problems,
    )
    return SyncSetup(sync, "" if paths.config_file.exists() else NO_CONFIG_NOTICE)


def demo_senders(args: argparse.Namespace, paths: AppPaths) -> dict[str, Sender] | None:
    """With --demo the simulated channel and room (``handoffs.json`` in the demo's state); else None: the
    accounts' own senders. Every face that delivers handoff notes asks here."""
    if not getattr(args, "demo", False):
        return None
    from traystatus.adapters.demo import demo_handoff_senders

    return dict(demo_handoff_senders(paths.state_dir))


def headless_handoff(args: argparse.Namespace, paths: AppPaths, settings: Settings) -> HandoffService:
    """The handoff service of ``run --headless``: its outbox worker delivers notes stored by the CLI."""
    from traystatus.app.handoff_service import HandoffService

    return HandoffService(paths, settings, senders=demo_senders(args, paths))


def wake_duty(paths: AppPaths) -> BackgroundDuty:
    """Wake-ups from other traystatus processes on this state dir (a note stored, an override set)."""
    from traystatus.adapters.wake_socket import WakeDuty

    return WakeDuty(paths.state_dir)


def network_duty() -> BackgroundDuty:
    """The network coming back runs a pass at once (and wakes the outbox), in every runtime."""
    from traystatus.adapters.network_watch import NetworkDuty

    return NetworkDuty()


def runtime_duties(paths: AppPaths, outbox: BackgroundDuty) -> list[BackgroundDuty]:
    """The background duties every runtime runs besides the sync pipeline (the scheduler's own job): the
    handoff outbox, wake-ups from other traystatus processes, the network watch. Register a new one here."""
    return [outbox, wake_duty(paths), network_duty()]


def tray_scheduler(run_pass: Callable[[str], datetime | None], duties: Sequence[BackgroundDuty]) -> SyncScheduler:
    """The tray's scheduler (``core.duties.SchedulerFactory``): the same as headless, with a coarser clock check
    (logind announces resumes there)."""
    from traystatus.adapters.scheduler import SyncScheduler  # APScheduler: after the icon is shown

    return SyncScheduler(
        run_pass,
        watch_every=timedelta(seconds=TRAY_JUMP_CHECK_S),
        jump_tolerance=timedelta(seconds=TRAY_JUMP_TOLERANCE_S),
        duties=duties,
    )
