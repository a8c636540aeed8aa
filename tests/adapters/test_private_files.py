"""The private-file helpers: modes from creation whatever the umask, atomic replacement, unique temp names."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from traystatus.adapters.private_files import atomic_write, create_private, open_private, private_dir


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o000)  # the most permissive umask: modes must come from the code, not from it
    yield
    os.umask(old)


def test_private_dir_creates_every_missing_parent_0700(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "a" / "b" / "c"
    assert private_dir(target) == target
    for d in (tmp_path / "a", tmp_path / "a" / "b", target):
        assert mode(d) == 0o700, d
    private_dir(target)  # idempotent


def test_private_dir_leaves_existing_dirs_alone(tmp_path: Path) -> None:
    d = tmp_path / "shared"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    private_dir(d / "mine")
    assert mode(d) == 0o755
    assert mode(d / "mine") == 0o700


def test_atomic_write_is_0600_from_creation_and_replaces_whole(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "state" / "x.json"
    atomic_write(path, "one")
    assert path.read_text() == "one"
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    atomic_write(path, b"two")
    assert path.read_bytes() == b"two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["x.json"]  # no temp file left behind


def test_atomic_write_tightens_a_file_that_was_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text("old")
    os.chmod(path, 0o644)
    atomic_write(path, "new")
    assert mode(path) == 0o600


def test_atomic_write_other_mode(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "autostart.desktop"
    atomic_write(path, "[Desktop Entry]\n", mode=0o644)
    assert mode(path) == 0o644


def test_a_failed_write_leaves_the_old_content_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f"
    atomic_write(path, "old")

    class Boom(Exception):
        pass

    def fail(*a: object) -> None:
        raise Boom

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(Boom):
        atomic_write(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f"]


def test_concurrent_writers_never_collide_on_a_temp_name(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                atomic_write(path, f"{n}:{i}:" + "x" * 5000)
        except BaseException as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    text = path.read_text()
    assert text.endswith("x" * 5000) and len(text.split(":")) == 3  # one writer's whole content
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]


def test_open_private_and_create_private_are_0600(tmp_path: Path, open_umask: None) -> None:
    log = tmp_path / "log" / "traystatus.log"
    fd = open_private(log)
    os.write(fd, b"line\n")
    os.close(fd)
    assert mode(log) == 0o600 and mode(log.parent) == 0o700
    db = create_private(tmp_path / "data" / "handoff.sqlite3")
    assert db.exists() and mode(db) == 0o600
    db.write_bytes(b"keep")
    create_private(db)  # an existing file is kept, not truncated
    assert db.read_bytes() == b"keep"
