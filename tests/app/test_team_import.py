"""`traystatus team import`: the Slack workspace (emulator) and a Matrix room (real Synapse) through the configured
accounts, cached, then on the team clock; stale-only refresh; errors without a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from pytestqt.qtbot import QtBot

from tests.adapters.test_avatar_cache import png
from tests.fixtures.synapse import SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.avatar_cache import AvatarCache
from traystatus.adapters.config_toml import load_config_file
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.app.cli import run
from traystatus.app.paths import AppPaths
from traystatus.app.tray_wiring import team_clock


def write_config(tmp_path: Path, team: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'timezone = "Europe/Berlin"\n[team]\nme_name = "Alex"\n{team}', encoding="utf-8")
    return config


def team_rows(capsys: pytest.CaptureFixture[str], config: Path) -> dict[str, str]:
    capsys.readouterr()
    assert run(["--config", str(config), "team", "--at", "2026-03-10T15:00", "--json"]) == 0
    return {r["name"]: r["zone"] for r in json.loads(capsys.readouterr().out)}


def test_slack_import_fills_the_team_clock(
    tmp_path: Path, slack_emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    config = write_config(tmp_path, "import_slack = true\n")
    assert team_rows(capsys, config) == {"Alex": "Europe/Berlin"}  # nothing imported yet
    assert run(["--config", str(config), "team"]) == 0
    assert "run `traystatus team import`" in capsys.readouterr().out
    assert run(["--config", str(config), "team", "import"]) == 0
    assert "slack: 6 teammates" in capsys.readouterr().out
    rows = team_rows(capsys, config)
    assert rows["Hemi Tane"] == "Pacific/Chatham" and rows["Bikash Thapa"] == "Asia/Kathmandu"
    assert "Alex Example" not in rows and "Deploy Bot" not in rows  # you, bots and deactivated users are left out
    assert len(rows) == 7
    listed = len(slack_emulator.calls_to("users.list"))
    assert run(["--config", str(config), "team", "import", "--if-stale"]) == 0
    assert len(slack_emulator.calls_to("users.list")) == listed  # a fresh cache is not fetched again
    assert run(["--config", str(config), "team", "import"]) == 0
    assert len(slack_emulator.calls_to("users.list")) > listed


def test_matrix_room_import_avatar_and_overlap(
    tmp_path: Path,
    synapse: SynapseServer,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    me, hemi = synapse.new_user("alex"), synapse.new_user("hemi")
    room = synapse.create_room(me.token, name="Team", invite=[hemi.user_id])
    synapse.join(hemi.token, room)
    client = MatrixClient(
        MatrixSession(homeserver=synapse.base_url, user_id=hemi.user_id, access_token=hemi.token, device_id="T")
    )
    client.set_profile_field("displayname", "Hemi Tane")
    client.set_profile_field("m.tz", "Pacific/Chatham")
    upload = requests.post(
        f"{synapse.base_url}/_matrix/media/v3/upload",
        data=png(48, 48),
        headers={**synapse.auth(hemi.token), "Content-Type": "image/png"},
        timeout=10,
    )
    upload.raise_for_status()
    avatar = upload.json()["content_uri"]
    client.set_profile_field("avatar_url", avatar)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_HOMESERVER", synapse.base_url)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_USER", me.user_id)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_TOKEN", me.token)
    config = write_config(tmp_path, f'matrix_room = "{room}"\n')
    assert run(["--config", str(config), "team", "import"]) == 0
    assert "matrix: 1 teammates" in capsys.readouterr().out
    assert team_rows(capsys, config) == {"Alex": "Europe/Berlin", "Hemi Tane": "Pacific/Chatham"}
    assert (
        run(["--config", str(config), "team", "overlap", "--with", "hemi", "--at", "2026-03-10T08:00", "--json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["people"] == ["Alex", "Hemi Tane"]
    assert out["days"][0]["spans"] == []  # Berlin 09-17 and Chatham 09-17 (+12 h 45) never meet

    # the picture came along (through the homeserver's authenticated media) and the team clock paints it
    paths = AppPaths.resolve(str(config))
    assert set(AvatarCache(paths.cache_dir).cached([avatar])) == {avatar}
    settings = load_config_file(config, default_tz=ZoneInfo("UTC"))
    clock = team_clock(settings, paths)
    clock.toggle()
    assert clock.popup is not None
    qtbot.addWidget(clock.popup)
    images = clock.popup.delegate.avatars
    assert set(images) == {avatar} and images[avatar].width() > 0


def test_import_errors_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--config", str(write_config(tmp_path, "")), "team", "import"]) == 2
    assert "team.import_slack" in capsys.readouterr().err
    assert run(["--config", str(write_config(tmp_path, "import_slack = true\n")), "team", "import"]) == 1
    out = capsys.readouterr()
    assert "traystatus login slack" in out.out and "Traceback" not in out.err
