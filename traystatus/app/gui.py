"""``traystatus`` (the default command): the tray app, on the real configuration or ``--demo``.

Start-up stays light: the icon is shown first; calendars, chat clients and the scheduler are imported
and started on the worker afterwards.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from traystatus.app.logging_setup import setup_logging
from traystatus.app.paths import AppPaths
from traystatus.app.resources import demo_dir, icons_dir
from traystatus.app.tray_pass import TrayPass, initial_view, log_file

log = logging.getLogger(__name__)

DEMO_NOTICE = "Demo mode: simulated services, nothing is sent"
NO_CONFIG_NOTICE = "No configuration yet — choose Settings… to set up"


def instance_name(paths: AppPaths) -> str:
    """The single-instance socket name: one per user and state dir (so isolated test homes do not meet)."""
    digest = hashlib.sha256(str(paths.state_dir).encode()).hexdigest()[:12]
    return f"traystatus-{getpass.getuser()}-{digest}"


def demo_paths(paths: AppPaths) -> AppPaths:
    """The demo keeps its state apart from the real one."""
    return AppPaths(config_file=paths.config_file, state_dir=paths.state_dir / "demo",
                    data_dir=paths.data_dir / "demo", cache_dir=paths.cache_dir / "demo", log_dir=paths.log_dir)


def _pass_factory(args: argparse.Namespace, paths: AppPaths) -> Callable[[], TrayPass]:
    """Builds the pass on the worker thread: this is where the heavy imports happen."""

    def build() -> TrayPass:
        from traystatus.adapters.calendar_sources import build_sources
        from traystatus.adapters.clock import SystemClock
        from traystatus.adapters.state_store import StateStore
        from traystatus.adapters.system_zone import system_zone

        clock = SystemClock()
        store = StateStore(paths.state_dir)
        if args.demo:
            from traystatus.adapters.config_toml import load_config_file
            from traystatus.adapters.demo import demo_publishers, prepare_demo, write_calls

            zone = system_zone()
            files = prepare_demo(demo_dir(), paths.state_dir, clock.now(), zone)
            settings = load_config_file(files.config_file, default_tz=zone)
            publishers = demo_publishers()
            sources = build_sources(settings, cache_dir=paths.cache_dir)
            return TrayPass(settings=settings, sources=sources, publishers=publishers, store=store,
                            clock=clock.now, notice=DEMO_NOTICE,
                            on_published=lambda: write_calls(publishers, files.calls_file))
        from traystatus.app.options import load_settings

        settings = load_settings(args)
        publishers = _real_publishers(settings, paths)
        notice = "" if paths.config_file.exists() else NO_CONFIG_NOTICE
        sources = build_sources(settings, cache_dir=paths.cache_dir, user_emails=settings.rules.user_emails)
        return TrayPass(settings=settings, sources=sources, publishers=publishers, store=store,
                        clock=clock.now, notice=notice)

    return build


def _real_publishers(settings: Any, paths: AppPaths) -> list[Any]:
    """The configured Slack/Matrix accounts, from the sync feature's wiring when it is installed."""
    try:
        from traystatus.app import sync_service
    except ImportError:
        log.info("the sync service is not available: the tray shows the calendar only")
        return []
    build = getattr(sync_service, "build_publishers", None)
    return list(build(settings, paths)) if build is not None else []


def _windows(args: argparse.Namespace, paths: AppPaths, owner: Any) -> dict[str, Callable[[], Any]]:
    """The other windows the menu can open, each created on first use (imports stay lazy)."""
    opened: dict[str, Any] = {}

    def settings() -> None:
        from traystatus.adapters.system_zone import system_zone
        from traystatus.app.settings_app import (
            make_accounts_manager,
            make_calendar_tester,
            make_preview,
            open_document,
        )
        from traystatus.qt.runner import ThreadRunner
        from traystatus.qt.settings.window import SettingsWindow

        window = opened.get("settings")
        if window is None:
            zone = system_zone()
            doc = open_document(paths)
            window = SettingsWindow(doc, default_zone=str(doc.get("timezone", zone.key)), runner=ThreadRunner(owner),
                                    accounts=make_accounts_manager(paths),
                                    calendar_tester=make_calendar_tester(paths, zone), preview=make_preview(paths))
            opened["settings"] = window
        window.show()
        window.raise_()
        window.activateWindow()

    out: dict[str, Callable[[], Any]] = {}
    if not args.demo:
        out["settings"] = settings
    return out


def run_gui(args: argparse.Namespace) -> int:
    paths = AppPaths.resolve(getattr(args, "config", None))
    if getattr(args, "demo", False):
        paths = demo_paths(paths)
    paths.ensure()
    setup_logging(paths.log_dir, verbose=getattr(args, "verbose", False))

    from PySide6.QtWidgets import QSystemTrayIcon

    from traystatus.app.desktop import Desktop
    from traystatus.qt.application import SingleInstance, create_application, forward_to_running
    from traystatus.qt.bridge import Bridge
    from traystatus.qt.fallback_window import FallbackWindow
    from traystatus.qt.icons import IconSet
    from traystatus.qt.menu import TrayMenu
    from traystatus.qt.tray import Tray

    app = create_application(sys.argv[:1])
    name = instance_name(paths)
    if forward_to_running(name, "activate"):
        log.info("traystatus is already running: asked it to show itself")
        return 0
    instance = SingleInstance(name, app)
    instance.listen()

    icons = IconSet(icons_dir())
    windows = _windows(args, paths, app)
    menu = TrayMenu(windows=tuple(windows))
    surface: Tray | FallbackWindow
    if QSystemTrayIcon.isSystemTrayAvailable():
        surface = Tray(icons, menu, app)
    else:
        log.warning("no system tray on this desktop: showing the fallback window")
        surface = FallbackWindow(icons, menu)
        app.setQuitOnLastWindowClosed(True)  # the window is the whole app here: closing it quits
    notice = DEMO_NOTICE if args.demo else ""
    surface.render(initial_view(notice, datetime.now(UTC)))
    surface.show()

    from traystatus.adapters.notify import DesktopNotifier
    from traystatus.app.options import load_settings

    clear_on_quit = False
    if not args.demo:
        try:
            clear_on_quit = load_settings(args).general.clear_on_quit
        except Exception:  # the worker reports configuration errors properly
            clear_on_quit = False
    bridge = Bridge(app)
    desktop = Desktop(surface=surface, bridge=bridge, tray_pass_factory=_pass_factory(args, paths),
                      notify=DesktopNotifier().notify, log_file=log_file(paths.log_dir),
                      clear_on_quit=clear_on_quit, windows=windows, parent=app)
    instance.message_received.connect(bridge.instance_message)
    menu.quit_requested.connect(app.quit)
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, desktop, desktop.start)  # after the icon is on screen
    code = int(app.exec())
    if isinstance(surface, Tray):
        surface.hide()
    desktop.shutdown()
    instance.close()
    return code
