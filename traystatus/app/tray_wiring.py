"""The composition root of the tray's late features: the team clock, the handoff windows (with the real
service and stores) and the roster refresh, built from the settings and handed to ``qt.tray_features`` as
ports. Nothing heavy is imported until a feature is built (after the first pass).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from traystatus.adapters.clock import utc_now
from traystatus.app.paths import AppPaths
from traystatus.core.errors import TrayStatusError
from traystatus.core.model import Availability, Override
from traystatus.core.settings import Settings

if TYPE_CHECKING:
    from traystatus.adapters.handoff_delivery import Sender
    from traystatus.app.handoff_service import HandoffService
    from traystatus.core.duties import OutboxWorker
    from traystatus.qt.handoff_windows import HandoffWindows
    from traystatus.qt.team_clock import TeamClock
    from traystatus.qt.tray_features import QtParent as QObject
    from traystatus.qt.tray_features import TrayFeatures


log = logging.getLogger(__name__)

#: ``adapters.archive_sqlite.FILE_NAME`` (importing that module loads sqlite3: not before a note exists)
ARCHIVE_FILE = "handoff.sqlite3"


def team_clock(settings: Settings, paths: AppPaths, *, now: Callable[[], datetime] = utc_now) -> TeamClock:
    """The team clock over the configured people and the cached imports (disk only)."""
    from traystatus.app.team_import import team_roster
    from traystatus.qt.team_clock import TeamClock

    def pictures(urls: Iterable[str]) -> Mapping[str, bytes]:
        from traystatus.adapters.avatar_cache import AvatarCache

        return AvatarCache(paths.cache_dir).cached(urls)

    return TeamClock(settings, roster=lambda: team_roster(settings, paths), pictures=pictures, now=now)


def handoff_factory(
    settings: Settings,
    paths: AppPaths,
    *,
    now: Callable[[], datetime] = utc_now,
    senders: Mapping[str, Sender] | None = None,
    announce: Callable[[str, str], None] | None = None,
) -> Callable[
    [Callable[[Override], None], Callable[[datetime], Sequence[Availability]], QObject],
    tuple[HandoffWindows, Callable[[], OutboxWorker | None]],
]:
    """``qt.tray_features.HandoffFactory``: the windows over the real service (archive, keyring senders or
    ``senders``) and the prompt store in the state dir. The service (SQLite, the senders) is built when first
    needed: at once when notes exist (pending deliveries resume), else when a window opens or another
    process stores a note (the outbox duty asks for the worker): an idle app without notes loads none."""
    archive_file = paths.data_dir / ARCHIVE_FILE

    def build(
        sign_off: Callable[[Override], None], timeline: Callable[[datetime], Sequence[Availability]], parent: QObject
    ) -> tuple[HandoffWindows, Callable[[], OutboxWorker | None]]:
        from traystatus.adapters.draft_store import JsonPromptStore
        from traystatus.qt.handoff_windows import HandoffWindows

        built: list[HandoffService] = []

        def service() -> HandoffService:
            from traystatus.app.handoff_service import HandoffService

            fresh = HandoffService(
                paths, settings, senders=dict(senders) if senders is not None else None, sign_off=sign_off, now=now
            )
            fresh.worker.start()
            built.append(fresh)
            return fresh

        windows = HandoffWindows(
            settings,
            service=service,
            prompts=JsonPromptStore.in_dir(paths.state_dir),
            timeline=timeline,
            now=now,
            announce=announce,
            parent=parent,
        )

        refused: list[str] = []  # why the archive could not be opened (said once; a window says it again)

        def outbox() -> OutboxWorker | None:
            if not windows.has_service and not archive_file.exists():
                return None  # no note anywhere yet: nothing to deliver
            try:
                windows.service  # noqa: B018  (builds it once, locked)
            except TrayStatusError as e:  # a read-only or damaged archive: the tray runs on without delivering
                if f"{e}" not in refused:
                    log.error("Handoff notes will not be delivered: %s: %s", e.title, e.message)
                    refused.append(f"{e}")
                return None
            return built[0].worker

        if archive_file.exists():
            outbox()  # notes exist: pending deliveries resume now
        return windows, outbox

    return build


def tray_features(
    settings: Settings,
    paths: AppPaths,
    *,
    timeline: Callable[[datetime], Sequence[Availability]] | None = None,
    apply_override: Callable[[Override], None] | None = None,
    now: Callable[[], datetime] = utc_now,
    senders: Mapping[str, Sender] | None = None,
    announce: Callable[[str, str], None] | None = None,
    parent: QObject | None = None,
) -> TrayFeatures:
    """The tray's features for these settings (``senders``: the demo's simulated ones, else the accounts')."""
    from traystatus.app.team_import import refresh_imports
    from traystatus.qt.tray_features import TrayFeatures

    return TrayFeatures(
        settings,
        team=team_clock(settings, paths, now=now),
        handoff=handoff_factory(settings, paths, now=now, senders=senders, announce=announce),
        refresh_imports=lambda moment: refresh_imports(settings, paths, moment),
        timeline=timeline,
        apply_override=apply_override,
        now=now,
        parent=parent,
    )
