"""`traystatus settings` when traystatus already runs: the request goes to the running instance's listener
("settings", or "setup" while there is no config yet) and this launch opens nothing itself."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from traystatus.app.cli import run
from traystatus.app.gui import instance_name
from traystatus.app.paths import AppPaths
from traystatus.qt.application import SingleInstance


@pytest.mark.parametrize(("config_text", "message"), [('timezone = "UTC"\n', "settings"), (None, "setup")])
def test_settings_command_hands_the_request_to_the_running_instance(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str], config_text: str | None, message: str
) -> None:
    config = tmp_path / "config.toml"
    if config_text is not None:
        config.write_text(config_text)
    listener = SingleInstance(instance_name(AppPaths.resolve(str(config))))
    assert listener.listen()
    got: list[str] = []
    listener.message_received.connect(got.append)
    codes: list[int] = []
    # the second launch is another process in life; here a thread, so this (running) side keeps its event loop
    launch = threading.Thread(target=lambda: codes.append(run(["--config", str(config), "settings"])))
    try:
        launch.start()
        qtbot.waitUntil(lambda: got == [message], timeout=5000)
        launch.join(timeout=10)
        assert codes == [0]
        assert "traystatus is running: it shows the settings window now." in capsys.readouterr().out
    finally:
        listener.close()
    assert config.exists() == (config_text is not None)  # the running app does the setup, not this launch
