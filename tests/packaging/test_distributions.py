"""The wheel and sdist carry resources/, and `pipx install .` gives a working `traystatus`."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "test-artifacts" / "reports"


def _resource_files() -> set[str]:
    return {
        p.relative_to(ROOT / "resources").as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file() and p.name != ".keep"
    }


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return out


def test_wheel_carries_resources(dists: Path) -> None:
    wheel = next(dists.glob("traystatus-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"traystatus/_resources/{name}" for name in _resource_files()}
    assert "traystatus/_resources/traystatus.svg" in expected
    assert expected <= names, sorted(expected - names)


def test_sdist_carries_resources(dists: Path) -> None:
    sdist = next(dists.glob("traystatus-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {f"resources/{name}" for name in _resource_files()} <= names
    assert "LICENSE" in names and "README.md" in names


def test_pipx_install_gives_a_working_command(pipx_venv: Path) -> None:
    exe = pipx_venv.parent.parent.parent / "bin" / "traystatus"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout
    from traystatus import __version__

    assert out.strip() == f"traystatus {__version__}"
    # The installed copy finds its bundled resources (not the source tree's).
    code = (
        "import traystatus, pathlib; "
        "print((pathlib.Path(traystatus.__file__).parent / '_resources' / 'traystatus.svg').is_file())"
    )
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    found = subprocess.run(
        [str(pipx_venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True, cwd="/", env=env
    ).stdout.strip()
    assert found == "True"
