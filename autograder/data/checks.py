"""Verifying data by content: arrays by hash, zips by sha256 or per-image manifest, guarded extraction."""
from __future__ import annotations

import hashlib
import stat
import zipfile
import zlib
from importlib import resources
from pathlib import Path, PurePosixPath

import numpy as np

from autograder.data.catalogue import Dataset, DataError, Source, hint
from autograder.data.files import CHUNK, file_sha256, walk_files

_JUNK = ("__MACOSX", ".DS_Store", "Thumbs.db")  # OS litter some zips carry; never extracted


def read_npz(ds: Dataset, path: Path) -> dict[str, np.ndarray]:
    """Load the arrays of an .npz and check names, dtypes, shapes and content hashes."""
    src = ds.sources[0]
    bad = f"{path} is not a valid {src.filename} for {ds.name}"
    try:
        with zipfile.ZipFile(path) as zf:  # refuse oversized members before numpy inflates them
            infos = zf.infolist()
            if len(infos) > src.max_members or sum(i.file_size for i in infos) > src.max_bytes:
                raise DataError(f"{bad}: it is larger than expected.\n" + hint(ds))
        with np.load(path, allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(ds.arrays):
                raise DataError(f"{bad}: it holds {sorted(npz.files)}, expected {sorted(ds.arrays)}.\n" + hint(ds))
            arrays = {key: npz[key] for key in ds.arrays}
    except DataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"{bad}: it cannot be read ({err}).\n" + hint(ds)) from None
    for key, (dtype, shape, sha) in ds.arrays.items():
        a = arrays[key]
        if a.dtype != np.dtype(dtype) or a.shape != tuple(shape):
            raise DataError(f"{bad}: {key} is {a.dtype} {a.shape}, expected {dtype} {tuple(shape)}.\n" + hint(ds))
        if hashlib.sha256(np.ascontiguousarray(a)).hexdigest() != sha:
            raise DataError(f"{bad}: the content of {key} differs from the published data.\n" + hint(ds))
    return arrays


def check_sha256(ds: Dataset, src: Source, path: Path) -> None:
    if src.sha256 is not None and file_sha256(path) != src.sha256:
        raise DataError(
            f"{path} is not the published {src.filename}: its sha256 differs from {src.sha256} "
            f"(damaged or a different version). Replace it.\n" + hint(ds, (src,))
        )


def read_manifest(src: Source) -> dict[str, tuple[str, int]]:
    """Per-image manifest `path sha256 size`, keyed by the path below the split folder."""
    text = (resources.files("autograder.data") / "manifests" / src.manifest).read_text()
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


def extract(ds: Dataset, src: Source, path: Path, into: Path, manifest: dict[str, tuple[str, int]] | None) -> None:
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
                    while chunk := fin.read(CHUNK):
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
        raise DataError(f"{err}\n{hint(ds, (src,))}") from None
    except (EOFError, zlib.error, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as err:
        raise DataError(f"{path} is not a readable zip ({err}): damaged or incomplete.\n" + hint(ds, (src,))) from None
    if manifest is not None and seen != set(manifest):
        lacking = sorted(set(manifest) - seen)
        raise DataError(
            f"{src.filename} lacks {len(lacking)} of the {len(manifest)} published images "
            f"(e.g. {lacking[0]}): incomplete or a different version.\n" + hint(ds, (src,))
        )


def listing_sha256(folder: Path) -> str:
    """What `cd folder && find . -type f | sort | xargs sha256sum | sha256sum` prints (C locale)."""
    lines = []
    for rel in sorted(walk_files(folder)):
        lines.append(f"{file_sha256(folder / rel)}  ./{rel}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()
