"""Linux desktop integration files pass the validators distributions run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
APP_ID = "io.github.traystatus.TrayStatus"


@pytest.mark.parametrize("name", [f"{APP_ID}.desktop", f"{APP_ID}-autostart.desktop"])
def test_desktop_entry_validates(name: str) -> None:
    proc = subprocess.run(["desktop-file-validate", str(LINUX / name)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error:" not in proc.stdout


def test_metainfo_validates() -> None:
    proc = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(LINUX / f"{APP_ID}.metainfo.xml")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_menu_entry_and_metainfo_agree() -> None:
    desktop = (LINUX / f"{APP_ID}.desktop").read_text()
    metainfo = (LINUX / f"{APP_ID}.metainfo.xml").read_text()
    assert f"Icon={APP_ID}" in desktop
    autostart = (LINUX / f"{APP_ID}-autostart.desktop").read_text()
    assert f"Icon={APP_ID}\n" in autostart, "the login entry names the icon that is installed"
    assert f'<launchable type="desktop-id">{APP_ID}.desktop</launchable>' in metainfo
    assert "<binary>traystatus</binary>" in metainfo


def test_flatpak_manifest_is_in_step_with_the_project() -> None:
    """App id, command, installed files and the vendored dependency list match the project (no YAML parser
    needed: the manifest keeps one key per line)."""
    import tomllib

    text = (LINUX / f"{APP_ID}.yml").read_text()
    root = LINUX.parents[1]
    keys = dict(line.split(": ", 1) for line in text.splitlines() if line and line[0].isalpha() and ": " in line)
    assert keys["app-id"] == APP_ID
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert keys["command"] in project["project"]["scripts"]
    assert keys["base"] == "io.qt.PySide.BaseApp" and keys["base-version"] == keys["runtime-version"]
    # the source dir is the project root, and every file installed from it exists
    assert "path: ../..\n" in text
    for line in text.splitlines():
        if line.strip().startswith("- install "):
            source = line.split()[-3] if " -t " in line else line.split()[-2]
            assert (root / source).is_file(), line
    # flatpak-pip-generator's list = the runtime dependencies, minus PySide6 (from the BaseApp), plus hatchling
    generator = text.split("flatpak-pip-generator --runtime", 1)[1].split("\n# (", 1)[0]
    words = [w.strip('"\\') for w in generator.replace("#", " ").split()]
    assert words[:3] == ["org.kde.Sdk//6.8", "--output", "python-deps"], words[:3]
    vendored = {w.split("<")[0].split(">")[0] for w in words[3:] if w}
    wanted = {d.split(">")[0].split("<")[0].split("=")[0].strip() for d in project["project"]["dependencies"]}
    assert vendored == (wanted - {"pyside6-essentials"}) | {"hatchling"}
    assert "share/applications" in text and "share/metainfo" in text and "hicolor/scalable/apps" in text


def test_flatpak_sandbox_lets_the_app_reach_the_services_it_talks_to() -> None:
    """Each D-Bus name the app talks to is allowed on the bus it lives on: the notification daemon and the
    Secret Service on the session bus, logind (sleep/resume) on the system bus."""
    from traystatus.adapters.notify import BUS_NAME
    from traystatus.qt.sleep_watch import LOGIND

    args = [
        line.split("#")[0].strip().removeprefix("- ")
        for line in (LINUX / f"{APP_ID}.yml")
        .read_text()
        .split("finish-args:", 1)[1]
        .split("modules:", 1)[0]
        .splitlines()
    ]
    assert f"--talk-name={BUS_NAME}" in args
    assert "--talk-name=org.freedesktop.secrets" in args
    assert f"--system-talk-name={LOGIND[0]}" in args
    assert f"--talk-name={LOGIND[0]}" not in args, "logind is not on the session bus"


def test_autostart_files_are_what_the_app_writes(tmp_path: Path) -> None:
    """packaging/linux's autostart entry and packaging/macos/launchagent.plist document what "Start at login"
    writes: if traystatus/adapters/autostart.py changes them, regenerate both files from it."""
    from traystatus.adapters.autostart import Autostart

    linux = Autostart(platform="linux", environ={"XDG_CONFIG_HOME": str(tmp_path)}, home=tmp_path)
    linux.set_enabled(True, ["traystatus"])
    assert linux.entry_path().name == "traystatus.desktop"
    assert linux.entry_path().read_text() == (LINUX / f"{APP_ID}-autostart.desktop").read_text()
    mac = Autostart(platform="darwin", home=tmp_path)
    mac.set_enabled(True, ["/Applications/traystatus.app/Contents/MacOS/traystatus"])
    assert mac.entry_path().read_bytes() == (LINUX.parent / "macos" / "launchagent.plist").read_bytes()
    assert f"LaunchAgents/{mac.entry_path().name}" in (LINUX.parent / "macos" / "Info.plist.md").read_text()


def test_release_versions_match_the_package() -> None:
    """The AppStream release list and the Windows installer's default version name this version."""
    from traystatus import __version__

    metainfo = (LINUX / f"{APP_ID}.metainfo.xml").read_text()
    assert f'<release version="{__version__}"' in metainfo
    iss = (LINUX.parent / "windows" / "traystatus.iss").read_text()
    assert f'#define AppVersion "{__version__}"' in iss
    assert "/DAppVersion=$version" in (LINUX.parent / "windows" / "build.ps1").read_text()


def test_macos_bundle_is_a_menu_bar_app_not_a_background_one() -> None:
    """No macOS runner here: read the spec. console=True would make PyInstaller write LSBackgroundOnly (no UI)."""
    spec = (LINUX.parents[1] / "packaging" / "traystatus.spec").read_text()
    assert 'console=sys.platform not in ("win32", "darwin")' in spec
    assert '"LSUIElement": True' in spec and '"NSAppSleepDisabled": True' in spec
    assert "LSBackgroundOnly" not in spec.split("info_plist=", 1)[1]
