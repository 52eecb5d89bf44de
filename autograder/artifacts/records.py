"""Records: one JSON file per saved name in the notebook's ARTIFACTS_DIR, plus the files its codec
writes (`<name>.keras`, `<name>.npy`, `<name>.datasets/`…). The codec table below says which
module saves and loads each kind; the kernel writes records (autograder.kernel.save), the
checks' fresh process reads them (`load`), and no learner code runs while reading."""
from __future__ import annotations

import json
from pathlib import Path

from autograder.artifacts import callbacks, datasets, images, models, values
from autograder.artifacts.values import recreated_error

# Each kind's codec: `load(folder, name, record)`; values are tried in this order when saved.
CODECS = {kind: codec for codec in (models, datasets, values, callbacks, images) for kind in codec.KINDS}
VALUE_CODECS = (models, datasets)  # before values, which takes anything
PLAIN_OBJECTS = "Build it from the plain Keras, tf.data and numpy objects the task asks for."


def save_value(value, folder: Path, name: str, input_shape=None) -> dict:
    for codec in VALUE_CODECS:
        record = codec.save(value, folder, name, input_shape)
        if record is not None:
            return record
    return values.save(value, folder, name)


def load(folder: Path) -> tuple[dict, dict[str, str]]:
    """The namespace the checks see, rebuilt without learner code from what was saved, and
    for each name that could not be saved or loaded, why."""
    namespace, problems = {}, {}
    for manifest in sorted(folder.glob("*.json")):
        name = manifest.stem
        try:
            record = json.loads(manifest.read_text())
            kind = record.get("kind")
            if kind == "undefined":
                continue  # the check says the name is not defined, as it would in the kernel
            if kind == "unsaved":
                problems[name] = record.get("message") or (
                    f"`{name}`: the grader could not save it ({record.get('reason')}). {PLAIN_OBJECTS}")
                continue
            if kind == "error":
                namespace[name] = _raiser(recreated_error(*record["error"]))
                continue
            if kind not in CODECS:
                raise ValueError(f"unknown record kind {kind!r}")
            value = CODECS[kind].load(folder, name, record)
        except Exception as error:
            problems[name] = f"`{name}`: the grader could not load it ({type(error).__name__}: {error}). {PLAIN_OBJECTS}"
            continue
        namespace[name] = (lambda v=value: v) if record.get("call") else value
    return namespace, problems


def _raiser(error: Exception):
    def fail():
        raise error

    return fail
