"""The hidden checks run outside the learner's kernel.

nbgrader runs hidden tests in the same kernel as the learner's code, which could tamper with
them (replace a module, patch a check, override how errors are shown) or simply read them
(thresholds, quiz answer keys). Here the grading kernel never loads a check module, and
cannot read one (autograder.execute hides them): a hidden test cell's `run_check` only saves
the learner objects that test reads. A check module lists them in `VERIFY`:

    VERIFY = {"test_train_mnist_stops_early": {"history": "value", "train_mnist": "source"},
              "test_create_and_compile_model_compile": {"create_and_compile_model": "call"},
              "test_EarlyStoppingCallback_message": {"EarlyStoppingCallback": "callback"}}

"value": the object itself; "call": what calling it without arguments returns (or the error
it raises); "source": its source text; "callback": how a fresh instance of the class reacts to
the epoch logs in CALLBACK_LOGS. Models are saved as `.keras` files, histories as JSON plus
their model, datasets with `tf.data.Dataset.save`, arrays as `.npy`, plain values as JSON,
into ARTIFACTS_DIR beside the notebook. The grader passes the spec to the kernel in the
environment (EXPORTS_ENV). After the notebook ran, nbgrader's `RunHiddenChecks` step runs
each test in a fresh Python process on the saved objects, where no learner code runs (models
load with Keras' safe_mode, arrays without pickle, datasets from protobuf).
"images-function": how the function treats `sample_images()` arrays (its results, and
whether it changed its input in place), replayed outside by a stand-in function.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.model_files import load_model, save_model

ARTIFACTS_DIR = ".autograder-artifacts"
EXPORTS_ENV = "AUTOGRADER_EXPORTS"  # JSON {test: {name: how}} for the kernel, set by GuardedExecute
MAX_DATASET_ELEMENTS = 2000  # a dataset that repeats (or is huge) is saved up to this many batches

# The epoch accuracies every learner callback class is fed in the kernel; the checks look up
# the runs they need (a check asking for another run is a course bug, caught by the tests).
# No value equals a task's threshold (0.99, 0.995): `>=` and the course's own `>` both stop
# where the task says, and no verdict hinges on an accuracy exactly at the threshold.
CALLBACK_LOGS = (
    (0.995,),
    (0.997,),
    (0.98, 0.993),
    (0.98, 0.997),
    (0.90, 0.95, 0.97, 0.98, 0.985, 0.987, 0.989, 0.9905, 0.999),
    (0.95, 0.98, 0.9899, 0.989, 0.98),
    (0.90, 0.95, 0.97, 0.98, 0.99, 0.992, 0.994, 0.9955, 0.999),
    (0.95, 0.98, 0.99, 0.993, 0.9949, 0.994),
)
# Keras logs the accuracy under the name it was compiled with: 'accuracy', or 'acc' for
# `metrics=['acc']`. A callback may read either; whether it matches the learner's own model
# shows in the real training, which the checks judge through the History.
CALLBACK_KEYS = ("accuracy", "acc")


def sample_images(count: int = 5, dtype: str = "uint8"):
    """Grey-scale 28x28 images a learner's image function is called on (both ends of 0-255 present)."""
    import numpy as np

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    return images.astype(dtype)


SAMPLE_IMAGE_CALLS = ((1, "uint8"), (5, "uint8"), (5, "float64"))


def _module_constants(assignment_id: str, *names: str) -> dict:
    """Literal constants of a check module, read from its source without importing it (no TensorFlow here)."""
    from autograder.checks import check_module_path

    tree = ast.parse(check_module_path(assignment_id).read_text())
    found = {}
    for node in tree.body:
        for target in getattr(node, "targets", []):
            if getattr(target, "id", None) in names:
                found[target.id] = ast.literal_eval(node.value)
    return found


