"""Linux namespaces and file access: what the system lets the grader take from a kernel (its
network, its view of the file system) and which folders a kernel's uid can reach."""
from __future__ import annotations

import functools
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


@functools.cache
def namespace_prefix() -> tuple[tuple[str, ...], bool]:
    """(command prefix that runs a program without network, whether it can also hide folders).

    Tried in order: a network + mount namespace (root, or an unprivileged user namespace),
    then a network namespace alone; () where this system permits neither.
    """
    unshare = shutil.which("unshare")
    if not unshare:
        return (), False
    with tempfile.TemporaryDirectory() as probe:
        for prefix, hides in (((unshare, "--net", "--mount"), True),
                              ((unshare, "--map-root-user", "--net", "--mount"), True),
                              ((unshare, "--net"), False),
                              ((unshare, "--map-root-user", "--net"), False)):
            test = ["sh", "-c", 'mount -t tmpfs none "$1"', "sh", probe] if hides else ["true"]
            try:
                if subprocess.run([*prefix, *test], capture_output=True, timeout=10).returncode == 0:
                    return prefix, hides
            except (OSError, subprocess.TimeoutExpired):
                continue
    return (), False


def kernel_isolation() -> bool:
    """Whether grading kernels can run as their own unprivileged uid: the grader is root (only
    root can switch users) and the mount namespace works (root-owned covers the kernel cannot lift)."""
    return os.geteuid() == 0 and namespace_prefix()[1] and shutil.which("setpriv") is not None


def may(path: str, uid: int, bits: int) -> bool:
    """Whether `uid` (whose only group is the gid of the same number) has `bits` (4 read,
    2 write, 1 enter) on `path`."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    shift = 6 if info.st_uid == uid else 3 if info.st_gid == uid else 0
    return (info.st_mode >> shift) & bits == bits


def closed_ancestor(path: str, uid: int) -> str | None:
    """The highest folder above `path` that `uid` cannot pass through, if any."""
    for folder in reversed(Path(os.path.realpath(path)).parents):
        if not may(str(folder), uid, 1):
            return str(folder)
    return None


def under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def python_folders() -> list[str]:
    """The folders the kernel's Python reads: the interpreter, the environment, this package."""
    candidates = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                  os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable)),
                  str(Path(__file__).resolve().parent.parent),
                  *(entry for entry in sys.path if entry and os.path.isabs(entry))}
    return sorted({os.path.realpath(path) for path in candidates if os.path.isdir(path)})


def exposures(uid: int) -> list[tuple[str, str]]:
    """(folder, closed ancestor) for each Python folder `uid` may read but cannot reach, e.g.
    an interpreter installed under root's home (pyenv): the kernel's mount namespace covers the
    closed ancestor with an empty file system and mounts the folder back at its own path."""
    found: list[tuple[str, str]] = []
    for folder in python_folders():  # sorted: a folder comes before the folders inside it
        closed = closed_ancestor(folder, uid)
        if closed is None or closed == "/" or not may(folder, uid, 5):
            continue
        if not any(under(folder, exposed) for exposed, _ in found):
            found.append((folder, closed))
    return found


def covers(hidden: list[str]) -> list[str]:
    return [f"mount -t tmpfs -o size=64k none {shlex.quote(p)}" if os.path.isdir(p)
            else f"mount --bind /dev/null {shlex.quote(p)}" for p in hidden]
