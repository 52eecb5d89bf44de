"""Tests of autograder.data: the real mirror where it matters, small generated data elsewhere."""
from __future__ import annotations

import dataclasses
import hashlib
import http.server
import os
import threading
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from autograder import data
from autograder.data import DataError, checks, fetching, files
from autograder.data import cache as data_cache

REPO = Path(__file__).resolve().parents[2]


def _find_mirror() -> Path | None:
    # Read once at import: every test then removes the variable so that nothing is implicit.
    candidate = os.environ.get("AUTOGRADER_DATA_MIRROR") or REPO.parent / "shared" / "data"
    return Path(candidate) if Path(candidate).is_dir() else None


MIRROR = _find_mirror()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("AUTOGRADER_CACHE_DIR", str(root))
    monkeypatch.delenv("AUTOGRADER_DATA_MIRROR", raising=False)
    return root


def _leftovers(root: Path) -> list[str]:
    """What a failed fetch left in the cache (the lock file is expected to stay)."""
    return sorted(p.name for p in root.iterdir() if p.name != ".lock") if root.exists() else []


def _mirror_with(*names: str) -> Path:
    if MIRROR is None:
        pytest.skip("no data mirror: set AUTOGRADER_DATA_MIRROR or provide ../shared/data")
    for name in names:
        if not (MIRROR / name).exists():
            pytest.skip(f"the data mirror {MIRROR} has no {name}")
    return MIRROR


def _sha(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a)).hexdigest()


