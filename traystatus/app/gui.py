"""``traystatus`` (the default command): the tray app, on the real configuration or ``--demo``.

Start-up stays light: the icon is shown first; calendars, chat clients and the scheduler are imported
and started on the worker afterwards.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from traystatus.adapters.clock import utc_now
from traystatus.app import container
from traystatus.app.logging_setup import log_file, setup_logging
from traystatus.app.paths import AppPaths, demo_root, instance_name
from traystatus.app.resources import icons_dir

if TYPE_CHECKING:
    from traystatus.qt.fallback_window import FallbackWindow  # only where there is no tray

log = logging.getLogger(__name__)

DEMO_NOTICE = container.DEMO_NOTICE
NO_CONFIG_NOTICE = container.NO_CONFIG_NOTICE


def demo_paths(paths: AppPaths) -> AppPaths:
    """The demo's own directories: the same as every ``--demo`` command's (``AppPaths.demo``)."""
    return AppPaths.demo(demo_root(paths))


def _windows(
    args: argparse.Namespace,
    paths: AppPaths,
    owner: Any,
    on_saved: Callable[[Any], None],
    opened: dict[str, Any] | None = None,
) -> dict[str, Callable[..., Any]]:
    """The settings windows the menu can open, each created on first use (imports stay lazy) and kept in
    ``opened``; a save calls ``on_saved(settings)`` (the running app reloads: no restart). ``fix`` takes a health
    line's name."""
    opened = {} if opened is None else opened

    def open_window(key: str, account: str = "") -> Any:
        from traystatus.app.settings_app import build_settings_window
        from traystatus.qt.runner import ThreadRunner

        window = opened.get(key)
        if window is None or (key == "setup" and not window.isVisible()):
            window = build_settings_window(paths, ThreadRunner(owner), first_run=key == "setup")
            window.saved.connect(on_saved)
            opened[key] = window
        from traystatus.qt.settings.window import SettingsWindow

        if account and isinstance(window, SettingsWindow):  # a fix: that account, as the last sync left it
            window.show_account(account)
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    if args.demo:
        return {}
    return {
        "settings": lambda: open_window("settings"),
        "setup": lambda: open_window("setup"),
        "fix": lambda account: open_window("settings", account),
    }


def _relist_accounts(opened: dict[str, Any], last: dict[str, object], view: Any) -> None:
    """A pass changed what is known of an account (a token revoked): an open settings window lists its
    accounts again at once, so it never shows "✓" while the menu says otherwise."""
    health = tuple((h.name, h.ok, h.detail) for h in view.health)
    if opened and last.get("health", health) != health:
        from traystatus.qt.settings.window import SettingsWindow

        for window in opened.values():
            if isinstance(window, SettingsWindow) and window.isVisible():  # not the first-run setup
                window.relist_accounts()
    last["health"] = health


