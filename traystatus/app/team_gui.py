"""The team clock in the tray app: the roster (configured people + cached Slack/Matrix imports) shown in a
:class:`~traystatus.qt.team_popup.TeamPopup` next to the tray icon. ``TeamClock.toggle`` is what a left click
on the icon (or the menu's "Team clock…") calls; ``refresh_imports`` runs on the worker, never the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from traystatus.adapters.clock import utc_now
from traystatus.app.paths import AppPaths
from traystatus.core.settings import Settings
from traystatus.core.team import Person, me_person, merge_roster

if TYPE_CHECKING:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QImage

    from traystatus.qt.team_popup import TeamPopup

log = logging.getLogger(__name__)


def team_roster(settings: Settings, paths: AppPaths, extra: Sequence[Person] = ()) -> tuple[Person, list[Person]]:
    """You, and the team: ``extra`` people (``--member``), then configured ones, then the cached imports.
    Reads only the local cache (no network): the imports are refreshed by :func:`refresh_imports`."""
    from traystatus.adapters.roster_cache import load_cached_people

    names = {m.name.casefold() for m in extra}
    configured = [*extra, *(p for p in settings.team.people if p.name.casefold() not in names)]
    people = list(merge_roster(configured, *load_cached_people(paths.state_dir)))
    me = me_person(name=settings.team.me_name, tz=settings.timezone, hours=settings.hours, travel=settings.travel)
    return me, people


def refresh_imports(settings: Settings, paths: AppPaths, now: datetime) -> None:
    """Refresh the Slack/Matrix rosters whose cache is stale (call it on the worker: it uses the network).
    A failure is logged and the last good copy stays; nothing here raises."""
    from traystatus.app.team_import import import_rosters

    for outcome in import_rosters(settings, paths, now):
        if outcome.error:
            log.warning("team import from %s: %s", outcome.source, outcome.error)


class TeamClock:
    """Owns the popup (created on first use) and reloads the roster each time it opens."""

    def __init__(self, settings: Settings, paths: AppPaths, *, now: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self.paths = paths
        self._now = now
        self.popup: TeamPopup | None = None

    def toggle(self, anchor: QRect | None = None) -> None:
        """Open next to ``anchor`` (the tray icon's geometry); a second click while it is open closes it."""
        from traystatus.qt.team_popup import TeamPopup

        if self.popup is not None and self.popup.isVisible():
            self.popup.hide()
            return
        me, people = team_roster(self.settings, self.paths)
        if self.popup is None:
            self.popup = TeamPopup(
                me=me, people=people, now=self._now, meeting_minutes=self.settings.team.meeting_minutes
            )
        else:
            self.popup.set_roster(me, people)
        self.popup.set_avatars(self._pictures(people))
        self.popup.popup_at(anchor)

    def close(self) -> None:
        """The app quits or the settings changed (a new clock replaces this one)."""
        if self.popup is not None:
            self.popup.hide()
            self.popup.deleteLater()
            self.popup = None

    def _pictures(self, people: Sequence[Person]) -> dict[str, QImage]:
        """The cached pictures (disk only; the worker downloads them with the roster import)."""
        from PySide6.QtGui import QImage

        from traystatus.adapters.avatar_cache import AvatarCache

        out = {}
        for url, data in AvatarCache(self.paths.cache_dir).cached(p.avatar_url for p in people).items():
            image = QImage.fromData(data)
            if not image.isNull():
                out[url] = image
        return out
