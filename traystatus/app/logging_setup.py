"""Logging: a rotating file in the log dir and a redacting filter on every handler."""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

from traystatus.adapters.private_files import open_private, private_dir
from traystatus.core.terminal_text import one_line, terminal_text

# Tokens and secrets that must never reach a log line.
_PATTERNS = [
    (re.compile(r"xox[abposr]-[A-Za-z0-9-]+"), "xox?-[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)(access_token|refresh_token|password|token)(\"?\s*[:=]\s*\"?)[^\s\"&,}]+"), r"\1\2[redacted]"),
    (re.compile(r"syt_[A-Za-z0-9_]+"), "syt_[redacted]"),
    # requests' connection errors name the path alone ("Max retries exceeded with url: /private-…/basic.ics")
    (re.compile(r"(with url: )[^\s'\"()]+"), r"\1/…[redacted]"),
]
# secret calendar addresses: keep scheme and host, drop userinfo (user:password@), path, query and fragment
_URL = re.compile(r"((?:https?|webcals?)://)([^@/\s'\"?#]*@)?([^/\s'\"?#]+)([/?#][^\s'\"]*)?", re.IGNORECASE)


def _redact_url(m: re.Match[str]) -> str:
    rest = m.group(4) or ""
    hidden = bool(m.group(2)) or rest not in ("", "/")
    return f"{m.group(1)}{m.group(3)}{'/…[redacted]' if hidden else rest}"


def redact(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return _URL.sub(_redact_url, text)


class RedactingFilter(logging.Filter):
    """Secrets out of every line, and escapes out too: `tail -f traystatus.log` must not run a calendar's
    escape sequences on the terminal, nor a title's newline forge a log line of its own (docs/runtime.md,
    "What the command line prints"); a traceback keeps its lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg, record.args = one_line(redact(message)), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = terminal_text(redact(logging.Formatter().formatException(record.exc_info)))
            record.exc_info = None
        return True


LOG_NAME = "traystatus.log"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (a rotation renames them, so the old ones keep it):
    the log names calendars and accounts, which other local users must not read."""

    _failing = False  # a write failed (disk full): said once on stderr, quiet until a line is written again

    def _open(self) -> io.TextIOWrapper:
        fd = open_private(Path(self.baseFilename), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        # a rotating handler always appends (its mode is "a" once maxBytes is set)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: PTH123 - an fd, not a path

    def emit(self, record: logging.LogRecord) -> None:
        super().emit(record)
        if self._failing and self.stream is not None and not self.stream.closed:
            self._failing = False  # handleError was not called this time: writing works again

    def handleError(self, record: logging.LogRecord) -> None:
        """logging prints a traceback to stderr for every line it fails to write: on a full disk that is
        one per line, forever. Say it once, with the path and the fix; the console handler still logs."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)
            return
        if not self._failing:
            self._failing = True
            from traystatus.adapters.storage_problems import storage_error

            problem = storage_error(exc, Path(self.baseFilename), "the log", kept="log lines go to stderr only.")
            sys.stderr.write(f"traystatus: {problem.title}: {problem.message}\n")
        if self.stream is not None:  # a half-written line stays buffered: drop it, open afresh next time
            with contextlib.suppress(OSError, ValueError):
                self.stream.close()
            self.stream = None


def log_file(log_dir: Path) -> Path:
    return log_dir / LOG_NAME


def setup_logging(log_dir: Path | None, *, verbose: bool = False) -> None:
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # APScheduler logs two INFO lines for every job it runs: noise that would rotate the useful lines out.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose else logging.WARNING)
    for h in list(root.handlers):
        root.removeHandler(h)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = []
    if log_dir is not None:
        try:
            private_dir(log_dir)
            handlers.append(
                PrivateRotatingFileHandler(log_file(log_dir), maxBytes=1_000_000, backupCount=3, encoding="utf-8")
            )
        except OSError as e:  # a read-only or full log dir: the app runs, logging to stderr only
            from traystatus.adapters.storage_problems import storage_error

            problem = storage_error(e, log_file(log_dir), "the log", kept="log lines go to stderr only.")
            sys.stderr.write(f"traystatus: {problem.title}: {problem.message}\n")
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    handlers.append(console)
    for h in handlers:
        h.setFormatter(fmt)
        h.addFilter(RedactingFilter())
        root.addHandler(h)
