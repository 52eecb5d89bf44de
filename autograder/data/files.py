"""File system steps that leave nothing half-written: staging folders beside the target, renames
that swap all or nothing, hard links into the cache where possible."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

CHUNK = 1 << 20
STAMP = ".stamp.json"  # a cache entry's record of what was verified (autograder.data.cache)


def walk_files(root: Path) -> list[str]:
    """Relative POSIX paths of the regular files below `root` (symlinks are not followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for fn in filenames:
            found.append((Path(dirpath) / fn).relative_to(root).as_posix())
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_file(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)  # not copy2: mirror files may be read-only, the cache should not be


def link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not supported
        copy_file(src, dst)


def link_tree(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for rel in walk_files(src):
        if rel == STAMP:
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        link_or_copy(src / rel, dst / rel)


def rmtree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


@contextlib.contextmanager
def staging_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder beside the final place (same file system, so renames are atomic)."""
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o755)  # mkdtemp's 0700 would stick to a cache entry renamed from it
    try:
        yield path
    finally:  # also on KeyboardInterrupt: nothing half-written stays behind
        rmtree(path)


def remove_stale(parent: Path, prefixes: list[str]) -> None:
    """Leftovers of a killed process (called under the cache lock, so none is in use)."""
    if parent.is_dir():
        for entry in parent.iterdir():
            if entry.name.startswith(tuple(prefixes)):
                rmtree(entry)


def swap_in(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each new entry over its target; all or nothing (rolled back on failure)."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for new, target in pairs:
            old = None
            if target.exists() or target.is_symlink():
                old = target.with_name(f".old-{target.name}-{os.urandom(4).hex()}")
                os.rename(target, old)
            done.append((target, old))
            os.rename(new, target)
    except BaseException:
        for target, old in reversed(done):
            if old is not None:
                if target.exists() or target.is_symlink():
                    rmtree(target)
                os.rename(old, target)
        raise
    for _, old in done:
        if old is not None:
            rmtree(old)
