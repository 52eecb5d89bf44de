"""Temporary folders named after the process that made them (host and pid), so that a later job
removes those of a process that was killed (a Dask worker, a batch ended with SIGKILL) instead of
leaving them behind forever."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path


def tag(prefix: str) -> str:
    """`prefix` followed by this host and process: what `remove_abandoned` looks for."""
    return f"{prefix}{socket.gethostname()}-{os.getpid()}-"


def folder(prefix: str, parent: str | Path | None = None) -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix=tag(prefix), dir=parent)


FILES = "autograder-files-"


@contextlib.contextmanager
def temporary_files():
    """Python's temporary files made in the block (nbgrader's alembic.ini while it creates a
    gradebook, for one) go to a folder named after this process: found if it is killed."""
    previous = tempfile.tempdir
    with folder(FILES) as path:
        tempfile.tempdir = path
        try:
            yield path
        finally:
            tempfile.tempdir = previous


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_abandoned(prefix: str, parent: str | Path | None = None) -> None:
    """Remove `prefix` folders in `parent` (the temporary folder) made on this host by a process
    that no longer runs. Folders of other hosts (a cache shared over the network) are left alone."""
    parent = Path(parent or tempfile.gettempdir())
    pattern = re.compile(re.escape(f"{prefix}{socket.gethostname()}-") + r"(\d+)-")
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        found = pattern.match(entry.name)
        if found and not _alive(int(found.group(1))) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)  # another job may be removing it too
