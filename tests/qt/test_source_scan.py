"""PySide6's per-import scan for "PySide6" in a module's source, replaced by one that caches nothing
(qt/source_scan.py): same answers as the library's own, and linecache stays empty."""

from __future__ import annotations

import linecache
import sys
from pathlib import Path

import pytest

from traystatus.qt.source_scan import stop_caching_sources


def _feature_module() -> object:
    return next(m for m in list(sys.modules.values()) if getattr(m, "feature_imported", None) is not None)


def test_imports_after_it_keep_no_source_and_get_the_librarys_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert stop_caching_sources() is True
    assert stop_caching_sources() is True  # a second call does not wrap the hook twice
    feature = _feature_module()
    hook = feature._mod_uses_pyside  # type: ignore[attr-defined]
    assert getattr(hook, "traystatus", False)
    (tmp_path / "ts_scan_qt.py").write_text("from PySide6.QtCore import QObject\n" + "x = 1\n" * 5000)
    (tmp_path / "ts_scan_plain.py").write_text('"""No Qt here."""\n' + "y = 2\n" * 5000)
    monkeypatch.syspath_prepend(str(tmp_path))
    linecache.clearcache()
    qt_mod = __import__("ts_scan_qt")  # the import statement's way: PySide6's hook replaces builtins.__import__
    plain = __import__("ts_scan_plain")
    try:
        table = feature.pyside_feature_dict  # type: ignore[attr-defined]
        assert table["ts_scan_qt"] == 0  # uses PySide: its feature switching starts at "none"
        assert table["ts_scan_plain"] == -1  # ignored, as the library's getsource-based scan decides
        assert hook(qt_mod) is True and hook(plain) is False
        assert not any(str(tmp_path) in name for name in linecache.cache), "a source was cached"
    finally:
        sys.modules.pop("ts_scan_qt", None)
        sys.modules.pop("ts_scan_plain", None)


def test_a_module_without_a_source_file_gets_the_librarys_own_answer() -> None:
    stop_caching_sources()
    hook = _feature_module()._mod_uses_pyside  # type: ignore[attr-defined]
    assert hook(sys) is False  # built in: no file, the library's answer (False)