def _write_zip(path: Path, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _patch(monkeypatch, name: str, source_changes: dict | None = None, **changes) -> data.Dataset:
    """Swap a registry entry for a variant pointing at generated data."""
    ds = data.DATASETS[name]
    if source_changes:
        changes["sources"] = (dataclasses.replace(ds.sources[0], **source_changes), *ds.sources[1:])
    ds = dataclasses.replace(ds, **changes)
    monkeypatch.setitem(data.DATASETS, name, ds)
    return ds


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch):
    """A 6+4 image "mnist" whose expected hashes are registered: fast, and can be tampered with."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, (6,), dtype=np.uint8),
        "x_test": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, (4,), dtype=np.uint8),
    }
    mirror = tmp_path / "tiny-mirror"
    mirror.mkdir()
    np.savez(mirror / "mnist.npz", **arrays)
    _patch(
        monkeypatch, "mnist",
        source_changes={"url": (mirror / "mnist.npz").as_uri()},
        arrays={k: (str(a.dtype), a.shape, _sha(a)) for k, a in arrays.items()},
    )
    return SimpleNamespace(mirror=mirror, arrays=arrays)


@pytest.fixture
def tiny_happy(tmp_path, monkeypatch):
    """A 3+2 image happy-or-sad zip inside one top folder (layout is normalised on extraction)."""
    mirror = tmp_path / "happy-mirror"
    mirror.mkdir()
    members = {f"top/happy/h{i}.png": f"happy {i}".encode() for i in range(3)}
    members |= {f"top/sad/s{i}.png": f"sad {i}".encode() for i in range(2)}
    members["__MACOSX/top/happy/._h0.png"] = b"resource fork"  # OS litter must be skipped
    sha = _write_zip(mirror / "happy-or-sad.zip", members)
    _patch(monkeypatch, "happy-or-sad", source_changes={"sha256": sha, "url": (mirror / "happy-or-sad.zip").as_uri()})
    return mirror


# --------------------------------------------------------------------------- cache location


def test_cache_dir_defaults(tmp_path, monkeypatch):
    assert data.cache_dir() == tmp_path / "cache"
    monkeypatch.delenv("AUTOGRADER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data.cache_dir() == tmp_path / "xdg" / "tf-intro-autograder"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.cache_dir() == tmp_path / "home" / ".cache" / "tf-intro-autograder"


# --------------------------------------------------------------------------- the real mirror


def test_mnist_from_mirror(cache):
    mirror = _mirror_with("mnist.npz")
    path = data.fetch("mnist", mirror=mirror, progress=False)
    assert path == cache / "mnist" / "mnist.npz" and data.variant("mnist") == "official"
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,) and x_train.dtype == np.uint8
    # the README's known facts
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert round(float(x_train.mean()), 3) == 33.318

    # A second fetch trusts the stamp: no copy, no re-verification.
    before = path.stat()
    start = time.perf_counter()
    assert data.fetch("mnist", mirror=mirror, progress=False) == path
    assert time.perf_counter() - start < 0.2
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    dest = cache.parent / "assignment" / "data"
    data.place("mnist", dest)
    assert (dest / "mnist.npz").samefile(path)  # hard link into the cache


def test_happy_or_sad_from_mirror(cache):
    mirror = _mirror_with("happy-or-sad.zip")
    root = data.fetch("happy-or-sad", mirror=mirror, progress=False)
    assert sorted(p.name for p in root.iterdir()) == [".stamp.json", "happy", "sad"]
    dest = cache.parent / "data"
    for _ in range(2):  # idempotent
        data.place("happy-or-sad", dest)
        assert len(list((dest / "happy-or-sad" / "happy").glob("*.png"))) == 40
        assert len(list((dest / "happy-or-sad" / "sad").glob("*.png"))) == 40
    assert sorted(os.listdir(dest)) == ["happy-or-sad"]  # no temp or stamp files placed


def test_reduced_copy_follows_the_environment(cache, monkeypatch):
    mirror = _mirror_with("horse-or-human-reduced")
    monkeypatch.setenv("AUTOGRADER_ALLOW_REDUCED", "0")
    with pytest.raises(DataError, match="allow_reduced=True"):
        data.fetch("horse-or-human", mirror=mirror, progress=False)
    monkeypatch.setenv("AUTOGRADER_ALLOW_REDUCED", "1")
    data.fetch("horse-or-human", mirror=mirror, progress=False)
    assert data.variant("horse-or-human") == "reduced"


def test_horse_or_human_reduced_from_mirror(cache):
    mirror = _mirror_with("horse-or-human-reduced")
    with pytest.raises(DataError, match="allow_reduced=True") as err:
        data.fetch("horse-or-human", mirror=mirror, allow_reduced=False, progress=False)
    assert "--reduced" in str(err.value) and "AUTOGRADER_ALLOW_REDUCED=1" in str(err.value)
    assert _leftovers(cache) == []

    data.fetch("horse-or-human", mirror=mirror, allow_reduced=True, progress=False)
    assert data.variant("horse-or-human") == "reduced"
    dest = cache.parent / "data"
    data.place("horse-or-human", dest)
    count = lambda *p: len(list(dest.joinpath(*p).glob("*.png")))
    assert (count("horse-or-human", "horses"), count("horse-or-human", "humans")) == (500, 527)
    assert (count("validation-horse-or-human", "horses"), count("validation-horse-or-human", "humans")) == (128, 128)
    assert (dest / "horse-or-human-VARIANT.txt").read_text().strip() == "reduced"

    # A cached reduced copy is not handed to a caller who did not ask for it.
    with pytest.raises(DataError, match="allow_reduced=True"):
        data.fetch("horse-or-human", mirror=mirror, allow_reduced=False, progress=False)


def test_packaged_manifests_cover_the_published_images():
    train, validation = (checks.read_manifest(s) for s in data.DATASETS["horse-or-human"].sources)
    assert len(train) == 1027 and len(validation) == 256
    assert sum(k.startswith("horses/") for k in train) == 500
    assert sum(k.startswith("humans/") for k in validation) == 128


# --------------------------------------------------------------------------- errors


def test_mirror_folder_missing(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="does not exist") as err:
        data.fetch("mnist", mirror=tmp_path / "nowhere")
    assert "mnist.npz" in str(err.value) and data.DATASETS["mnist"].sources[0].url in str(err.value)
    monkeypatch.setenv("AUTOGRADER_DATA_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match=r"\$AUTOGRADER_DATA_MIRROR"):
        data.fetch("mnist")


def test_file_missing_in_mirror(tmp_path, cache):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError) as err:
        data.fetch("mnist", mirror=empty)
    msg = str(err.value)
    for part in ("mnist.npz", str(empty), data.DATASETS["mnist"].sources[0].url, "AUTOGRADER_DATA_MIRROR", "--mirror"):
        assert part in msg
    assert _leftovers(cache) == []


def test_unknown_dataset():
    with pytest.raises(DataError, match="known: mnist"):
        data.fetch("cifar")


def test_corrupt_mnist_is_refused(tiny_mnist, cache):
    changed = dict(tiny_mnist.arrays, x_train=tiny_mnist.arrays["x_train"] ^ 1)
    np.savez(tiny_mnist.mirror / "mnist.npz", **changed)
    with pytest.raises(DataError, match="content of x_train differs"):
        data.fetch("mnist", mirror=tiny_mnist.mirror)
    assert _leftovers(cache) == []

    np.savez(tiny_mnist.mirror / "mnist.npz", **dict(tiny_mnist.arrays, y_test=np.zeros(5, np.uint8)))
    with pytest.raises(DataError, match="y_test is uint8 \\(5,\\), expected uint8 \\(4,\\)"):
        data.fetch("mnist", mirror=tiny_mnist.mirror)
    (tiny_mnist.mirror / "mnist.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match="cannot be read"):
        data.fetch("mnist", mirror=tiny_mnist.mirror)
    assert _leftovers(cache) == []


def test_changed_cache_file_is_fetched_again(tiny_mnist, cache):
    path = data.fetch("mnist", mirror=tiny_mnist.mirror)
    with open(path, "ab") as f:  # size changes: the stamp no longer matches
        f.write(b"junk")
    assert data.fetch("mnist", mirror=tiny_mnist.mirror) == path
    checks.read_npz(data.DATASETS["mnist"], path)  # valid again
    path.unlink()
    data.fetch("mnist", mirror=tiny_mnist.mirror)
    assert path.is_file()


def test_load_mnist_does_not_trust_the_stamp(tiny_mnist, monkeypatch):
    # A learner rewrites the cached arrays keeping size and mtime: only hashing notices.
    monkeypatch.setenv("AUTOGRADER_DATA_MIRROR", str(tiny_mnist.mirror))
    path = data.fetch("mnist")
    st = path.stat()
    np.savez(path, **dict(tiny_mnist.arrays, y_train=tiny_mnist.arrays["y_train"] + 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert data.fetch("mnist") == path  # the quick check is fooled…
    (x_train, y_train), _ = data.load_mnist()  # …load_mnist is not: it fetched a good copy
    np.testing.assert_array_equal(y_train, tiny_mnist.arrays["y_train"])
    checks.read_npz(data.DATASETS["mnist"], path)


def test_interrupted_fetch_leaves_nothing(tiny_mnist, cache, monkeypatch):
    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(fetching, "read_npz", interrupt)
    with pytest.raises(KeyboardInterrupt):
        data.fetch("mnist", mirror=tiny_mnist.mirror)
    assert _leftovers(cache) == []


def test_happy_zip_layout_is_normalised(tiny_happy, cache):
    root = data.fetch("happy-or-sad", mirror=tiny_happy)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png")) == [
        "happy/h0.png", "happy/h1.png", "happy/h2.png", "sad/s0.png", "sad/s1.png",
    ]


def test_wrong_sha256_and_corrupt_zip_are_refused(tiny_happy, cache, monkeypatch):
    zip_path = tiny_happy / "happy-or-sad.zip"
    _write_zip(zip_path, {"happy/h0.png": b"other", "sad/s0.png": b"images"})
    with pytest.raises(DataError, match="sha256 differs") as err:
        data.fetch("happy-or-sad", mirror=tiny_happy)
    assert "happy-or-sad.zip" in str(err.value) and "AUTOGRADER_DATA_MIRROR" in str(err.value)
    assert _leftovers(cache) == []

    # Bytes that are not a zip, with a matching hash: the zip reader must fail cleanly.
    zip_path.write_bytes(b"PK\x03\x04 truncated")
    _patch(monkeypatch, "happy-or-sad", source_changes={"sha256": hashlib.sha256(zip_path.read_bytes()).hexdigest()})
    with pytest.raises(DataError, match="not a readable zip"):
        data.fetch("happy-or-sad", mirror=tiny_happy)
    assert _leftovers(cache) == []


@pytest.mark.parametrize("evil", ["../evil.png", "/tmp/evil.png", "happy/../../evil.png"])
def test_path_traversal_member_is_refused(tmp_path, cache, monkeypatch, evil):
    mirror = tmp_path / "m"
    mirror.mkdir()
    sha = _write_zip(mirror / "happy-or-sad.zip", {"happy/h.png": b"h", "sad/s.png": b"s", evil: b"x"})
    _patch(monkeypatch, "happy-or-sad", source_changes={"sha256": sha})
    with pytest.raises(DataError, match="unsafe path"):
        data.fetch("happy-or-sad", mirror=mirror)
    assert not (tmp_path / "evil.png").exists() and not (cache / "evil.png").exists()
    assert _leftovers(cache) == []


def test_zip_bomb_caps(tmp_path, cache, monkeypatch):
    mirror = tmp_path / "m"
    mirror.mkdir()
    members = {"happy/h.png": b"\0" * 100_000, "sad/s.png": b"s"}  # deflates to ~100 bytes
    sha = _write_zip(mirror / "happy-or-sad.zip", members)
    _patch(monkeypatch, "happy-or-sad", source_changes={"sha256": sha, "max_bytes": 10_000})
    with pytest.raises(DataError, match="unpacks to more than 10000 bytes"):
        data.fetch("happy-or-sad", mirror=mirror)
    _patch(monkeypatch, "happy-or-sad", source_changes={"sha256": sha, "max_members": 1})
    with pytest.raises(DataError, match="more than the 1 expected"):
        data.fetch("happy-or-sad", mirror=mirror)
    assert _leftovers(cache) == []


def test_manifest_verification(tmp_path, cache, monkeypatch):
    # The official horse-or-human images are not available offline: exercise the same code
    # path with generated zips and a generated manifest.
    images = {"horses/a.png": b"horse", "humans/b.png": b"human"}
    manifest = {k: (hashlib.sha256(v).hexdigest(), len(v)) for k, v in images.items()}
    monkeypatch.setattr(fetching, "read_manifest", lambda src: manifest)
    monkeypatch.setattr(data_cache, "read_manifest", lambda src: manifest)
    mirror = tmp_path / "m"
    mirror.mkdir()
    for name in ("horse-or-human.zip", "validation-horse-or-human.zip"):
        _write_zip(mirror / name, {**images, "horses/extra.png": b"not published"})
    root = data.fetch("horse-or-human", mirror=mirror, allow_reduced=True)
    assert data.variant("horse-or-human") == "official"  # official files win over reduced
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png")) == [
        f"{split}/{k}" for split in ("horse-or-human", "validation-horse-or-human") for k in sorted(images)
    ]  # the unpublished extra is not cached
    dest = tmp_path / "data"
    data.place("horse-or-human", dest)
    assert (dest / "horse-or-human-VARIANT.txt").read_text().strip() == "official"

    _write_zip(mirror / "validation-horse-or-human.zip", {**images, "humans/b.png": b"changed"})
    (root / "horse-or-human" / "horses" / "a.png").unlink()  # force a new fetch
    with pytest.raises(DataError, match="humans/b.png differs from the published image"):
        data.fetch("horse-or-human", mirror=mirror)
    _write_zip(mirror / "validation-horse-or-human.zip", {"horses/a.png": b"horse"})
    with pytest.raises(DataError, match="lacks 1 of the 2 published images"):
        data.fetch("horse-or-human", mirror=mirror)
    assert _leftovers(cache) == ["horse-or-human"]  # no temp folders; the bad zips were not cached…
    (mirror / "validation-horse-or-human.zip").unlink()
    with pytest.raises(DataError, match="has no validation-horse-or-human.zip"):
        data.fetch("horse-or-human", mirror=mirror)
    assert (dest / "horse-or-human" / "horses" / "a.png").read_bytes() == b"horse"  # …nor the placed copy


def test_place_failure_leaves_previous_state(tiny_happy, tmp_path, monkeypatch):
    dest = tmp_path / "data"
    data.fetch("happy-or-sad", mirror=tiny_happy)
    data.place("happy-or-sad", dest)
    (dest / "happy-or-sad" / "happy" / "old-marker.png").write_bytes(b"previous state")
    before = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*"))

    calls = []

    def failing_link(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        os.link(src, dst)

    monkeypatch.setattr(files, "link_or_copy", failing_link)
    with pytest.raises(DataError, match="No space left.*previous content there is unchanged"):
        data.place("happy-or-sad", dest)
    assert not [p for p in os.listdir(dest) if p.startswith(".")]  # staging removed
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == before


def test_swap_is_all_or_nothing(tmp_path):
    (tmp_path / "a").write_text("old a")
    (tmp_path / "new-a").write_text("new a")
    with pytest.raises(FileNotFoundError):  # the second new entry is missing
        files.swap_in([(tmp_path / "new-a", tmp_path / "a"), (tmp_path / "new-b", tmp_path / "b")])
    assert (tmp_path / "a").read_text() == "old a" and not (tmp_path / "b").exists()


# --------------------------------------------------------------------------- download


@pytest.fixture
def http_server():
    """A local server: /<name> serves registered bytes; /short lies about its length."""
    files: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/short":
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"x" * 1000)  # then the connection closes
                return
            body = files.get(self.path.lstrip("/"))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield SimpleNamespace(files=files, url=f"http://127.0.0.1:{server.server_address[1]}/")
    server.shutdown()
    server.server_close()


def test_download_file_url(tiny_mnist, cache, capsys):
    # No mirror: the (patched) official URL, a file:// URL here, is downloaded.
    path = data.fetch("mnist", progress=True)
    assert data_cache.valid_stamp(data.DATASETS["mnist"], path.parent)["source"].startswith("file://")
    assert sorted(os.listdir(path.parent)) == [".stamp.json", "mnist.npz"]  # no .part left
    assert data.fetch("mnist") == path


def test_download_http_and_failures(tiny_happy, http_server, cache, monkeypatch):
    http_server.files["happy-or-sad.zip"] = (tiny_happy / "happy-or-sad.zip").read_bytes()
    _patch(monkeypatch, "happy-or-sad", source_changes={"url": http_server.url + "happy-or-sad.zip"})
    root = data.fetch("happy-or-sad", progress=False)
    assert sorted(os.listdir(root)) == [".stamp.json", "happy", "sad"]  # the zip itself is not kept

    for url, message in [
        (http_server.url + "short", "stopped after 1000 of 100000 bytes"),
        (http_server.url + "missing.zip", "404"),
        ((cache.parent / "absent.zip").as_uri(), "absent.zip"),
    ]:
        _patch(monkeypatch, "mnist", source_changes={"url": url})
        with pytest.raises(DataError, match=message) as err:
            data.fetch("mnist", progress=False)
        assert url in str(err.value) and "AUTOGRADER_DATA_MIRROR" in str(err.value)

    # A download that does not verify leaves nothing either.
    http_server.files["happy-or-sad.zip"] = b"PK not the published file"
    files.rmtree(root)
    with pytest.raises(DataError, match="sha256 differs"):
        data.fetch("happy-or-sad", progress=False)
    assert _leftovers(cache) == []
