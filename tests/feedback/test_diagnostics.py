"""Every diagnostic recognises its mistake, and stays silent on the right way of doing it.

Cheap objects only: tiny untrained models, hand-made histories and arrays, exceptions raised
by the real APIs where that costs nothing.
"""
import re
import sys

import numpy as np
import pytest
import tensorflow as tf

from autograder.feedback import diagnostics
from autograder.artifacts.source import source_of
from autograder.feedback.diagnostics import BY_ID, CATALOGUE, advice, diagnose, explain

MNIST = {"input_shape": (None, 28, 28, 1), "max_params": 100_000, "stops_at": 0.99, "epochs": 10}


def raised(function):
    try:
        function()
    except Exception as error:
        return error
    raise AssertionError("expected an exception")


def in_place_divide():
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images /= 255.0


def model(units=10, activation="softmax", loss="sparse_categorical_crossentropy", metrics=("accuracy",),
          input_shape=(28, 28, 1), hidden=0):
    layers = [tf.keras.Input(shape=input_shape), tf.keras.layers.Flatten()]
    layers += [tf.keras.layers.Dense(hidden, activation="relu")] if hidden else []
    layers.append(tf.keras.layers.Dense(units, activation=activation))
    result = tf.keras.Sequential(layers)
    if loss:
        result.compile(optimizer="adam", loss=loss, metrics=list(metrics))
    return result


def history(accuracies, fit_epochs=10, units=10):
    """A History as `fit(epochs=fit_epochs)` returns it, with these accuracies."""
    result = tf.keras.callbacks.History()
    result.history = {"accuracy": list(accuracies), "loss": [1 - a for a in accuracies]}
    result.epoch = list(range(len(accuracies)))
    result.params = {"epochs": fit_epochs, "steps": 10, "verbose": 0}
    result.set_model(model(units=units, activation="sigmoid" if units == 1 else "softmax",
                           loss="binary_crossentropy" if units == 1 else "sparse_categorical_crossentropy"))
    return result


def record(accuracies, fit_epochs=10):
    """The same as the verification record the grader keeps (autograder.artifacts.models)."""
    from autograder.artifacts.models import model_summary

    kept = history(accuracies, fit_epochs)
    return {"kind": "history", "history": kept.history, "epoch": kept.epoch, "params": kept.params,
            "model": model_summary(kept.model)}


class AccKeyCallback(tf.keras.callbacks.Callback):  # read through source_of, as the checks do
    def on_epoch_end(self, epoch, logs=None):
        if logs.get("acc", 0) >= 0.99:
            self.model.stop_training = True


class RightCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs.get("accuracy", 0) >= 0.99:
            self.model.stop_training = True


