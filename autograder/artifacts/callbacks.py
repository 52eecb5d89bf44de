"""A learner's callback class as a record: how a fresh instance reacts to set epoch logs.

In the kernel each class is fed every run of CALLBACK_LOGS, as `fit` would feed it, and its
reactions are kept (the epoch it stopped training at, what it printed, or the error it raised).
Outside, a stand-in class replays them: `run_callback` gives the same answer on either.
"""
from __future__ import annotations

# keras (TensorFlow) is imported inside the functions that need it: a grading kernel saving a
# quiz answer, and the checks' process reading one, never load TensorFlow.

import contextlib
import io
import sys

from autograder.artifacts.probes import PROBE_SECONDS, ProbeTimeLimit, time_limit
from autograder.artifacts.source import source_of
from autograder.artifacts.values import recreated_error

HUNG = ("ProbeTimeLimit", f"on_epoch_end did not return within {PROBE_SECONDS} s of being called with one epoch's "
        "logs. Look for a loop that never ends in your callback.")

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
KINDS = ("callback",)


def save(cls) -> dict:
    """In the kernel: the class's reactions to every run of CALLBACK_LOGS."""
    tf = sys.modules.get("tensorflow")
    if tf is None or not (isinstance(cls, type) and issubclass(cls, tf.keras.callbacks.Callback)):
        return {"kind": "callback", "is_callback": False}
    runs, hung = [], False
    for logs in CALLBACK_LOGS:
        try:
            if hung:  # it would hang again: no need to wait once more
                raise ProbeTimeLimit()
            with time_limit():
                stopped, printed = run_callback(cls, logs)
            runs.append({"logs": list(logs), "stopped": stopped, "printed": printed[-2000:]})
        except ProbeTimeLimit:
            hung = True
            runs.append({"logs": list(logs), "error": list(HUNG)})
        except Exception as error:
            runs.append({"logs": list(logs), "error": [type(error).__name__, str(error)]})
    return {"kind": "callback", "is_callback": True, "name": cls.__name__, "source": source_of(cls), "runs": runs}


def load(folder, name: str, record: dict):
    """Outside: a Callback subclass of the learner's class name that replays its reactions."""
    if not record.get("is_callback"):
        return None  # the check's "should be a Callback subclass" message follows
    import keras

    runs = {tuple(run["logs"]): run for run in record["runs"]}
    return type(record["name"], (keras.callbacks.Callback,),
                {"recorded_runs": runs, "recorded_source": record["source"]})


def run_callback(callback_class, accuracies) -> tuple[int | None, str]:
    """Feed epoch logs to a fresh callback, as `fit` would: (epoch it stopped training at, or
    None, and what it printed). Outside the kernel the class is a recording of these runs."""
    recorded = getattr(callback_class, "recorded_runs", None)
    if isinstance(recorded, dict):
        return _replay(recorded, accuracies)
    import keras

    stub = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
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


def _replay(recorded: dict, accuracies) -> tuple[int | None, str]:
    run = recorded.get(tuple(accuracies))
    if run is None:
        raise LookupError(f"the grader did not record a run on {list(accuracies)}: add it to CALLBACK_LOGS")
    if run.get("error"):
        raise recreated_error(*run["error"])
    return run["stopped"], run["printed"]
