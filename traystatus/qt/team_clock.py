"""The team clock in the tray app: the roster (configured people + cached Slack/Matrix imports) shown in a
:class:`~traystatus.qt.team_popup.TeamPopup` next to the tray icon. ``TeamClock.toggle`` is what a left click
on the icon (or the menu's "Team clock…") calls. The roster and the cached pictures arrive as callables
(``app.team_import.team_roster`` and the avatar cache, wired in ``app/tray_wiring.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from traystatus.core.settings import Settings
from traystatus.core.team import Person

if TYPE_CHECKING:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QImage

    from traystatus.qt.team_popup import TeamPopup

log = logging.getLogger(__name__)


class TeamClock:
    """Owns the popup (created on first use) and reloads the roster each time it opens."""

    def __init__(
        self,
        settings: Settings,
        *,
        roster: Callable[[], tuple[Person, list[Person]]],
        pictures: Callable[[Iterable[str]], Mapping[str, bytes]],
        now: Callable[[], datetime],  # the one clock (adapters.clock.utc_now), given by the composition root
    ) -> None:
        """``roster``: you and the team (local cache only); ``pictures``: the cached avatars by URL (disk only)."""
        self.settings = settings
        self._roster = roster
        self._cached_pictures = pictures
        self._now = now
        self.popup: TeamPopup | None = None

    def toggle(self, anchor: QRect | None = None) -> None:
        """Open next to ``anchor`` (the tray icon's geometry); a second click while it is open closes it."""
        from traystatus.qt.team_popup import TeamPopup

        if self.popup is not None and self.popup.isVisible():
            self.popup.hide()
            return
        me, people = self._roster()
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

        out = {}
        for url, data in self._cached_pictures(p.avatar_url for p in people).items():
            image = QImage.fromData(data)
            if not image.isNull():
                out[url] = image
        return out
