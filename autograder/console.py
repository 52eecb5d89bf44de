"""What the user sees while a command runs: our own lines on the terminal, everything else in a
log file. nbgrader's and SQLAlchemy's warnings, TensorFlow's C++ logs (grading kernels and
workers inherit the standard error of the command) and Dask's shutdown noise go to the log,
whose path the command prints; `--verbose` shows them all as they come."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

_terminal = None  # our own line to the terminal while standard error goes to the log


def terminal():
    """Where our own messages and the progress bar go."""
    return _terminal or sys.stderr


def say(message: str) -> None:
    print(message, file=terminal(), flush=True)


def log_path(folder: Path | None, command: str) -> Path:
    """`<folder>/logs/<command>-<time>.log` (the course's state folder), else the temporary folder."""
    base = Path(folder) / "logs" if folder else Path(tempfile.gettempdir()) / "autograder-logs"
    base.mkdir(parents=True, exist_ok=True)
    return base / f"{command}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"


@contextlib.contextmanager
def quiet(path: Path | None):
    """Send the standard error of this process and its children to `path` (None: leave it)."""
    global _terminal
    if path is None:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    _terminal = os.fdopen(os.dup(saved), "w", buffering=1)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        _terminal.close()
        _terminal = None