def verify_spec(assignment_id: str) -> dict[str, dict[str, str]]:
    """The module's VERIFY: what each hidden test cell saves."""
    return _module_constants(assignment_id, "VERIFY").get("VERIFY", {})


def export_spec(assignment_id: str | None) -> dict:
    """What the kernel needs to save for the checks: each test's names (`tests`), and the input
    shape the task gives its model (`input_shape`, so a model built without one can still be saved)."""
    from autograder.checks import GraderError

    if not assignment_id:
        return {}
    try:
        constants = _module_constants(assignment_id, "VERIFY", "INPUT_SHAPE")
    except GraderError:  # an assignment without checks
        return {}
    return {"tests": constants.get("VERIFY", {}), "input_shape": constants.get("INPUT_SHAPE")}


def sealed_spec() -> dict | None:
    """In a grading kernel: the spec the grader passed in (None elsewhere: checks run in-process)."""
    if os.environ.get("NBGRADER_EXECUTION") != "autograde" or os.environ.get("AUTOGRADER_VERIFYING"):
        return None
    spec = os.environ.get(EXPORTS_ENV)
    return json.loads(spec) if spec else None


# ---- in the kernel -------------------------------------------------------------------

def export(namespace: dict, names: dict[str, str], folder: Path, input_shape=None) -> None:
    """Save the learner objects a check reads, or why there is nothing to save: the check then
    gives the learner the same message it would give in the kernel. `input_shape`: the one the
    task gives its model, for a model saved before it was built."""
    from autograder.behaviour import NotRebuildable

    folder.mkdir(exist_ok=True)
    for name, how in names.items():
        if (folder / f"{name}.json").exists():
            continue
        try:
            record = _export_one(namespace, name, how, folder, input_shape)
        except NotRebuildable as refusal:  # the learner's own code inside a model: the message says what to write
            record = {"kind": "unsaved", "message": str(refusal)}
        except Exception as error:  # the object exists but cannot be kept
            record = {"kind": "unsaved", "reason": f"{type(error).__name__}: {error}"}
        (folder / f"{name}.json").write_text(json.dumps(record))


def _export_one(namespace: dict, name: str, how: str, folder: Path, input_shape=None) -> dict:
    if name not in namespace:
        return {"kind": "undefined"}
    if how == "source":
        from autograder.diagnostics import source_of

        return {"kind": "json", "value": source_of(namespace[name])}
    if how == "callback":
        return _probe_callback(namespace[name])
    if how == "images-function":
        return _probe_images_function(namespace[name], folder, name)
    if how == "call":
        try:
            value = namespace[name]()
        except Exception as error:
            return {"kind": "error", "call": True, "error": [type(error).__name__, str(error)]}
    else:
        value = namespace[name]
    return _save(value, folder, name, how, input_shape)


def _probe_callback(cls) -> dict:
    tf = sys.modules.get("tensorflow")
    if tf is None or not (isinstance(cls, type) and issubclass(cls, tf.keras.callbacks.Callback)):
        return {"kind": "callback", "is_callback": False}
    from autograder.diagnostics import source_of

    runs = []
    for logs in CALLBACK_LOGS:
        try:
            stopped, printed = run_callback(cls, logs)
            runs.append({"logs": list(logs), "stopped": stopped, "printed": printed[-2000:]})
        except Exception as error:
            runs.append({"logs": list(logs), "error": [type(error).__name__, str(error)]})
    return {"kind": "callback", "is_callback": True, "name": cls.__name__, "source": source_of(cls), "runs": runs}


