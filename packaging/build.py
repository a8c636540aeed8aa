"""Build traystatus app bundles: ``python packaging/build.py linux|macos|windows [--report] [--dist DIR]``.

Linux: a PyInstaller one-folder bundle in ``dist/traystatus/`` (executable ``dist/traystatus/traystatus``)
plus desktop integration under ``dist/traystatus/share`` and an ``install-user.sh``. ``--report`` also
builds the wheel, installs it into a fresh venv and prints size and start time of both side by side.
macOS and Windows must be built on those systems (PyInstaller does not cross-compile); see README.md here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.traystatus.TrayStatus"
BUILD = ROOT / "build"
DIST = ROOT / "dist"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render_icons(out: Path) -> Path:
    """Render resources/traystatus.svg into hicolor PNGs with Qt (no extra image tools needed)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ROOT / "resources" / "traystatus.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/traystatus.svg is not a valid SVG")
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        target = out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            raise SystemExit(f"could not write {target}")
    scalable = out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "resources" / "traystatus.svg", scalable)
    del app
    return out / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png"


def run_pyinstaller(icon: Path | None, dist: Path = DIST, build: Path = BUILD) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit("PyInstaller is not installed here: pip install pyinstaller") from None
    env = dict(os.environ)
    env.update(
        TRAYSTATUS_ROOT=str(ROOT),
        # Linux bundles take their icon from the desktop integration; PyInstaller ignores it there.
        TRAYSTATUS_ICON=str(icon) if icon and sys.platform != "linux" else "",
        PYINSTALLER_CONFIG_DIR=str(build / "pyinstaller-config"),  # else it caches in the home dir
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level=WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(build / "pyinstaller"),
            str(ROOT / "packaging" / "traystatus.spec"),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return dist / "traystatus"


INSTALL_USER = """#!/bin/sh
# Install this bundle for the current user: ~/.local/opt/traystatus, a traystatus command in
# ~/.local/bin, the menu entry, the AppStream metadata and the icons.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$HOME/.local/opt" "$HOME/.local/bin"
rm -rf "$HOME/.local/opt/traystatus"
cp -r "$here" "$HOME/.local/opt/traystatus"
ln -sf "$HOME/.local/opt/traystatus/traystatus" "$HOME/.local/bin/traystatus"
mkdir -p "$prefix/applications" "$prefix/metainfo" "$prefix/icons"
# Exec= by absolute path: a desktop session's PATH often lacks ~/.local/bin
for f in "$here/share/applications/"*.desktop; do
  sed "s|^Exec=traystatus|Exec=$HOME/.local/opt/traystatus/traystatus|" "$f" > "$prefix/applications/$(basename "$f")"
done
cp "$here/share/metainfo/"*.xml "$prefix/metainfo/"
cp -r "$here/share/icons/hicolor" "$prefix/icons/"
command -v update-desktop-database >/dev/null && update-desktop-database "$prefix/applications" || true
echo "traystatus installed: run 'traystatus' (make sure ~/.local/bin is on PATH)"
"""


def linux_integration(bundle: Path, icons: Path) -> None:
    share = bundle / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "packaging" / "linux" / f"{APP_ID}.desktop", share / "applications")
    shutil.copy(ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml", share / "metainfo")
    if (share / "icons").exists():
        shutil.rmtree(share / "icons")
    shutil.copytree(icons, share / "icons")
    script = bundle / "install-user.sh"
    script.write_text(INSTALL_USER, encoding="utf-8")
    script.chmod(0o755)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def time_command(cmd: list[str], runs: int = 5) -> float:
    subprocess.run(cmd, check=True, capture_output=True)  # warm the page cache once
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def wheel_install(build: Path = BUILD) -> Path:
    """Build the wheel and install it (with its dependencies) into a fresh venv: the comparison."""
    wheels = build / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)], check=True)
    venv = build / "wheel-venv"
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheel = next(wheels.glob("traystatus-*.whl"))
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True)
    return venv


def report(bundle: Path, wheel_venv: Path | None = None, build: Path = BUILD) -> str:
    """Size and start time of the bundle next to a wheel install (``wheel_venv``, else a fresh one)."""
    exe = bundle / "traystatus"
    venv = wheel_venv or wheel_install(build)
    lines = ["traystatus bundle vs wheel install (same run; medians of 5 warm runs of --version)"]
    b_size, w_size = dir_size(bundle), dir_size(venv)
    b_time = time_command([str(exe), "--version"])
    w_time = time_command([str(venv / "bin" / "traystatus"), "--version"])
    lines.append(
        f"  size:  bundle {b_size / 2**20:7.1f} MiB   wheel venv {w_size / 2**20:7.1f} MiB   "
        f"ratio {b_size / w_size:.2f}"
    )
    lines.append(
        f"  start: bundle {b_time * 1000:7.0f} ms    wheel venv {w_time * 1000:7.0f} ms    ratio {b_time / w_time:.2f}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=["linux", "macos", "windows"])
    parser.add_argument(
        "--report",
        metavar="FILE",
        nargs="?",
        const="-",
        help="also compare size and start time with a wheel install (print, or write to FILE)",
    )
    parser.add_argument("--wheel-venv", type=Path, help="an existing venv with the wheel installed (e.g. pipx's)")
    parser.add_argument("--dist", type=Path, default=DIST, help="where the bundle goes (default: dist/)")
    parser.add_argument("--build", type=Path, default=BUILD, help="PyInstaller's work dir and caches (default: build/)")
    args = parser.parse_args()
    host = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    if args.target != host:
        raise SystemExit(
            f"build the {args.target} bundle on {args.target}: PyInstaller does not cross-compile "
            "(see packaging/README.md)"
        )
    build = args.build.resolve()
    icons = build / "icons"
    icon = render_icons(icons)
    bundle = run_pyinstaller(icon, args.dist.resolve(), build)
    if args.target == "linux":
        linux_integration(bundle, icons)
    print(f"built {bundle}")
    if args.report:
        text = report(bundle, args.wheel_venv, build)
        print(text)
        if args.report != "-":
            Path(args.report).parent.mkdir(parents=True, exist_ok=True)
            Path(args.report).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
