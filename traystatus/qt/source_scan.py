"""Keep PySide6 from holding the source text of every imported module in memory.

PySide6 (6.4 on, PYSIDE-2029) asks of every module imported after it whether its source mentions
"PySide6", through ``inspect.getsource``: that reads each file through :mod:`linecache`, which keeps every
line for the life of the process. In the tray app that was about 400 files and 14 MB of resident memory
(measured with tracemalloc after start-up; docs/platform-notes.md). The same question is answered here by
reading the file's bytes once and letting them go. Where the hook is not found (another PySide6 version, a
bundle without it) nothing changes.
"""

from __future__ import annotations

import linecache
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

_HOOK = "_mod_uses_pyside"


def _file_mentions_pyside(fallback: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                return b"PySide6" in Path(path).read_bytes()
            except OSError:
                pass
        return fallback(module)  # no source file: the library's own answer (it has none to cache either)

    uses_pyside.traystatus = True  # type: ignore[attr-defined]  # marks the hook as already replaced
    return uses_pyside


def stop_caching_sources() -> bool:
    """Replace PySide6's per-import source scan with one that caches nothing, and drop what it cached so far
    (the modules imported before PySide6 was). True if the hook was found."""
    import PySide6.QtCore  # noqa: F401  # loads the feature module whose hook is replaced

    found = False
    for module in list(sys.modules.values()):
        hook = getattr(module, _HOOK, None)
        if callable(hook) and getattr(module, "feature_imported", None) is not None:
            if not getattr(hook, "traystatus", False):
                setattr(module, _HOOK, _file_mentions_pyside(hook))
            found = True
    linecache.clearcache()
    return found