def _probe_images_function(function, folder: Path, name: str) -> dict:
    import numpy as np

    if not callable(function):
        return {"kind": "opaque", "type": type(function).__name__}
    runs = []
    for index, (count, dtype) in enumerate(SAMPLE_IMAGE_CALLS):
        images = sample_images(count, dtype)
        given = images.copy()
        run = {"count": count, "dtype": dtype}
        try:
            result = function(given)
        except Exception as error:
            run["error"] = [type(error).__name__, str(error)]
        else:
            tf = sys.modules.get("tensorflow")
            if tf is not None and isinstance(result, tf.Tensor):  # a tensor is an array too
                result = result.numpy()
            if isinstance(result, np.ndarray) and result.dtype != object:
                np.save(folder / f"{name}.{index}.result.npy", result, allow_pickle=False)
            else:
                run["result_type"] = type(result).__name__
        if not (given.dtype == images.dtype and np.array_equal(given, images)):
            np.save(folder / f"{name}.{index}.input.npy", given, allow_pickle=False)
            run["changed_input"] = True
        runs.append(run)
    return {"kind": "images-function", "runs": runs}


class _ImagesFunction:
    """Outside the kernel: replays what the learner's function did with each sample array."""

    def __init__(self, folder: Path, name: str, runs: list[dict]):
        import numpy as np

        self._runs = []
        for index, run in enumerate(runs):
            load = lambda part: np.load(folder / f"{name}.{index}.{part}.npy", allow_pickle=False)  # noqa: E731
            result = (type(run["result_type"], (), {})() if "result_type" in run
                      else None if "error" in run else load("result"))
            changed = load("input") if run.get("changed_input") else None
            self._runs.append((sample_images(run["count"], run["dtype"]), run.get("error"), result, changed))

    def __call__(self, images):
        import numpy as np

        for sample, error, result, changed in self._runs:
            if images.dtype == sample.dtype and np.array_equal(images, sample):
                if changed is not None and changed.size == images.size:  # it wrote into its input
                    images[...] = changed.reshape(images.shape)
                if error:
                    raise recreated_error(*error)
                return result.copy() if isinstance(result, np.ndarray) else result
        raise LookupError("the grader did not record a call on these images: add it to verify.SAMPLE_IMAGE_CALLS")


def run_callback(callback_class, accuracies) -> tuple[int | None, str]:
    """Feed epoch logs to a fresh callback, as `fit` would: (epoch it stopped training at, or
    None, and what it printed). Outside the kernel the class is a recording of these runs."""
    recorded = getattr(callback_class, "recorded_runs", None)
    if isinstance(recorded, dict):
        run = recorded.get(tuple(accuracies))
        if run is None:
            raise LookupError(f"the grader did not record a run on {list(accuracies)}: add it to verify.CALLBACK_LOGS")
        if run.get("error"):
            raise recreated_error(*run["error"])
        return run["stopped"], run["printed"]
    import tensorflow as tf

    stub = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
    stub.stop_training = False
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        callback = callback_class()
        callback.set_model(stub)
        callback.on_train_begin(logs={})
        for epoch, accuracy in enumerate(accuracies):
            callback.on_epoch_begin(epoch, logs={})
            callback.on_epoch_end(epoch, logs={"loss": 1.0 - accuracy, **dict.fromkeys(CALLBACK_KEYS, accuracy)})
            if stub.stop_training:
                return epoch, printed.getvalue()
    return None, printed.getvalue()


def recreated_error(ename: str, message: str) -> Exception:
    """An exception like the one the learner's code raised in the kernel (same name and text)."""
    builtin = getattr(builtins, ename, None)
    if isinstance(builtin, type) and issubclass(builtin, Exception):
        try:
            return builtin(message)
        except Exception:
            pass
    return type(ename, (Exception,), {})(message)