# id -> (subject, a learner's mistake, the right way, words the finding must contain)
CASES = {
    "old-optimizer": ("error", lambda: raised(lambda: tf.train.AdamOptimizer(0.001)),
                      lambda: raised(lambda: tf.keras.optimizers.Adam(learning_rate=-1, bogus=1)),
                      "tf.train.AdamOptimizer"),
    "removed-generator-methods": ("error", lambda: raised(lambda: model().fit_generator),
                                  lambda: raised(lambda: model().fit_generatorz), "`fit_generator` was removed"),
    "lr-argument": ("error", lambda: raised(lambda: tf.keras.optimizers.RMSprop(lr=0.001)),
                    lambda: raised(lambda: tf.keras.optimizers.RMSprop(rate=0.001)), "`lr=`"),
    "tf1-session": ("error", lambda: raised(lambda: tf.Session()), lambda: raised(lambda: tf.Sessions()),
                    "Sessions and placeholders"),
    "input-shape-argument": ("error",
                             "ValueError: Unrecognized keyword arguments passed to Flatten: {'input_shape': (28,)}",
                             "ValueError: Unrecognized keyword arguments passed to Rescaling: {'scales': 2}",
                             "`input_shape=`"),
    "in-place-divide": ("error", lambda: raised(in_place_divide),
                        lambda: raised(lambda: np.zeros(2, np.uint8) + "1"), "dividing in place"),
    "callback-class-not-instance": ("error", lambda: raised(lambda: RightCallback.set_model(model())),
                                    "TypeError: Callback.set_model() takes 2 positional arguments but 3 were given",
                                    "the callback class itself"),
    "no-class-folders": ("error",
                         "ValueError: No images found in directory data/happy-or-sad/happy. Allowed formats: ('.png',)",
                         "ValueError: Directory data/happy-or-sad does not exist", "no class subfolders"),
    "conv-needs-channel": ("error", lambda: raised(lambda: tf.keras.Sequential(
                               [tf.keras.Input((28, 28)), tf.keras.layers.Conv2D(4, 3)])),
                           lambda: raised(lambda: tf.keras.Sequential(
                               [tf.keras.Input((28, 28, 1, 1, 1)), tf.keras.layers.Conv2D(4, 3)])),
                           "without a channel axis"),
    "label-out-of-range": ("error",
                           "Received a label value of 9 which is outside the valid range of [0, 1).",
                           "Received a label value of -1 which is outside the valid range of [0, 9).",
                           "only has 1 unit"),
    "loss-shape-error": ("error", "ValueError: Arguments `target` and `output` must have the same rank (ndim). "
                                  "Received: target.shape=(None,), output.shape=(None, 10)",
                         "ValueError: Arguments `target` and `output` must be tensors", "different shapes"),
    "fixed-image-count": ("error", "ValueError: cannot reshape array of size 784 into shape (60000,28,28,1)",
                          "ValueError: cannot reshape array of size 784 into shape (3,3)", "any number of images"),
    "acc-key-error": ("error", lambda: raised(lambda: {"accuracy": 0.9}["acc"]),
                      lambda: raised(lambda: {"accuracy": 0.9}["accurac"]), "logs the metric as 'accuracy'"),
    "name-not-defined": ("error", lambda: raised(lambda: untrained_model),  # noqa: F821
                         lambda: raised(lambda: {}.no_such_attribute), "`untrained_model` was never defined"),
    "acc-key": ("source", AccKeyCallback, RightCallback, "reads the metric 'acc'"),
    "stop-training-on-callback": ("source", "if logs['accuracy'] >= 0.99:\n    self.stop_training = True",
                                  "if logs['accuracy'] >= 0.99:\n    self.model.stop_training = True",
                                  "`self.stop_training`"),
    "threshold-as-percent": ("source", "if logs['accuracy'] >= 99:\n    pass", "if logs['accuracy'] >= 0.99:\n    pass",
                             "compares the accuracy with 99"),
    "threshold-mismatch": ("source", "THRESHOLD = 0.98\nif logs.get('accuracy') >= THRESHOLD:\n    pass",
                           "THRESHOLD = 0.99\nif logs.get('accuracy') >= THRESHOLD:\n    pass", "with 0.98"),
    "callback-not-passed": ("source", "history = model.fit(x, y, epochs=10)",
                            "history = model.fit(x, y, epochs=10, callbacks=[EarlyStoppingCallback()])",
                            "without `callbacks=`"),
    "head-loss-mismatch": ("model", lambda: model(units=1, activation="sigmoid"), lambda: model(), "has 1 unit"),
    "no-accuracy-metric": ("model", lambda: model(metrics=()), lambda: model(), "without the 'accuracy' metric"),
    "over-parameter-budget": ("model", lambda: model(hidden=256), lambda: model(), "at most 100,000"),
    "input-shape-mismatch": ("model", lambda: model(input_shape=(28, 28)), lambda: model(), "no channel axis"),
    "pixels-not-normalised": ("images", np.full((2, 28, 28, 1), 255.0), np.full((2, 28, 28, 1), 1.0), "up to 255"),
    "normalised-twice": ("images", np.full((2, 28, 28, 1), 1 / 255), np.full((2, 28, 28, 1), 1.0),
                         "divided by 255 twice"),
    "missing-channel": ("images", np.zeros((2, 28, 28)), np.zeros((2, 28, 28, 1)), "no channel axis"),
    "one-class": ("labels", np.ones((40, 1)), np.array([0.0, 1.0] * 20), "only one class"),
    "training-never-stopped": ("history", lambda: history([0.95, 0.991, 0.993, 0.995]),
                               lambda: history([0.95, 0.98, 0.991]), "went on until epoch 4"),
    "stopped-below-target": ("history", lambda: record([0.95, 0.97]), lambda: record([0.95, 0.992]),
                             "stopped after 2 of 10 epochs"),
    "stuck-at-chance": ("history", lambda: history([0.10, 0.11, 0.09]), lambda: history([0.6, 0.9]), "near chance"),
}


def subject(value):
    return value() if callable(value) and not isinstance(value, type) else value


def test_the_catalogue_has_at_least_15_named_diagnostics_each_with_a_case():
    assert len(CATALOGUE) >= 15
    assert len(BY_ID) == len(CATALOGUE)
    for diagnostic in CATALOGUE:
        assert re.fullmatch(r"[a-z0-9-]+", diagnostic.id)
        assert diagnostic.subject in diagnostics.SUBJECTS and diagnostic.detects and diagnostic.fix
    assert set(CASES) == set(BY_ID), "every diagnostic needs a triggering and a clean case"