def run_gui(args: argparse.Namespace) -> int:
    paths = AppPaths.resolve(getattr(args, "config", None))
    if getattr(args, "demo", False):
        paths = demo_paths(paths)
    paths.ensure()
    setup_logging(paths.log_dir, verbose=getattr(args, "verbose", False))

    from traystatus.qt.source_scan import stop_caching_sources

    stop_caching_sources()  # before the rest is imported: PySide6 would keep every module's source in memory
    from PySide6.QtWidgets import QSystemTrayIcon

    from traystatus.qt.application import SingleInstance, create_application, forward_to_running
    from traystatus.qt.icons import IconSet
    from traystatus.qt.tray import Tray, first_icon

    app = create_application(sys.argv[:1])
    name = instance_name(paths)
    if forward_to_running(name, "activate"):
        log.info("traystatus is already running: asked it to show itself")
        return 0
    instance = SingleInstance(name, app)
    instance.listen()

    # the colour scheme is asked once the icon is shown; a demo's icons carry a badge
    icons = IconSet(icons_dir(), palette_only=True, demo=bool(getattr(args, "demo", False)))
    # on screen first: the icon docks while the rest is imported
    shown = first_icon(icons, app) if QSystemTrayIcon.isSystemTrayAvailable() else None

    from traystatus.core.tray_view import initial_view
    from traystatus.qt.menu import FEATURE_WINDOWS, TrayMenu

    late: dict[str, Any] = {}  # the Desktop, once built: the windows call into it

    def saved(settings: Any) -> None:
        from traystatus.app.settings_app import apply_start_at_login

        late["desktop"].reload()
        problem = apply_start_at_login(settings)
        if problem:
            late["desktop"].surface.show_message("Start at login", problem)

    opened: dict[str, Any] = {}  # the settings windows, once created
    windows = _windows(args, paths, app, on_saved=saved, opened=opened)

    def open_feature(key: str) -> None:
        late["features"].open(key)

    windows.update({key: functools.partial(open_feature, key) for key in FEATURE_WINDOWS})
    menu = TrayMenu(windows=tuple(windows))
    surface: Tray | FallbackWindow
    if shown is not None:
        surface = Tray(icons, menu, app, icon=shown)
    else:
        log.warning("no system tray on this desktop: showing the fallback window")
        from traystatus.qt.fallback_window import FallbackWindow

        surface = FallbackWindow(icons, menu)
        app.setQuitOnLastWindowClosed(True)  # the window is the whole app here: closing it quits
    notice = DEMO_NOTICE if args.demo else ""
    surface.show_view(initial_view(notice, utc_now()))
    surface.show()
    icons.palette_only = False

    # what the running app needs beyond the icon is imported once the icon is shown (it docks meanwhile)
    from traystatus.adapters.notify import DesktopNotifier
    from traystatus.app.tray_wiring import tray_features
    from traystatus.qt.bridge import Bridge
    from traystatus.qt.desktop import Desktop
    from traystatus.qt.tray_features import LateFeatures

    bridge = Bridge(app)
    bridge.view_changed.connect(functools.partial(_relist_accounts, opened, {}))
    senders = None
    if args.demo:
        from traystatus.adapters.demo import demo_handoff_senders

        senders = demo_handoff_senders(paths.state_dir)
    features = LateFeatures(
        lambda settings, parent: tray_features(
            settings,
            paths,
            senders=senders,
            announce=lambda title, message: late["desktop"].tell(title, message),
            parent=parent,
        ),
        surface=surface,
        bridge=bridge,
        timeline=lambda now: late["desktop"].timeline(now),
        apply_override=lambda o: late["desktop"].apply_override(o),
        parent=app,
    )
    late["features"] = features
    from traystatus.core.duties import OutboxDuty
    from traystatus.core.live_presence import PresenceDuty

    desktop = Desktop(
        surface=surface,
        bridge=bridge,
        sync_factory=functools.partial(container.tray_sync, args, paths),
        scheduler_factory=container.tray_scheduler,
        notify=DesktopNotifier().notify,
        log_file=log_file(paths.log_dir),
        windows=windows,
        # the tray's handoff windows own the outbox worker (built after the first pass); the duty wakes it
        duties=[
            *container.runtime_duties(paths, OutboxDuty(features.outbox, owned=False)),
            PresenceDuty(lambda: late["desktop"].sync.publishers if late["desktop"].sync is not None else ()),
        ],
        parent=app,
    )
    late["desktop"] = desktop
    instance.message_received.connect(bridge.instance_message)
    menu.quit_requested.connect(app.quit)
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, desktop, desktop.start)  # after the icon is on screen
    if not args.demo and not paths.config_file.exists() and not getattr(args, "calendar", None):
        QTimer.singleShot(0, desktop, lambda: desktop.open_entry("setup"))  # first run: offer the setup
    from traystatus.qt.stop_signals import StopSignals

    stop_signals = StopSignals(app.quit, parent=app)  # a logout's SIGTERM quits like the menu's Quit
    code = int(app.exec())
    stop_signals.close()
    if isinstance(surface, Tray):
        surface.hide()
    features.close()
    from traystatus.adapters.bounded_http import abort_all

    abort_all()  # a calendar fetch in progress ends now, not at its deadline (up to 30 s): Quit is quick
    desktop.shutdown()
    instance.close()
    return code