def _save(value, folder: Path, name: str, how: str, input_shape=None) -> dict:
    import numpy as np

    record = {"call": how == "call"}
    tf = sys.modules.get("tensorflow")  # a Keras object means TensorFlow is loaded; never load it here
    if tf is not None and isinstance(value, tf.keras.callbacks.History):
        # A History never passed to fit lacks some attributes: the checks then say what is wrong.
        record.update(kind="history", history=_plain(getattr(value, "history", {})),
                      epoch=list(getattr(value, "epoch", [])), params=_plain(getattr(value, "params", {}) or {}))
        if isinstance(getattr(value, "model", None), tf.keras.Model):
            record["model"] = model_summary(save_model(value.model, folder / f"{name}.keras", input_shape))
    elif tf is not None and isinstance(value, tf.keras.Model):
        record.update(kind="model", model=model_summary(save_model(value, folder / f"{name}.keras", input_shape)))
    elif tf is not None and (parts := _datasets(value, tf)) is not None:
        target = folder / f"{name}.datasets"
        shutil.rmtree(target, ignore_errors=True)
        repeats = []
        for index, dataset in enumerate(parts):
            cardinality = int(dataset.cardinality())
            repeats.append(cardinality == int(tf.data.INFINITE_CARDINALITY))
            if cardinality < 0 or cardinality > MAX_DATASET_ELEMENTS:  # repeats, or of unknown size
                dataset = dataset.take(MAX_DATASET_ELEMENTS)
            dataset.save(str(target / str(index)))
        record.update(kind="datasets", single=not isinstance(value, (tuple, list)),
                      container=type(value).__name__, repeats=repeats)
    elif isinstance(value, np.ndarray):
        np.save(folder / f"{name}.npy", value, allow_pickle=False)
        record["kind"] = "array"
    elif isinstance(value, tuple) and value and all(isinstance(v, np.ndarray) for v in value):
        np.savez(folder / f"{name}.npz", *value)
        record["kind"] = "array-tuple"
    else:
        try:
            record.update(kind="json", value=_plain(value))
            json.dumps(record)
        except (TypeError, ValueError):  # not data: the check only needs to know what it was
            record.update(kind="opaque", type=type(value).__name__)
    return record


def _datasets(value, tf):
    """The datasets in `value` (one, or a tuple/list of them), else None."""
    if isinstance(value, tf.data.Dataset):
        return [value]
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, tf.data.Dataset) for v in value):
        return list(value)
    return None


def model_summary(model) -> dict:
    """What feedback shows of a model: layers, shapes, parameters, head, compile settings."""
    from autograder import behaviour

    def shape(value):
        return None if value is None else [None if d is None else int(d) for d in value]

    def layer_output(layer):
        try:
            return shape(layer.output.shape)
        except Exception:  # a layer that was never called has no output yet
            return None

    def attribute(name):  # a model never built (no Input) has no shapes or parameter count
        try:
            return getattr(model, name)
        except (AttributeError, ValueError):
            return None

    optimizer = getattr(model, "optimizer", None)
    params = attribute("count_params")
    last, activation = behaviour.head(model) if model.built else (None, None)
    loss = getattr(model, "loss", None)
    return {
        "input_shape": shape(attribute("input_shape")),
        "output_shape": shape(attribute("output_shape")),
        "params": int(params()) if params is not None and model.built else 0,
        "layers": [
            {"class": type(layer).__name__, "name": layer.name, "output_shape": layer_output(layer),
             "params": int(layer.count_params()) if layer.built else 0,
             "activation": behaviour.activation_name(layer.activation) if hasattr(layer, "activation") else None}
            for layer in model.layers
        ],
        "head": {"units": behaviour.units(last), "activation": activation} if last is not None else None,
        "loss": behaviour.described_loss(loss) if loss is not None else None,
        "metrics": behaviour.metric_names(model),
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


_PLAIN_OBJECTS = "Build it from the plain Keras, tf.data and numpy objects the task asks for."


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
                    f"`{name}`: the grader could not save it ({record.get('reason')}). {_PLAIN_OBJECTS}")
                continue
            if kind == "error":
                error = recreated_error(*record["error"])

                def fail(error=error):
                    raise error

                namespace[name] = fail
                continue
            value = _load_value(folder, name, record)
        except Exception as error:
            problems[name] = f"`{name}`: the grader could not load it ({type(error).__name__}: {error}). {_PLAIN_OBJECTS}"
            continue
        namespace[name] = (lambda v=value: v) if record.get("call") else value
    return namespace, problems


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
        return load_model(folder / f"{name}.keras")
    if kind == "history":
        history = tf.keras.callbacks.History()
        history.history, history.epoch, history.params = record["history"], record["epoch"], record["params"]
        if record.get("model"):  # the saved model's summary; its weights are in the .keras file
            history.set_model(load_model(folder / f"{name}.keras"))
        return history
    if kind == "images-function":
        return _ImagesFunction(folder, name, record["runs"])
    if kind == "opaque":  # a stand-in of the same type name, for the check's message
        return type(record["type"], (), {})()
    if kind == "callback":
        if not record.get("is_callback"):
            return None  # the check's "should be a Callback subclass" message follows
        runs = {tuple(run["logs"]): run for run in record["runs"]}
        return type(record["name"], (tf.keras.callbacks.Callback,),
                    {"recorded_runs": runs, "recorded_source": record["source"]})
    if kind == "datasets":
        parts = []
        for index, repeats in enumerate(record["repeats"]):
            dataset = tf.data.Dataset.load(str(folder / f"{name}.datasets" / str(index)))
            parts.append(dataset.repeat() if repeats else dataset)
        if record["single"]:
            return parts[0]
        return list(parts) if record["container"] == "list" else tuple(parts)
    raise ValueError(f"unknown artifact kind {kind!r} for {name}")


