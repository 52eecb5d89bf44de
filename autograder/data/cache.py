"""The verified cache: one folder per data set with a stamp of what was verified, and a lock."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Iterator

from autograder.data.catalogue import CACHE_ENV, Dataset
from autograder.data.checks import read_manifest
from autograder.data.files import STAMP, walk_files

_STAMP_FORMAT = 1


def cache_dir() -> Path:
    """`$AUTOGRADER_CACHE_DIR`, else `$XDG_CACHE_HOME/tf-intro-autograder` or `~/.cache/…`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "tf-intro-autograder"




def result_path(ds: Dataset, root: Path) -> Path:
    return root / ds.sources[0].filename if ds.kind == "npz" else root


def placements(ds: Dataset) -> list[tuple[str, str]]:
    """(path in the cache entry, name in the data folder) of what place() puts there."""
    if ds.kind == "npz":
        return [(ds.sources[0].filename, ds.sources[0].filename)]
    if ds.kind == "zip-manifest":
        return [(s.folder, s.folder) for s in ds.sources]
    return [(".", ds.name)]  # the whole entry (<class>/ folders), as <dest>/<name>/


def expected_check(ds: Dataset, variant: str) -> str:
    """The verification key a stamp must carry; changes when the package's expectations do."""
    if variant == "reduced":
        return ds.reduced_sha256
    if ds.kind == "npz":
        return hashlib.sha256(json.dumps(ds.arrays, sort_keys=True).encode()).hexdigest()
    if ds.kind == "zip-manifest":
        digest = hashlib.sha256()
        for src in ds.sources:
            digest.update(json.dumps(sorted(read_manifest(src).items())).encode())
        return digest.hexdigest()
    return ",".join(s.sha256 or "" for s in ds.sources)


def file_state(root: Path) -> dict[str, list[int]]:
    state = {}
    for rel in walk_files(root):
        if rel != STAMP:
            st = (root / rel).stat()
            state[rel] = [st.st_size, st.st_mtime_ns]
    return state


def write_stamp(ds: Dataset, root: Path, variant: str, source: str) -> None:
    """Record the verified content; the file states let a later fetch skip re-verifying."""
    stamp = {
        "format": _STAMP_FORMAT,
        "name": ds.name,
        "variant": variant,
        "check": expected_check(ds, variant),
        "source": source,
        "files": file_state(root),
    }
    (root / STAMP).write_text(json.dumps(stamp, indent=1, sort_keys=True))


def valid_stamp(ds: Dataset, root: Path) -> dict | None:
    """The stamp of a cache entry whose files are exactly those verified, unchanged; else None."""
    try:
        stamp = json.loads((root / STAMP).read_text())
        if (
            stamp.get("format") != _STAMP_FORMAT or stamp.get("name") != ds.name
            or stamp.get("variant") not in ("official", "reduced")
            or stamp.get("check") != expected_check(ds, stamp["variant"])
            or stamp.get("files") != file_state(root)
            or not stamp["files"]
        ):
            return None
        return stamp
    except (OSError, ValueError, AttributeError):
        return None


@contextlib.contextmanager
def cache_lock() -> Iterator[None]:
    """Serialise cache changes between processes (POSIX; elsewhere a no-op)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
