"""In the grading kernel: save the learner objects a hidden test reads, as records.

A name that is missing, a call that raises, an object that cannot be kept: each is recorded
too, so that the check outside gives the learner the message it would have given in the kernel.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.artifacts import ARTIFACTS_DIR, callbacks, images, records
from autograder.artifacts.behaviour import NotRebuildable
from autograder.artifacts.source import source_of
from autograder.checking.errors import GraderError

_saved: set[str] = set()  # names saved by this kernel; files of an earlier run of the same name are replaced


def save_for_test(test_name: str, names: dict[str, str], namespace: dict, input_shape=None) -> None:
    """Save what `test_name` reads (`names`: name -> how) into ARTIFACTS_DIR of the kernel's cwd."""
    if not names:
        raise GraderError(f"the grader has nothing to save for {test_name!r}: list it in the module's VERIFY")
    folder = Path(ARTIFACTS_DIR)  # relative: the notebook's folder is the kernel's cwd
    for name in names:
        if name not in _saved:
            for stale in folder.glob(f"{name}.*"):
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
            _saved.add(name)
    save(namespace, names, folder, input_shape)


def save(namespace: dict, names: dict[str, str], folder: Path, input_shape=None) -> None:
    """Save each name once. `input_shape`: the one the task gives its model, for a model saved
    before it was built."""
    folder.mkdir(exist_ok=True)
    for name, how in names.items():
        if (folder / f"{name}.json").exists():
            continue
        try:
            record = _record(namespace, name, how, folder, input_shape)
        except NotRebuildable as refusal:  # the learner's own code inside a model: the message says what to write
            record = {"kind": "unsaved", "message": str(refusal)}
        except Exception as error:  # the object exists but cannot be kept
            record = {"kind": "unsaved", "reason": f"{type(error).__name__}: {error}"}
        (folder / f"{name}.json").write_text(json.dumps(record))


def _record(namespace: dict, name: str, how: str, folder: Path, input_shape=None) -> dict:
    if name not in namespace:
        return {"kind": "undefined"}
    value = namespace[name]
    if how == "source":
        return {"kind": "json", "value": source_of(value)}
    if how == "callback":
        return callbacks.save(value)
    if how == "images-function":
        return images.save(value, folder, name)
    if how == "call":
        try:
            value = value()
        except Exception as error:
            return {"kind": "error", "call": True, "error": [type(error).__name__, str(error)]}
    return {**records.save_value(value, folder, name, input_shape), "call": how == "call"}
