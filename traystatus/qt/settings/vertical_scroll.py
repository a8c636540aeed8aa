"""A scroll area that scrolls only up and down: never narrower than what it holds plus its scroll bar, and as
tall as the content wants up to a share of the screen (the setup's week, the Slack guide at 200 %)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class VerticalScroll(QScrollArea):
    def __init__(self, content: QWidget, parent: QWidget | None = None, *, screen_share: float = 1.0) -> None:
        super().__init__(parent)
        self.content, self.screen_share = content, screen_share
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def sizeHint(self) -> QSize:  # Qt's name
        hint = self.content.sizeHint()
        width = max(hint.width(), self.viewport().width())
        height = self.content.heightForWidth(width) if self.content.hasHeightForWidth() else hint.height()
        most = int(self.screen().availableGeometry().height() * self.screen_share)
        return QSize(hint.width() + self._bar(), min(max(height, hint.height()), most))

    def minimumSizeHint(self) -> QSize:  # Qt's name: the content never gets cut at the side
        return QSize(self.content.minimumSizeHint().width() + self._bar(), super().minimumSizeHint().height())

    def _bar(self) -> int:
        bar = self.verticalScrollBar()
        return bar.sizeHint().width() if bar is not None else 0
