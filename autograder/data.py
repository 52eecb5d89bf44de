"""Course data sets: fetch from the official address or a local mirror, verify, cache, place.

    fetch("mnist")                      # -> cached path, verified
    place("mnist", Path("assignments/c1w2-mnist-callback/data"))
    (x_train, y_train), (x_test, y_test) = load_mnist()   # re-verified on every call

Sources, in order: an already verified cache entry; a mirror folder (`mirror=` or
`$AUTOGRADER_DATA_MIRROR`, the CLI's `--mirror DIR`) holding the files under their official
names; else a download from the official address. Everything is verified by content before it
enters the cache, and every change to the cache or to a `data/` folder is built in a temporary
sibling and renamed into place, so a failure never leaves a half-written data set behind.

Cache layout (`cache_dir()`): one folder per data set, holding the data and `.stamp.json`,
which records what was verified and the size and mtime of every file, so that a later `fetch`
is a quick `stat` walk, yet a changed or missing file is noticed and fetched again.
"""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import stat
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Iterator, Mapping

import numpy as np
from tqdm import tqdm

MIRROR_ENV = "AUTOGRADER_DATA_MIRROR"
CACHE_ENV = "AUTOGRADER_CACHE_DIR"
ALLOW_REDUCED_ENV = "AUTOGRADER_ALLOW_REDUCED"
DOWNLOAD_TIMEOUT = 60  # seconds without data before a download is abandoned

_STAMP = ".stamp.json"
_STAMP_FORMAT = 1
_CHUNK = 1 << 20
_JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db")  # OS litter some zips carry; never extracted


class DataError(Exception):
    """A data set could not be fetched, verified or placed; the message says what to do."""


@dataclass(frozen=True)
class Source:
    """One file of a data set, as published."""

    filename: str  # its name in a mirror folder
    url: str
    sha256: str | None = None  # of the whole file, when the published file is fixed
    max_bytes: int = 1 << 30  # cap on download size and on uncompressed zip content
    max_members: int = 10_000  # cap on zip members
    manifest: str | None = None  # per-image manifest in autograder/manifests/
    folder: str | None = None  # where the zip's content goes inside the cached data set


@dataclass(frozen=True)
class Dataset:
    name: str
    kind: str  # "npz" | "zip-classes" | "zip-manifest"
    sources: tuple[Source, ...]
    description: str
    arrays: Mapping[str, tuple[str, tuple[int, ...], str]] = field(default_factory=dict)
    classes: tuple[str, ...] = ()  # class folders every extracted image sits in
    reduced: str | None = None  # mirror folder of an accepted reduced copy
    reduced_sha256: str | None = None  # its sorted-listing hash (see _listing_sha256)
    reduced_folders: Mapping[str, str] = field(default_factory=dict)  # its split -> cache folder


