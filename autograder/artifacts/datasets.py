"""`tf.data` datasets as records: saved with `Dataset.save` (element spec as protobuf, never
pickled), one folder per dataset of a tuple or list; a dataset that repeats is saved up to
MAX_ELEMENTS batches and repeats again when loaded."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

MAX_ELEMENTS = 2000


def datasets_in(value, tf) -> list | None:
    """The datasets in `value` (one, or a tuple/list of them), else None."""
    if isinstance(value, tf.data.Dataset):
        return [value]
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, tf.data.Dataset) for v in value):
        return list(value)
    return None


def save(value, folder: Path, name: str, input_shape=None) -> dict | None:
    tf = sys.modules.get("tensorflow")  # a dataset means TensorFlow is loaded; never load it here
    parts = datasets_in(value, tf) if tf is not None else None
    if parts is None:
        return None
    target = folder / f"{name}.datasets"
    shutil.rmtree(target, ignore_errors=True)
    repeats = []
    for index, dataset in enumerate(parts):
        cardinality = int(dataset.cardinality())
        repeats.append(cardinality == int(tf.data.INFINITE_CARDINALITY))
        if cardinality < 0 or cardinality > MAX_ELEMENTS:  # repeats, or of unknown size
            dataset = dataset.take(MAX_ELEMENTS)
        dataset.save(str(target / str(index)))
    return {"kind": "datasets", "single": not isinstance(value, (tuple, list)),
            "container": type(value).__name__, "repeats": repeats}


def load(folder: Path, name: str, record: dict):
    import tensorflow as tf  # only where a dataset was saved: a quiz's checks never load it

    parts = []
    for index, repeats in enumerate(record["repeats"]):
        dataset = tf.data.Dataset.load(str(folder / f"{name}.datasets" / str(index)))
        parts.append(dataset.repeat() if repeats else dataset)
    if record["single"]:
        return parts[0]
    return list(parts) if record["container"] == "list" else tuple(parts)


KINDS = ("datasets",)
