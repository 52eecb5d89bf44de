"""Fetching: a verified cache entry, else a mirror folder, else the official address; placing
the cached data in an assignment's `data/` folder."""
from __future__ import annotations

import http.client
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tqdm import tqdm

from autograder.data.cache import (
    cache_dir, cache_lock, placements, result_path, valid_stamp, write_stamp,
)
from autograder.data.catalogue import (
    ALLOW_REDUCED_ENV, DATASETS, MIRROR_ENV, Dataset, DataError, Source, dataset, hint, reduced_hint,
)
from autograder.data.checks import check_sha256, extract, listing_sha256, read_manifest, read_npz
from autograder.data.files import CHUNK, copy_file, link_or_copy, link_tree, remove_stale, rmtree, staging_folder, swap_in, walk_files

DOWNLOAD_TIMEOUT = 60  # seconds without data before a download is abandoned


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
    ds = dataset(name)
    with cache_lock():
        root = cache_dir() / name
        stamp = valid_stamp(ds, root)
        if stamp is not None and (stamp["variant"] == "official" or allow_reduced):
            return result_path(ds, root)
        remove_stale(cache_dir(), [f".tmp-{name}-", f".old-{name}-"])
        try:
            mirror_dir = _mirror_dir(ds, mirror)
            try:
                with staging_folder(cache_dir(), f".tmp-{name}-") as staging:
                    variant, source = _build(ds, staging, mirror_dir, allow_reduced, progress)
                    write_stamp(ds, staging, variant, source)
                    swap_in([(staging, root)])
            except OSError as err:  # disk full, permissions, a mirror file unreadable, …
                raise DataError(
                    f"Could not store {name} in the cache {cache_dir()}: {err}. Free space or fix "
                    f"the permissions (or choose another cache with $AUTOGRADER_CACHE_DIR).\n" + hint(ds)
                ) from None
        except DataError as err:
            if stamp is not None:  # a reduced copy is cached, but was not accepted
                raise DataError(f"{err}\n{reduced_hint(ds)}") from None
            raise
        return result_path(ds, root)


def variant(name: str) -> str:
    """Which copy of `name` is cached: "official" or "reduced" (only horse-or-human has two)."""
    ds = dataset(name)
    if ds.reduced is None:
        return "official"
    stamp = valid_stamp(ds, cache_dir() / name)
    if stamp is None:
        raise DataError(
            f"The data set {name!r} is not in the cache {cache_dir()} (or it changed since it "
            f"was verified): fetch it first (`autograder data fetch {name}`).\n"
            + hint(ds)
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
    ds = dataset(name)
    dest = Path(dest)
    root = cache_dir() / name
    if valid_stamp(ds, root) is None:
        fetch(name)
    with cache_lock():  # no fetch may replace the cache entry while it is linked from
        stamp = valid_stamp(ds, root)
        if stamp is None:  # changed between the two looks; rare, do not loop
            raise DataError(f"The cached data set {name!r} changed while it was being placed: retry.\n" + hint(ds))
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
    items = [target for _, target in placements(ds)]
    if ds.reduced is not None:
        items.append(f"{name}-VARIANT.txt")
    remove_stale(dest, [f".place-{name}-", *(f".old-{item}-" for item in items)])
    with staging_folder(dest, f".place-{name}-") as staging:
        for cached, target in placements(ds):
            if (root / cached).is_file():
                link_or_copy(root / cached, staging / target)
            else:
                link_tree(root / cached, staging / target)
        if ds.reduced is not None:
            (staging / f"{name}-VARIANT.txt").write_text(stamp["variant"] + "\n")
        swap_in([(staging / item, dest / item) for item in items])


def load_mnist(*, mirror: str | os.PathLike | None = None):
    """`((x_train, y_train), (x_test, y_test))` from the cache, fetched if needed.

    The array hashes are checked on every call (the grader evaluates with these arrays, so a
    cached file that was changed after it was fetched must not be trusted); a mismatch makes
    it fetch the data set again once.
    """
    ds = DATASETS["mnist"]
    path = fetch("mnist", mirror=mirror, progress=False)
    try:
        arrays = read_npz(ds, path)
    except DataError:
        with cache_lock():
            rmtree(cache_dir() / "mnist")
        arrays = read_npz(ds, fetch("mnist", mirror=mirror, progress=False))
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


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
            f"their official names, or unset it to download from the official addresses.\n" + hint(ds)
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
                    f"{', '.join(s.filename for s in missing)}.\n" + reduced_hint(ds) + "\n" + hint(ds)
                )
            _build_reduced(ds, staging, mirror / ds.reduced)
            return "reduced", str(mirror / ds.reduced)
        if missing:
            names = ", ".join(s.filename for s in missing)
            raise DataError(
                f"The data mirror {mirror} has no {names} (needed for {ds.name}).\n"
                + hint(ds, tuple(missing))
                + (f"\n{reduced_hint(ds)}" if ds.reduced else "")
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
            copy_file(files[src], target)
        read_npz(ds, target)
    else:
        for src, path in files.items():
            check_sha256(ds, src, path)
            manifest = read_manifest(src) if src.manifest else None
            extract(ds, src, path, staging / (src.folder or ""), manifest)
        rmtree(staging / ".download")
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
                while chunk := resp.read(CHUNK):
                    got += len(chunk)
                    if got > src.max_bytes:
                        raise DataError(f"{src.url} sent more than the {src.max_bytes} bytes expected.")
                    out.write(chunk)
                    bar.update(len(chunk))
            if total is not None and got != total:
                raise DataError(f"the download stopped after {got} of {total} bytes")
    except DataError as err:
        part.unlink(missing_ok=True)
        raise DataError(f"Downloading {src.filename} failed: {err}\n" + hint(ds, (src,))) from None
    except (OSError, ValueError, http.client.HTTPException) as err:  # HTTP errors, timeouts, DNS, …
        part.unlink(missing_ok=True)
        reason = err if isinstance(err, urllib.error.HTTPError) else getattr(err, "reason", None) or err
        raise DataError(
            f"Downloading {src.filename} from {src.url} failed: {reason}.\n" + hint(ds, (src,))
        ) from None
    os.replace(part, target)
    return target


def _build_reduced(ds: Dataset, staging: Path, folder: Path) -> None:
    """Copy the reduced mirror folder into the cache layout, and verify the copy."""
    layout = staging / ".reduced"
    for rel in walk_files(folder):
        parts = rel.split("/")
        if len(parts) != 3 or parts[0] not in ds.reduced_folders or parts[1] not in ds.classes:
            raise DataError(
                f"{folder} holds an unexpected file {rel} (expected "
                f"{{{','.join(ds.reduced_folders)}}}/{{{','.join(ds.classes)}}}/<image>).\n" + hint(ds)
            )
        (layout / rel).parent.mkdir(parents=True, exist_ok=True)
        copy_file(folder / rel, layout / rel)
    if listing_sha256(layout) != ds.reduced_sha256:
        raise DataError(
            f"The reduced copy {folder} is not the published one: the sha256 of its sorted listing "
            f"differs from {ds.reduced_sha256} (files changed, missing or added).\n" + hint(ds)
        )
    for split, target in ds.reduced_folders.items():
        os.rename(layout / split, staging / target)
    layout.rmdir()
