"""Confirming results outside the learner's kernel.

Hidden checks run inside the grading kernel, beside the learner's code, which could tamper
with them (replace a module, patch a check, override how errors are shown). A check module
lists in `VERIFY` the checks whose result must also hold outside that kernel, and which
learner names they read:

    VERIFY = {"test_train_mnist_stops_early": {"history": "value"},
              "test_create_and_compile_model_compile": {"create_and_compile_model": "call"}}

("value": the object itself; "call": what calling it without arguments returns). In the
kernel, `run_check` saves those objects into ARTIFACTS_DIR beside the notebook: models as
`.keras` files, histories as JSON plus their model, plain values as JSON or `.npy`. After
the notebook ran, nbgrader's `VerifyOutsideKernel` step re-runs the listed checks in a fresh
Python process on the saved objects, where no learner code runs (models load with Keras'
safe_mode, arrays without pickle). A test cell that passed in the kernel but fails there, or
whose objects were never saved, loses its points with a message saying so.
"""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

ARTIFACTS_DIR = ".autograder-artifacts"


def verify_spec(assignment_id: str) -> dict[str, dict[str, str]]:
    """The module's VERIFY, read from its source without importing it (no TensorFlow here)."""
    from autograder.checks import check_module_path

    tree = ast.parse(check_module_path(assignment_id).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "VERIFY" for t in node.targets):
            return ast.literal_eval(node.value)
    return {}


# ---- in the kernel -------------------------------------------------------------------

def export(namespace: dict, names: dict[str, str], folder: Path) -> None:
    """Save the learner objects a verified check reads. Unsaveable objects are skipped: the
    check then cannot be confirmed, which costs its points only if it passed in the kernel."""
    folder.mkdir(exist_ok=True)
    for name, how in names.items():
        if (folder / f"{name}.json").exists() or name not in namespace:
            continue
        try:
            value = namespace[name]() if how == "call" else namespace[name]
            _save(value, folder, name, how)
        except Exception:  # the learner's object could not be produced or saved
            continue


def _save(value, folder: Path, name: str, how: str) -> None:
    import numpy as np

    record = {"call": how == "call"}
    tf = sys.modules.get("tensorflow")  # a Keras object means TensorFlow is loaded; never load it here
    if tf is not None and isinstance(value, tf.keras.callbacks.History):
        record.update(kind="history", history=_plain(value.history), epoch=list(value.epoch),
                      params=_plain(getattr(value, "params", {}) or {}))
        if isinstance(value.model, tf.keras.Model):
            value.model.save(folder / f"{name}.keras")
            record["model"] = model_summary(value.model)
    elif tf is not None and isinstance(value, tf.keras.Model):
        value.save(folder / f"{name}.keras")
        record.update(kind="model", model=model_summary(value))
    elif isinstance(value, np.ndarray):
        np.save(folder / f"{name}.npy", value, allow_pickle=False)
        record["kind"] = "array"
    elif isinstance(value, tuple) and value and all(isinstance(v, np.ndarray) for v in value):
        np.savez(folder / f"{name}.npz", *value)
        record["kind"] = "array-tuple"
    else:
        record.update(kind="json", value=_plain(value))
        json.dumps(record)  # refuse what JSON cannot hold
    (folder / f"{name}.json").write_text(json.dumps(record))


def model_summary(model) -> dict:
    """What feedback shows of a model: layers, shapes, parameters, compile settings."""
    def shape(value):
        return None if value is None else [None if d is None else int(d) for d in value]

    def layer_output(layer):
        try:
            return shape(layer.output.shape)
        except Exception:  # a layer that was never called has no output yet
            return None

    compiled = model.get_compile_config() or {}
    optimizer = getattr(model, "optimizer", None)
    return {
        "input_shape": shape(getattr(model, "input_shape", None)),
        "output_shape": shape(getattr(model, "output_shape", None)),
        "params": int(model.count_params()),
        "layers": [
            {"class": type(layer).__name__, "name": layer.name, "output_shape": layer_output(layer),
             "params": int(layer.count_params()) if layer.built else 0,
             "activation": getattr(getattr(layer, "activation", None), "__name__", None)}
            for layer in model.layers
        ],
        "loss": compiled.get("loss") if isinstance(compiled.get("loss"), str) else None,
        "metrics": [m for m in (compiled.get("metrics") or []) if isinstance(m, str)],
        "optimizer": type(optimizer).__name__ if optimizer is not None else None,
    }