DATASETS: dict[str, Dataset] = {
    "mnist": Dataset(
        name="mnist",
        kind="npz",
        description="MNIST handwritten digits, as Keras ships it",
        sources=(
            Source(
                "mnist.npz",
                "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
                max_bytes=128 << 20,
                max_members=8,
            ),
        ),
        # Verified by array content, not file bytes, so the official file (sha256 731c5ac6…)
        # and a re-packed copy of the same arrays both pass.
        arrays={
            "x_train": ("uint8", (60000, 28, 28), "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"),
            "y_train": ("uint8", (60000,), "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
            "x_test": ("uint8", (10000, 28, 28), "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
            "y_test": ("uint8", (10000,), "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
        },
    ),
    "happy-or-sad": Dataset(
        name="happy-or-sad",
        kind="zip-classes",
        description="80 face images, happy/ 40 and sad/ 40",
        sources=(
            Source(
                "happy-or-sad.zip",
                "https://storage.googleapis.com/laurencemoroney-blog.appspot.com/happy-or-sad.zip",
                sha256="891cbe64fa5437598d9769baba2d68550dc3c688fb59523a42bfafc1a8f8cf6a",
                max_bytes=64 << 20,
                max_members=1000,
            ),
        ),
        classes=("happy", "sad"),
    ),
    "horse-or-human": Dataset(
        name="horse-or-human",
        kind="zip-manifest",
        description="horses and humans, 1027 training and 256 validation images",
        sources=(
            Source(
                "horse-or-human.zip",
                "https://storage.googleapis.com/tensorflow-1-public/course2/week3/horse-or-human.zip",
                max_bytes=512 << 20,
                max_members=5000,
                manifest="horse-or-human-train.txt",
                folder="horse-or-human",
            ),
            Source(
                "validation-horse-or-human.zip",
                "https://storage.googleapis.com/tensorflow-1-public/course2/week3/validation-horse-or-human.zip",
                max_bytes=128 << 20,
                max_members=2000,
                manifest="horse-or-human-validation.txt",
                folder="validation-horse-or-human",
            ),
        ),
        classes=("horses", "humans"),
        reduced="horse-or-human-reduced",
        reduced_sha256="c4cd8c905d63a28362f282b04497e418c431afe644b60d9fa5bdd60b48389e3f",
        reduced_folders={"train": "horse-or-human", "validation": "validation-horse-or-human"},
    ),
}


# --------------------------------------------------------------------------- public API


def cache_dir() -> Path:
    """`$AUTOGRADER_CACHE_DIR`, else `$XDG_CACHE_HOME/tf-intro-autograder` or `~/.cache/…`."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "tf-intro-autograder"


def fetch(
    name: str,
    *,
    mirror: str | os.PathLike | None = None,
    allow_reduced: bool | None = None,
    progress: bool = True,
) -> Path:
    """Make sure data set `name` is in the cache and verified; return its cache path.

    mnist -> the `mnist.npz` file; the others -> their cache folder (happy-or-sad:
    `happy/`, `sad/`; horse-or-human: `horse-or-human/` and `validation-horse-or-human/`).
    `mirror` defaults to `$AUTOGRADER_DATA_MIRROR`; without one the official address is
    downloaded. `allow_reduced=True` accepts a mirror's reduced horse-or-human copy (default:
    `$AUTOGRADER_ALLOW_REDUCED=1`). An entry already verified in the cache is returned at once,
    without looking at the mirror.
    """
    if allow_reduced is None:
        allow_reduced = os.environ.get(ALLOW_REDUCED_ENV) == "1"
    ds = _dataset(name)
    with _cache_lock():
        root = cache_dir() / name
        stamp = _valid_stamp(ds, root)
        if stamp is not None and (stamp["variant"] == "official" or allow_reduced):
            return _result_path(ds, root)
        _remove_stale(cache_dir(), [f".tmp-{name}-", f".old-{name}-"])
        try:
            mirror_dir = _mirror_dir(ds, mirror)
            try:
                with _staging(cache_dir(), f".tmp-{name}-") as staging:
                    variant, source = _build(ds, staging, mirror_dir, allow_reduced, progress)
                    _write_stamp(ds, staging, variant, source)
                    _swap_in([(staging, root)])
            except OSError as err:  # disk full, permissions, a mirror file unreadable, …
                raise DataError(
                    f"Could not store {name} in the cache {cache_dir()}: {err}. Free space or fix "
                    f"the permissions (or choose another cache with $AUTOGRADER_CACHE_DIR).\n" + _hint(ds)
                ) from None
        except DataError as err:
            if stamp is not None:  # a reduced copy is cached, but was not accepted
                raise DataError(f"{err}\n{_reduced_hint(ds)}") from None
            raise
        return _result_path(ds, root)


def variant(name: str) -> str:
    """Which copy of `name` is cached: "official" or "reduced" (only horse-or-human has two)."""
    ds = _dataset(name)
    if ds.reduced is None:
        return "official"
    stamp = _valid_stamp(ds, cache_dir() / name)
    if stamp is None:
        raise DataError(
            f"The data set {name!r} is not in the cache {cache_dir()} (or it changed since it "
            f"was verified): fetch it first (`autograder data fetch {name}`).\n"
            + _hint(ds)
        )
    return stamp["variant"]


def place(name: str, dest: str | os.PathLike) -> None:
    """Materialise the cached data set `name` in an assignment's `data/` folder `dest`.

    mnist -> `dest/mnist.npz`; happy-or-sad -> `dest/happy-or-sad/{happy,sad}/`;
    horse-or-human -> `dest/horse-or-human/`, `dest/validation-horse-or-human/` and
    `dest/horse-or-human-VARIANT.txt` ("official" or "reduced"). Files are hard links to the
    cache where possible, else copies. Everything is built beside `dest`'s entries and renamed
    over them at the end, so a failure leaves the previous state intact. Fetches with the
    defaults (mirror from the environment) if the data set is not cached yet.
    """
    ds = _dataset(name)
    dest = Path(dest)
    root = cache_dir() / name
    if _valid_stamp(ds, root) is None:
        fetch(name)
    with _cache_lock():  # no fetch may replace the cache entry while it is linked from
        stamp = _valid_stamp(ds, root)
        if stamp is None:  # changed between the two looks; rare, do not loop
            raise DataError(f"The cached data set {name!r} changed while it was being placed: retry.\n" + _hint(ds))
        try:
            _place(ds, stamp, root, dest)
        except OSError as err:
            raise DataError(
                f"Could not place {name} in {dest}: {err}. Its previous content there is unchanged; "
                f"fix the cause (space, permissions) and retry."
            ) from None


def _place(ds: Dataset, stamp: dict, root: Path, dest: Path) -> None:
    """Build the placed entries in a staging folder inside `dest`, then swap them in."""
    name = ds.name
    dest.mkdir(parents=True, exist_ok=True)
    items = [target for _, target in _placements(ds)]
    if ds.reduced is not None:
        items.append(f"{name}-VARIANT.txt")
    _remove_stale(dest, [f".place-{name}-", *(f".old-{item}-" for item in items)])
    with _staging(dest, f".place-{name}-") as staging:
        for cached, target in _placements(ds):
            if (root / cached).is_file():
                _link_or_copy(root / cached, staging / target)
            else:
                _link_tree(root / cached, staging / target)
        if ds.reduced is not None:
            (staging / f"{name}-VARIANT.txt").write_text(stamp["variant"] + "\n")
        _swap_in([(staging / item, dest / item) for item in items])


def load_mnist(*, mirror: str | os.PathLike | None = None):
    """`((x_train, y_train), (x_test, y_test))` from the cache, fetched if needed.

    The array hashes are checked on every call (the grader evaluates with these arrays, so a
    cached file that was changed after it was fetched must not be trusted); a mismatch makes
    it fetch the data set again once.
    """
    ds = DATASETS["mnist"]
    path = fetch("mnist", mirror=mirror, progress=False)
    try:
        arrays = _read_npz(ds, path)
    except DataError:
        with _cache_lock():
            _rmtree(cache_dir() / "mnist")
        arrays = _read_npz(ds, fetch("mnist", mirror=mirror, progress=False))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


# --------------------------------------------------------------------------- messages


def _dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise DataError(f"Unknown data set {name!r}; known: {', '.join(DATASETS)}.") from None


def _hint(ds: Dataset, sources: tuple[Source, ...] | None = None) -> str:
    """What to do: where the file comes from and how to use a local copy instead."""
    sources = ds.sources if sources is None else sources
    lines = [f"  {s.filename}: {s.url}" for s in sources]
    return (
        f"Official address of {ds.name}:\n" + "\n".join(lines) + "\n"
        f"Without internet access, put the file(s) under these names in a folder and point "
        f"{MIRROR_ENV}=DIR (or the option --mirror DIR) at it."
    )


def _reduced_hint(ds: Dataset) -> str:
    return (
        f"A reduced copy ({ds.reduced}/: the same images shrunk to 100x100 grayscale) is accepted "
        f"only on request: pass allow_reduced=True (command line: --reduced, or set "
        f"AUTOGRADER_ALLOW_REDUCED=1). Accuracy figures on it are not the course's."
    )


# --------------------------------------------------------------------------- building a cache entry


def _mirror_dir(ds: Dataset, mirror) -> Path | None:
    origin = "--mirror / mirror="
    if mirror is None:
        mirror, origin = os.environ.get(MIRROR_ENV) or None, f"${MIRROR_ENV}"
    if mirror is None:
        return None
    path = Path(mirror).expanduser()
    if not path.is_dir():
        raise DataError(
            f"The data mirror folder {path} (given by {origin}) does not exist or is not a folder. "
            f"Point {MIRROR_ENV}=DIR or --mirror DIR at a folder holding the data files under "
            f"their official names, or unset it to download from the official addresses.\n" + _hint(ds)
        )
    return path


def _build(ds: Dataset, staging: Path, mirror: Path | None, allow_reduced: bool, progress: bool):
    """Fill `staging` with the verified data set; return (variant, description of the source)."""
    if mirror is not None:
        present = [s for s in ds.sources if (mirror / s.filename).is_file()]
        missing = [s for s in ds.sources if s not in present]
        if missing and not present and ds.reduced and (mirror / ds.reduced).is_dir():
            if not allow_reduced:
                raise DataError(
                    f"The mirror {mirror} holds only a reduced copy of {ds.name} "
                    f"({ds.reduced}/), not the official file(s) "
                    f"{', '.join(s.filename for s in missing)}.\n" + _reduced_hint(ds) + "\n" + _hint(ds)
                )
            _build_reduced(ds, staging, mirror / ds.reduced)
            return "reduced", str(mirror / ds.reduced)
        if missing:
            names = ", ".join(s.filename for s in missing)
            raise DataError(
                f"The data mirror {mirror} has no {names} (needed for {ds.name}).\n"
                + _hint(ds, tuple(missing))
                + (f"\n{_reduced_hint(ds)}" if ds.reduced else "")
            )
        files = {s: mirror / s.filename for s in ds.sources}
        origin = str(mirror)
    else:
        # a zip is only kept extracted, so it is downloaded to a scratch folder inside staging
        scratch = staging if ds.kind == "npz" else staging / ".download"
        files = {s: _download(ds, s, scratch, progress) for s in ds.sources}
        origin = ", ".join(s.url for s in ds.sources)

    if ds.kind == "npz":
        (src,) = ds.sources
        target = staging / src.filename
        if files[src] != target:  # from a mirror: verify the copy that is cached, not the original
            _copy_file(files[src], target)
        _read_npz(ds, target)
    else:
        for src, path in files.items():
            _check_sha256(ds, src, path)
            manifest = _manifest(src) if src.manifest else None
            _extract(ds, src, path, staging / (src.folder or ""), manifest)
        _rmtree(staging / ".download")
    return "official", origin


def _download(ds: Dataset, src: Source, folder: Path, progress: bool) -> Path:
    """Download `src.url` into `folder` (inside the cache dir), with a progress bar."""
    folder.mkdir(exist_ok=True)
    target = folder / src.filename
    part = folder / (src.filename + ".part")
    try:
        with urllib.request.urlopen(src.url, timeout=DOWNLOAD_TIMEOUT) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > src.max_bytes:
                raise DataError(f"{src.url} announces {total} bytes, more than the {src.max_bytes} expected.")
            got = 0
            with open(part, "wb") as out, tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=src.filename,
                file=sys.stderr, disable=not progress, leave=False,
            ) as bar:
                while chunk := resp.read(_CHUNK):
                    got += len(chunk)
                    if got > src.max_bytes:
                        raise DataError(f"{src.url} sent more than the {src.max_bytes} bytes expected.")
                    out.write(chunk)
                    bar.update(len(chunk))
            if total is not None and got != total:
                raise DataError(f"the download stopped after {got} of {total} bytes")
    except DataError as err:
        part.unlink(missing_ok=True)
        raise DataError(f"Downloading {src.filename} failed: {err}\n" + _hint(ds, (src,))) from None
    except (OSError, ValueError, http.client.HTTPException) as err:  # HTTP errors, timeouts, DNS, …
        part.unlink(missing_ok=True)
        reason = err if isinstance(err, urllib.error.HTTPError) else getattr(err, "reason", None) or err
        raise DataError(
            f"Downloading {src.filename} from {src.url} failed: {reason}.\n" + _hint(ds, (src,))
        ) from None
    os.replace(part, target)
    return target


def _read_npz(ds: Dataset, path: Path) -> dict[str, np.ndarray]:
    """Load the arrays of an .npz and check names, dtypes, shapes and content hashes."""
    src = ds.sources[0]
    bad = f"{path} is not a valid {src.filename} for {ds.name}"
    try:
        with zipfile.ZipFile(path) as zf:  # refuse oversized members before numpy inflates them
            infos = zf.infolist()
            if len(infos) > src.max_members or sum(i.file_size for i in infos) > src.max_bytes:
                raise DataError(f"{bad}: it is larger than expected.\n" + _hint(ds))
        with np.load(path, allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(ds.arrays):
                raise DataError(f"{bad}: it holds {sorted(npz.files)}, expected {sorted(ds.arrays)}.\n" + _hint(ds))
            arrays = {key: npz[key] for key in ds.arrays}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"{bad}: it cannot be read ({err}).\n" + _hint(ds)) from None
    for key, (dtype, shape, sha) in ds.arrays.items():
        a = arrays[key]
        if a.dtype != np.dtype(dtype) or a.shape != tuple(shape):
            raise DataError(f"{bad}: {key} is {a.dtype} {a.shape}, expected {dtype} {tuple(shape)}.\n" + _hint(ds))
        if hashlib.sha256(np.ascontiguousarray(a)).hexdigest() != sha:
            raise DataError(f"{bad}: the content of {key} differs from the published data.\n" + _hint(ds))
    return arrays


def _check_sha256(ds: Dataset, src: Source, path: Path) -> None:
    if src.sha256 is not None and _file_sha256(path) != src.sha256:
        raise DataError(
            f"{path} is not the published {src.filename}: its sha256 differs from {src.sha256} "
            f"(damaged or a different version). Replace it.\n" + _hint(ds, (src,))
        )


def _manifest(src: Source) -> dict[str, tuple[str, int]]:
    """Per-image manifest `path sha256 size`, keyed by the path below the split folder."""
    text = (resources.files(__package__ or "autograder") / "manifests" / src.manifest).read_text()
    entries = {}
    for line in text.splitlines():
        if line.strip():
            path, sha, size = line.split()
            entries[PurePosixPath(path).relative_to(src.folder).as_posix()] = (sha, int(size))
    return entries


def _safe_members(ds: Dataset, src: Source, zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Regular file members with safe relative paths, OS litter dropped; refuses bad zips."""
    infos = zf.infolist()
    if len(infos) > src.max_members:
        raise DataError(f"{src.filename} has {len(infos)} members, more than the {src.max_members} expected: refused.")
    if sum(i.file_size for i in infos) > src.max_bytes:
        raise DataError(f"{src.filename} unpacks to more than {src.max_bytes} bytes: refused.")
    members = []
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name).parts
        if (
            name.startswith("/") or "\\" in name or "\x00" in name
            or ".." in parts or (parts and ":" in parts[0])
        ):
            raise DataError(f"{src.filename} has a member with an unsafe path {name!r}: refused.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise DataError(f"{src.filename} has a symbolic link member {name!r}: refused.")
        if info.is_dir() or any(p in _JUNK or p.startswith("._") for p in parts):
            continue
        members.append((info, PurePosixPath(*[p for p in parts if p != "."])))
    return members


def _normalise(ds: Dataset, src: Source, paths: list[PurePosixPath]) -> list[PurePosixPath]:
    """Map member paths to `<class>/<file>`: strip the common leading folders, if any."""
    for depth in range(0, 3):
        if paths and all(
            len(p.parts) == depth + 2 and p.parts[depth] in ds.classes and p.parts[:depth] == paths[0].parts[:depth]
            for p in paths
        ):
            return [PurePosixPath(*p.parts[depth:]) for p in paths]
    raise DataError(
        f"{src.filename} does not have the expected layout ({'/, '.join(ds.classes)}/ holding the "
        f"images, possibly inside one top folder): damaged or a different file."
    )


def _extract(ds: Dataset, src: Source, path: Path, into: Path, manifest: dict[str, tuple[str, int]] | None) -> None:
    """Extract a zip into `into/<class>/<file>`, guarded; with a manifest, only and exactly its images."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = _safe_members(ds, src, zf)
            targets = _normalise(ds, src, [p for _, p in members])
            written, seen = 0, set()
            for (info, _), rel in zip(members, targets):
                key = rel.as_posix()
                if manifest is not None and key not in manifest:
                    continue  # not part of the published set: left out of the cache
                if key in seen:
                    raise DataError(f"{src.filename} holds {key} twice: refused.")
                seen.add(key)
                out_path = into / key
                out_path.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with zf.open(info) as fin, open(out_path, "wb") as fout:
                    while chunk := fin.read(_CHUNK):
                        size += len(chunk)
                        written += len(chunk)
                        if size > info.file_size or written > src.max_bytes:  # sizes in the header lied
                            raise DataError(f"{src.filename} unpacks to more than it declares: refused.")
                        digest.update(chunk)
                        fout.write(chunk)
                if manifest is not None and (digest.hexdigest(), size) != manifest[key]:
                    raise DataError(
                        f"{src.filename}: {key} differs from the published image (sha256/size do not "
                        f"match the manifest {src.manifest}): damaged or a different version."
                    )
    except DataError as err:
        raise DataError(f"{err}\n{_hint(ds, (src,))}") from None
    except (EOFError, zlib.error, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as err:
        raise DataError(f"{path} is not a readable zip ({err}): damaged or incomplete.\n" + _hint(ds, (src,))) from None
    if manifest is not None and seen != set(manifest):
        lacking = sorted(set(manifest) - seen)
        raise DataError(
            f"{src.filename} lacks {len(lacking)} of the {len(manifest)} published images "
            f"(e.g. {lacking[0]}): incomplete or a different version.\n" + _hint(ds, (src,))
        )


def _listing_sha256(folder: Path) -> str:
    """What `cd folder && find . -type f | sort | xargs sha256sum | sha256sum` prints (C locale)."""
    lines = []
    for rel in sorted(_walk_files(folder)):
        lines.append(f"{_file_sha256(folder / rel)}  ./{rel}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _build_reduced(ds: Dataset, staging: Path, folder: Path) -> None:
    """Copy the reduced mirror folder into the cache layout, and verify the copy."""
    layout = staging / ".reduced"
    for rel in _walk_files(folder):
        parts = rel.split("/")
        if len(parts) != 3 or parts[0] not in ds.reduced_folders or parts[1] not in ds.classes:
            raise DataError(
                f"{folder} holds an unexpected file {rel} (expected "
                f"{{{','.join(ds.reduced_folders)}}}/{{{','.join(ds.classes)}}}/<image>).\n" + _hint(ds)
            )
        (layout / rel).parent.mkdir(parents=True, exist_ok=True)
        _copy_file(folder / rel, layout / rel)
    if _listing_sha256(layout) != ds.reduced_sha256:
        raise DataError(
            f"The reduced copy {folder} is not the published one: the sha256 of its sorted listing "
            f"differs from {ds.reduced_sha256} (files changed, missing or added).\n" + _hint(ds)
        )
    for split, target in ds.reduced_folders.items():
        os.rename(layout / split, staging / target)
    layout.rmdir()


# --------------------------------------------------------------------------- stamps


def _result_path(ds: Dataset, root: Path) -> Path:
    return root / ds.sources[0].filename if ds.kind == "npz" else root


def _placements(ds: Dataset) -> list[tuple[str, str]]:
    """(path in the cache entry, name in the data folder) of what place() puts there."""
    if ds.kind == "npz":
        return [(ds.sources[0].filename, ds.sources[0].filename)]
    if ds.kind == "zip-manifest":
        return [(s.folder, s.folder) for s in ds.sources]
    return [(".", ds.name)]  # the whole entry (<class>/ folders), as <dest>/<name>/


def _expected_check(ds: Dataset, variant: str) -> str:
    """The verification key a stamp must carry; changes when the package's expectations do."""
    if variant == "reduced":
        return ds.reduced_sha256
    if ds.kind == "npz":
        return hashlib.sha256(json.dumps(ds.arrays, sort_keys=True).encode()).hexdigest()
    if ds.kind == "zip-manifest":
        digest = hashlib.sha256()
        for src in ds.sources:
            digest.update(json.dumps(sorted(_manifest(src).items())).encode())
        return digest.hexdigest()
    return ",".join(s.sha256 or "" for s in ds.sources)


def _file_state(root: Path) -> dict[str, list[int]]:
    state = {}
    for rel in _walk_files(root):
        if rel != _STAMP:
            st = (root / rel).stat()
            state[rel] = [st.st_size, st.st_mtime_ns]
    return state


def _write_stamp(ds: Dataset, root: Path, variant: str, source: str) -> None:
    """Record the verified content; the file states let a later fetch skip re-verifying."""
    stamp = {
        "format": _STAMP_FORMAT,
        "name": ds.name,
        "variant": variant,
        "check": _expected_check(ds, variant),
        "source": source,
        "files": _file_state(root),
    }
    (root / _STAMP).write_text(json.dumps(stamp, indent=1, sort_keys=True))


def _valid_stamp(ds: Dataset, root: Path) -> dict | None:
    """The stamp of a cache entry whose files are exactly those verified, unchanged; else None."""
    try:
        stamp = json.loads((root / _STAMP).read_text())
        if (
            stamp.get("format") != _STAMP_FORMAT or stamp.get("name") != ds.name
            or stamp.get("variant") not in ("official", "reduced")
            or stamp.get("check") != _expected_check(ds, stamp["variant"])
            or stamp.get("files") != _file_state(root)
            or not stamp["files"]
        ):
            return None
        return stamp
    except (OSError, ValueError, AttributeError):
        return None


# --------------------------------------------------------------------------- file system helpers


def _walk_files(root: Path) -> list[str]:
    """Relative POSIX paths of the regular files below `root` (symlinks are not followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        for fn in filenames:
            found.append((Path(dirpath) / fn).relative_to(root).as_posix())
    return found


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_file(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)  # not copy2: mirror files may be read-only, the cache should not be


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system, or links not supported
        _copy_file(src, dst)


def _link_tree(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for rel in _walk_files(src):
        if rel == _STAMP:
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(src / rel, dst / rel)


def _rmtree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


@contextlib.contextmanager
def _staging(parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder beside the final place (same file system, so renames are atomic)."""
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o755)  # mkdtemp's 0700 would stick to a cache entry renamed from it
    try:
        yield path
    finally:  # also on KeyboardInterrupt: nothing half-written stays behind
        _rmtree(path)


def _remove_stale(parent: Path, prefixes: list[str]) -> None:
    """Leftovers of a killed process (called under the cache lock, so none is in use)."""
    if parent.is_dir():
        for entry in parent.iterdir():
            if entry.name.startswith(tuple(prefixes)):
                _rmtree(entry)


def _swap_in(pairs: list[tuple[Path, Path]]) -> None:
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
                    _rmtree(target)
                os.rename(old, target)
        raise
    for _, old in done:
        if old is not None:
            _rmtree(old)


@contextlib.contextmanager
def _cache_lock() -> Iterator[None]:
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