def verify(assignment_id: str, folder: Path, tests: list[str], cell_failures: list | None = None) -> dict[str, str | None]:
    """Run `tests` on the saved objects; None where a test holds, else the learner message.
    `cell_failures`: the notebook's cells that failed (autograder.cell_failures.FailedCell)."""
    from autograder.checks import CheckFailed, run_check

    spec = verify_spec(assignment_id)
    namespace, problems = load(folder) if folder.is_dir() else ({}, {})
    recorded = {path.stem for path in folder.glob("*.json")} if folder.is_dir() else set()
    outcomes = {}
    for test in tests:
        names = spec.get(test, {})
        missing = [name for name in names if name not in recorded]
        if missing:
            outcomes[test] = (
                f"the grader found no record of {', '.join(f'`{n}`' for n in missing)} from your notebook. "
                "The hidden test cell saves it when it runs; something in the notebook stopped that "
                "(e.g. code that replaces or patches the grader)."
            )
        elif any(name in problems for name in names):
            outcomes[test] = " ".join(problems[name] for name in names if name in problems)
        else:
            try:
                run_check(assignment_id, test, namespace, cell_failures)
                outcomes[test] = None
            except CheckFailed as failure:
                outcomes[test] = str(failure)
    return outcomes


def verify_in_fresh_process(assignment_id: str, folder: Path, tests: list[str], cell_failures: list | None = None,
                            timeout: int = 900) -> dict[str, str | None]:
    done = subprocess.run(
        # -P: the notebook's folder (the cwd, written by learner code) is not put on sys.path.
        [sys.executable, "-P", "-m", "autograder.verify", assignment_id, str(folder), *tests],
        input=json.dumps([failure.to_json() for failure in cell_failures or []]),
        capture_output=True, text=True, timeout=timeout, cwd=folder.parent if folder.is_dir() else None,
        env={**os.environ, "AUTOGRADER_VERIFYING": "1", "CUDA_VISIBLE_DEVICES": ""},
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {test: f"the grader's verification process failed ({reason})" for test in tests}
    return json.loads(lines[-1])


def main(argv: list[str]) -> int:
    from autograder.cell_failures import FailedCell

    assignment_id, folder, *tests = argv
    failures = [FailedCell.from_json(data) for data in json.loads(sys.stdin.read() or "[]")]
    print(json.dumps(verify(assignment_id, Path(folder), tests, failures)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