def _plain(value):
    """JSON-able copy: numpy scalars to numbers, tuples kept as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):  # kept apart from lists: an answer may be either
        return {"__tuple__": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "shape", None) == ():
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__}")


# ---- in the fresh process ------------------------------------------------------------

def _tuples(obj: dict):
    return tuple(obj["__tuple__"]) if set(obj) == {"__tuple__"} else obj


def load(folder: Path) -> dict:
    """The namespace the verified checks see: only what was saved, rebuilt without learner code."""
    namespace = {}
    for manifest in sorted(folder.glob("*.json")):
        name, record = manifest.stem, json.loads(manifest.read_text())
        value = _load_value(folder, name, record)
        namespace[name] = (lambda v=value: v) if record.get("call") else value
    return namespace


def _load_value(folder: Path, name: str, record: dict):
    kind = record.get("kind")
    if kind == "json":
        return json.loads(json.dumps(record["value"]), object_hook=_tuples)
    if kind in ("array", "array-tuple"):
        import numpy as np

        if kind == "array":
            return np.load(folder / f"{name}.npy", allow_pickle=False)
        with np.load(folder / f"{name}.npz", allow_pickle=False) as arrays:
            return tuple(arrays[f"arr_{i}"] for i in range(len(arrays.files)))
    import tensorflow as tf

    if kind == "model":
        return tf.keras.models.load_model(folder / f"{name}.keras", safe_mode=True)
    if kind == "history":
        history = tf.keras.callbacks.History()
        history.history, history.epoch, history.params = record["history"], record["epoch"], record["params"]
        if record.get("model"):  # the saved model's summary; its weights are in the .keras file
            history.set_model(tf.keras.models.load_model(folder / f"{name}.keras", safe_mode=True))
        return history
    raise ValueError(f"unknown artifact kind {kind!r} for {name}")


def verify(assignment_id: str, folder: Path, tests: list[str]) -> dict[str, str | None]:
    """Re-run `tests` on the saved objects; None where a test holds, else the learner message."""
    from autograder.checks import CheckFailed, run_check

    spec = verify_spec(assignment_id)
    outcomes = {}
    try:
        namespace = load(folder) if folder.is_dir() else {}
    except Exception as error:
        return {test: f"the grader could not load what your notebook produced ({type(error).__name__}: {error})"
                for test in tests}
    for test in tests:
        missing = [name for name in spec.get(test, {}) if name not in namespace]
        if missing:
            outcomes[test] = (
                f"the grader found no record of {', '.join(f'`{n}`' for n in missing)} from your notebook. "
                "The hidden check saves it when it runs; something in the notebook stopped that "
                "(e.g. code that replaces or patches the grader)."
            )
            continue
        try:
            run_check(assignment_id, test, namespace)
            outcomes[test] = None
        except CheckFailed as failure:
            outcomes[test] = str(failure)
    return outcomes


def verify_in_fresh_process(assignment_id: str, folder: Path, tests: list[str], timeout: int = 900) -> dict[str, str | None]:
    done = subprocess.run(
        [sys.executable, "-m", "autograder.verify", assignment_id, str(folder), *tests],
        capture_output=True, text=True, timeout=timeout, cwd=folder.parent if folder.is_dir() else None,
        env={**os.environ, "AUTOGRADER_VERIFYING": "1", "CUDA_VISIBLE_DEVICES": ""},
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {test: f"the grader's verification process failed ({reason})" for test in tests}
    return json.loads(lines[-1])


def main(argv: list[str]) -> int:
    assignment_id, folder, *tests = argv
    print(json.dumps(verify(assignment_id, Path(folder), tests)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
