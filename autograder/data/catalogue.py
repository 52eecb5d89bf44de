"""The data sets the course reads: where each is published and what its content must be."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

MIRROR_ENV = "AUTOGRADER_DATA_MIRROR"
CACHE_ENV = "AUTOGRADER_CACHE_DIR"
ALLOW_REDUCED_ENV = "AUTOGRADER_ALLOW_REDUCED"

STAMP = ".stamp.json"
CHUNK = 1 << 20


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
    reduced_sha256: str | None = None  # its sorted-listing hash (see listing_sha256)
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


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise DataError(f"Unknown data set {name!r}; known: {', '.join(DATASETS)}.") from None


def hint(ds: Dataset, sources: tuple[Source, ...] | None = None) -> str:
    """What to do: where the file comes from and how to use a local copy instead."""
    sources = ds.sources if sources is None else sources
    lines = [f"  {s.filename}: {s.url}" for s in sources]
    return (
        f"Official address of {ds.name}:\n" + "\n".join(lines) + "\n"
        f"Without internet access, put the file(s) under these names in a folder and point "
        f"{MIRROR_ENV}=DIR (or the option --mirror DIR) at it."
    )


def reduced_hint(ds: Dataset) -> str:
    return (
        f"A reduced copy ({ds.reduced}/: the same images shrunk to 100x100 grayscale) is accepted "
        f"only on request: pass allow_reduced=True (command line: --reduced, or set "
        f"AUTOGRADER_ALLOW_REDUCED=1). Accuracy figures on it are not the course's."
    )