@pytest.mark.parametrize("diagnostic_id", sorted(CASES))
def test_a_mistake_triggers_its_diagnostic(diagnostic_id):
    kind, wrong, _, words = CASES[diagnostic_id]
    findings = {f.id: f for f in diagnose(MNIST, **{kind: subject(wrong)})}
    assert diagnostic_id in findings, findings
    assert words in findings[diagnostic_id].seen + findings[diagnostic_id].fix


@pytest.mark.parametrize("diagnostic_id", sorted(CASES))
def test_the_right_way_does_not_trigger_it(diagnostic_id):
    kind, _, right, _ = CASES[diagnostic_id]
    assert diagnostic_id not in {f.id for f in diagnose(MNIST, **{kind: subject(right)})}


def test_diagnostics_that_compare_with_the_task_stay_silent_without_it():
    """The learner-side hints run without any hidden value: those diagnostics never fire there."""
    quiet = {"acc-key", "threshold-mismatch", "callback-not-passed", "over-parameter-budget",
             "input-shape-mismatch", "missing-channel", "training-never-stopped", "stopped-below-target"}
    for diagnostic_id in quiet:
        kind, wrong, _, _ = CASES[diagnostic_id]
        assert diagnostic_id not in {f.id for f in diagnose(**{kind: subject(wrong)})}


def test_a_verification_record_is_diagnosed_like_the_object():
    assert "stuck-at-chance" in {f.id for f in diagnose(history=record([0.1, 0.1, 0.1]))}
    from autograder.artifacts.models import model_summary

    assert "head-loss-mismatch" in {f.id for f in diagnose(model=model_summary(model(units=1, activation="sigmoid")))}


def test_explain_hints_and_source_of():
    assert "learning_rate=" in explain(raised(lambda: tf.keras.optimizers.RMSprop(lr=0.1)))
    assert explain(ValueError("something else entirely")) is None
    assert advice(MNIST, images=np.zeros((2, 28, 28, 1))) == ""
    text = advice(MNIST, source=[AccKeyCallback, None, "model.fit(x, y)"])
    assert text.startswith("\n") and " Fix: " in text and "'acc'" in text and "callbacks=" in text
    assert "logs.get(\"acc\", 0)" in source_of(AccKeyCallback) and source_of(len) == ""
    with pytest.raises(TypeError, match="unknown subject"):
        diagnose(dataset=[])


def test_a_detection_that_cannot_read_its_subject_is_no_finding():
    assert diagnose(MNIST, model=object(), images="not images", history=object()) == []


# ------------------------------------------------------------------ learner side


def test_hint_prints_a_pass_line_or_the_fixes(capsys):
    from autograder.hints import hint

    hint("the model is compiled", model=model())
    assert capsys.readouterr().out == "✓ the model is compiled\n"
    hint("the model is compiled", model=model(units=1, activation="sigmoid"))
    out = capsys.readouterr().out
    assert out.startswith("✗ The output layer has 1 unit") and " — fix: " in out and "✓" not in out


def test_known_errors_end_with_their_fix_in_a_notebook(capsys):
    from autograder.kernel.hints import _show_error_with_fix

    class Shell:  # the part of IPython's shell the handler uses
        shown = []

        def showtraceback(self, exc_tuple, tb_offset=None):
            self.shown.append(exc_tuple[0].__name__)

    error = raised(lambda: tf.keras.optimizers.Adam(lr=0.1))
    _show_error_with_fix(Shell(), type(error), error, None)
    assert Shell.shown == ["ValueError"]
    assert "✗ `lr=` is the old name" in capsys.readouterr().out


def starter_imports(assignment_id):
    import nbformat

    from conftest import ROOT

    starter = nbformat.read(ROOT / "assignments" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    return next(c.source for c in starter.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "imports")


@pytest.mark.parametrize("assignment_id", ["c1w1-housing-prices", "c1w2-mnist-callback", "c1w3-mnist-convolutions",
                                           "c1w4-happy-or-sad", "c1w4-horse-or-human"])
def test_starters_work_without_the_autograder_package(assignment_id, monkeypatch, capsys):
    source = starter_imports(assignment_id)
    assert "from autograder.hints import hint" in source
    monkeypatch.setitem(sys.modules, "autograder.hints", None)  # as if the package were not installed
    namespace = {}
    exec(source, namespace)
    namespace["hint"]("the model is compiled", model=object())
    assert capsys.readouterr().out.endswith("✓ the model is compiled\n")


def test_loss_and_metric_objects_are_read_by_name():
    ten = model(loss=None)
    ten.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(), metrics=[tf.keras.metrics.BinaryAccuracy()])
    assert [f.id for f in diagnose(model=ten)] == ["head-loss-mismatch"]
    ten.compile(optimizer="adam", loss=tf.keras.losses.sparse_categorical_crossentropy)
    assert [f.id for f in diagnose(model=ten)] == ["no-accuracy-metric"]
