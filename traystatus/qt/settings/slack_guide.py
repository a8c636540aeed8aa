"""How to get a Slack user token, inside the Connect Slack dialog: where to click, a link to Slack's new-app
page, the scopes asked for and why, and the app manifest to paste (copied with one click).

Steps, scopes and manifest all come from ``core.slack_app``, the list login and doctor check tokens against.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.slack_app import NEW_APP_URL, SLACK_SCOPES, slack_app_manifest, slack_app_steps
from traystatus.qt.settings.vertical_scroll import VerticalScroll

LINK_ON_DARK = "#8ab4f8"


class SlackGuide(QGroupBox):
    """The steps as a numbered list, two buttons (open the page, copy the manifest) and the manifest itself,
    shown on request so the dialog stays short; ``grown`` when the details appear or go."""

    grown = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No token yet? Create a Slack app (about a minute)", parent)
        self.manifest_text = slack_app_manifest()
        self.steps = QLabel(self)  # its text comes with the link colour, in _recolour_link
        self.steps.setWordWrap(True)
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setOpenExternalLinks(True)
        self.steps.setAccessibleName("Steps to create a Slack app")
        self.open_button = QPushButton("&Open Slack's new-app page", self)
        self.open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl(NEW_APP_URL)))
        self.copy_button = QPushButton("Cop&y manifest", self)
        self.copy_button.clicked.connect(self.copy_manifest)
        self.show_button = QPushButton("&Show what it asks for", self)
        self.show_button.setCheckable(True)
        self.show_button.toggled.connect(self._toggle)
        buttons = QGridLayout()  # two a row: the row stays narrower than a small screen at 200 %
        buttons.addWidget(self.open_button, 0, 0)
        buttons.addWidget(self.copy_button, 0, 1)
        buttons.addWidget(self.show_button, 1, 0)
        buttons.setColumnStretch(2, 1)
        self.copied = QLabel("", self)
        self.copied.setAccessibleName("Copy result")
        self.scopes = QLabel(
            "It asks Slack only for these user scopes, nothing more:<br>"
            + "<br>".join(f"<b>{escape(s)}</b> — {escape(why, quote=False)}" for s, why in SLACK_SCOPES.items()),
            self,
        )
        self.scopes.setWordWrap(True)
        self.scopes.setAccessibleName("Scopes traystatus asks for")
        self.manifest = QPlainTextEdit(self.manifest_text, self)
        self.manifest.setReadOnly(True)
        self.manifest.setAccessibleName("Slack app manifest")
        self.manifest.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)  # no sideways scrolling
        self.manifest.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        lay = QVBoxLayout(self)
        lay.addWidget(self.steps)
        lay.addLayout(buttons)
        lay.addWidget(self.copied)
        lay.addWidget(self.scopes)
        lay.addWidget(self.manifest)
        self._toggle(False)
        self._recolour_link()

    def changeEvent(self, event: QEvent) -> None:  # Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour_link()

    def _recolour_link(self) -> None:
        """The steps, with a link colour that reads on the theme: Qt's default link blue is unreadable on a dark
        window when the theme sets no link colour of its own, so then a light blue (>= 4.5:1 on #353535).
        The colour goes into the HTML: Qt fixes a link's colour when it parses the text, not when it paints."""
        theme = self.palette()  # the guide's: its labels get the new palette only after it
        link = theme.color(QPalette.ColorRole.Link)
        if theme.color(QPalette.ColorRole.Window).lightness() < 128 and link.lightness() <= 128:  # Qt's blue is 128
            link = QColor(LINK_ON_DARK)
        self.link_colour = link.name()
        anchor = f'<a href="{NEW_APP_URL}" style="color:{self.link_colour}">{NEW_APP_URL}</a>'
        steps = "".join(f"<li>{escape(s).replace(escape(NEW_APP_URL), anchor)}</li>" for s in slack_app_steps())
        self.steps.setText(f"<ol style='margin-left:-20px'>{steps}</ol>")

    def copy_manifest(self) -> None:
        QGuiApplication.clipboard().setText(self.manifest_text)
        self.copied.setText("Manifest copied: paste it into Slack's manifest editor (step 2).")
        self.copied.show()

    def _toggle(self, shown: bool) -> None:
        self.scopes.setVisible(shown)
        self.manifest.setVisible(shown)
        self.copied.setVisible(bool(self.copied.text()))
        self.show_button.setText("&Hide the details" if shown else "&Show what it asks for")
        self.grown.emit()


class GuideScroll(VerticalScroll):
    """Holds the guide: as tall as its wrapped text needs, up to half the screen, then it scrolls (never
    sideways), so the token field below stays on screen also at 200 %."""

    def __init__(self, guide: SlackGuide, parent: QWidget | None = None) -> None:
        super().__init__(guide, parent, screen_share=0.5)
        self.guide = guide
        guide.grown.connect(self.updateGeometry)
