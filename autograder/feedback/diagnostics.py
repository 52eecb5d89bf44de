"""Diagnostics: common mistakes, recognised from what a learner's code produced, with the fix.

`CATALOGUE` holds one `Diagnostic` per mistake: an id, what it detects, the fix, and one
detection function over one kind of subject:

* "error":   an exception the learner's code raised, or its "Type: message" text;
* "source":  the source of a learner's function or class (`source_of` gets it);
* "model":   a Keras model, or the summary `autograder.artifacts.models.model_summary` keeps of one;
* "history": a Keras History, or the record the grader keeps of one;
* "images":  an array or tensor of images as they go into a model;
* "labels":  the labels a dataset yields.

Some detections compare with what the task asks for (`expected`, a check module's EXPECTED:
input shape, parameter budget, the accuracy training stops at, the epoch budget). Without it
they stay silent, which is how the learner-side hints run without any hidden value.

`diagnose(...)` returns the findings; `advice(...)` words them for a check's assertion message;
`explain(error)` is the error-only form the pytest plugin appends to learner exceptions.
"""
from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograder.artifacts.models import model_summary
from autograder.artifacts.source import source_of

SUBJECTS = ("error", "source", "model", "history", "images", "labels")


@dataclass(frozen=True)
class Finding:
    """One mistake found: what was seen, in the learner's terms, and how to fix it."""

    id: str
    seen: str
    fix: str

    def __str__(self) -> str:
        return f"{self.seen} Fix: {self.fix}"


@dataclass(frozen=True)
class Diagnostic:
    id: str
    subject: str  # one of SUBJECTS
    detects: str  # for instructors: what this entry recognises
    fix: str
    # (subject, expected) -> what was seen (str), or (seen, a more specific fix), or None
    detect: Callable[[Any, dict], Any]

    def run(self, subject, expected: dict) -> Finding | None:
        try:
            seen = self.detect(subject, expected)
        except Exception:  # a learner object the detection cannot read is not a finding
            return None
        if not seen:
            return None
        seen, fix = seen if isinstance(seen, tuple) else (seen, self.fix)
        return Finding(self.id, seen, fix)


CATALOGUE: list[Diagnostic] = []


def _entry(id: str, subject: str, detects: str, fix: str):
    def register(detect):
        CATALOGUE.append(Diagnostic(id, subject, detects, fix, detect))
        return detect
    return register


# ------------------------------------------------------------------ subjects, normalised


def _error_text(error) -> str:
    return error if isinstance(error, str) else f"{type(error).__name__}: {error}"


def _model(subject) -> dict | None:
    """A model summary dict (autograder.artifacts.models.model_summary) from a model or a summary."""
    if isinstance(subject, dict):
        return subject
    return model_summary(subject)


def _history(subject) -> tuple[dict, int, dict, dict | None]:
    """(metrics per epoch, epochs run, fit params, model summary or None)."""
    if isinstance(subject, dict):  # a verification record
        return (subject.get("history") or {}, len(subject.get("epoch") or []), subject.get("params") or {},
                subject.get("model"))
    model = getattr(subject, "model", None)
    try:
        summary = _model(model) if model is not None else None
    except Exception:
        summary = None
    return dict(subject.history), len(subject.epoch), dict(getattr(subject, "params", None) or {}), summary


def head_of(summary: dict) -> tuple[int | None, str | None]:
    """(output units, the activation on them: a Softmax layer after a linear Dense counts as softmax)."""
    units = (summary.get("output_shape") or [None])[-1]
    head = summary.get("head") or {}
    return units, head.get("activation")


def _as_array(subject):
    return np.asarray(subject)


# ------------------------------------------------------------------ errors (old APIs and friends)


def _error_entry(id, detects, fix, pattern, seen):
    regex = re.compile(pattern)

    def detect(error, expected):
        match = regex.search(_error_text(error))
        return match and (seen(match) if callable(seen) else seen)

    _entry(id, "error", detects, fix)(detect)


_error_entry(
    "old-optimizer", "`tf.train.AdamOptimizer` and the other TensorFlow 1 optimizers",
    "use a Keras optimizer: `tf.keras.optimizers.Adam(learning_rate=0.001)`, or `optimizer='adam'` in `compile`.",
    r"has no attribute '(\w*Optimizer)'",
    lambda m: f"`tf.train.{m.group(1)}` is TensorFlow 1 and no longer exists.",
)
_error_entry(
    "removed-generator-methods", "`fit_generator`, `evaluate_generator`, `predict_generator`",
    "call `fit`, `evaluate` or `predict` with the generator or dataset itself, e.g. "
    "`model.fit(train_generator, epochs=15)`.",
    r"has no attribute '((?:fit|evaluate|predict)_generator)'",
    lambda m: f"`{m.group(1)}` was removed from Keras.",
)
_error_entry(
    "lr-argument", "`lr=` instead of `learning_rate=` in an optimizer",
    "write `learning_rate=`, e.g. `tf.keras.optimizers.RMSprop(learning_rate=0.001)`.",
    r"Argument\(s\) not recognized: \{'lr'|unexpected keyword argument 'lr'",
    "`lr=` is the old name of the learning rate.",
)
_error_entry(
    "tf1-session", "`tf.Session`, `tf.placeholder` and other TensorFlow 1 graph APIs",
    "build a `tf.keras` model and call its `fit` and `predict` methods.",
    r"has no attribute '(Session|placeholder|global_variables_initializer)'",
    "Sessions and placeholders are TensorFlow 1 and no longer exist.",
)
_error_entry(
    "input-shape-argument", "`input_shape=` on a layer that no longer accepts it",
    "start the model with `tf.keras.Input(shape=...)` instead.",
    r"Unrecognized keyword arguments passed to \w+: \{'input_shape'",
    "Layers no longer take `input_shape=`.",
)
_error_entry(
    "in-place-divide", "`images /= 255.0` on integer (uint8) images",
    "return a new array, e.g. `images.reshape(...) / 255.0`, instead of dividing with `/=`.",
    r"Cannot cast ufunc '(?:true_)?divide' output",
    "Integer (uint8) images cannot hold the fractions that dividing in place with `/=` produces.",
)
_error_entry(
    "fixed-image-count", "reshaping to a number of images written into the code (`reshape(60000, 28, 28, 1)`)",
    "take the number of images from the input: `images.reshape(-1, 28, 28, 1)` or "
    "`images.reshape(images.shape[0], 28, 28, 1)`.",
    r"cannot reshape array of size (\d+) into shape \((\d+), ?28, ?28(?:, ?1)?\)",
    lambda m: (f"Your code reshapes to {m.group(2)} images, a number written into the code, but it was given an "
               f"array of {m.group(1)} values: the function must work for any number of images."),
)
_error_entry(
    "callback-class-not-instance", "`callbacks=[MyCallback]`: the class instead of an instance",
    "write `callbacks=[EarlyStoppingCallback()]`, with the parentheses.",
    r"set_model\(\) missing 1 required positional argument",
    "`fit` got the callback class itself, not an instance of it.",
)
_error_entry(
    "no-class-folders", "`image_dataset_from_directory` on a folder without class subfolders",
    "give `image_dataset_from_directory` the folder that holds one subfolder per class (e.g. "
    "`data/horse-or-human`), not a class folder such as `data/horse-or-human/horses`.",
    r"No images found in directory|Found 0 files belonging to 0 classes",
    "Keras found no class subfolders with images in the folder you gave it.",
)
_error_entry(
    "conv-needs-channel", "Conv2D fed images without a channel axis ((28, 28) instead of (28, 28, 1))",
    "add a channel axis of size 1 at the end: images of shape (n, 28, 28, 1) and "
    "`tf.keras.Input(shape=(28, 28, 1))`.",
    r"expected min_ndim=4, found ndim=3",
    "A Conv2D layer got images without a channel axis (shape (batch, height, width)).",
)
_error_entry(
    "label-out-of-range",
    "labels larger than the output layer allows (e.g. 1 unit with sparse categorical crossentropy)",
    "give the output layer one unit per class with `softmax` (`Dense(10, activation='softmax')` for the "
    "10 digits) and use `loss='sparse_categorical_crossentropy'`.",
    r"Received a label value of (\d+) which is outside the valid range of \[0, (\d+)\)",
    lambda m: f"A label is {m.group(1)}, but the output layer only has {m.group(2)} unit(s).",
)
_error_entry(
    "loss-shape-error", "labels and outputs of different shapes (e.g. 10 units with binary crossentropy)",
    "integer class labels need one softmax unit per class and `loss='sparse_categorical_crossentropy'`; "
    "0/1 labels need `Dense(1, activation='sigmoid')` and `loss='binary_crossentropy'`.",
    r"Arguments `target` and `output` must have the same (?:rank|shape)",
    "The loss got labels and model outputs of different shapes.",
)
_error_entry(
    "acc-key-error", "`logs['acc']` raising KeyError",
    "read `logs['accuracy']`, the name Keras gives the metric compiled as `metrics=['accuracy']`.",
    r"KeyError: '(val_)?acc'",
    lambda m: (f"`logs['{m.group(1) or ''}acc']` does not exist: Keras logs the metric as "
               f"'{m.group(1) or ''}accuracy' unless the model was compiled with `metrics=['acc']`."),
)
_error_entry(
    "name-not-defined", "a name used before the cell that defines it ran (or after it failed)",
    "fix the first error in the notebook, then run all cells from the top (Kernel → Restart & Run All).",
    r"NameError: name '(\w+)' is not defined",
    lambda m: f"`{m.group(1)}` was never defined: the cell that creates it raised an error or did not run.",
)


# ------------------------------------------------------------------ source


_ACC_KEY = re.compile(r"""(?:\[\s*|\.get\(\s*)['"](val_)?acc['"]""")


@_entry("acc-key", "source", "a callback or plot that reads the metric 'acc' where the task compiles 'accuracy'",
        "read 'accuracy' (and 'val_accuracy'), the name Keras gives the metric compiled as `metrics=['accuracy']`; "
        "'acc' exists only for a model compiled with `metrics=['acc']`.")
def _acc_key(source, expected):
    if expected.get("stops_at") is None:  # only where a failed training run is explained, never as a hint
        return None
    match = _ACC_KEY.search(source)
    return match and (f"Your code reads the metric '{match.group(1) or ''}acc', which Keras logs only for a model "
                      "compiled with `metrics=['acc']`.")


@_entry("stop-training-on-callback", "source", "`self.stop_training = True` set on the callback instead of the model",
        "set `self.model.stop_training = True`: the flag belongs to the model being trained.")
def _stop_training_on_callback(source, expected):
    return re.search(r"\bself\.stop_training\s*=", source) and (
        "Your callback sets `self.stop_training`, an attribute of the callback that Keras never reads."
    )


_FLIP = {ast.Gt: ast.Lt, ast.GtE: ast.LtE, ast.Lt: ast.Gt, ast.LtE: ast.GtE}


def _parse(source: str) -> ast.Module:
    try:
        return ast.parse(textwrap.dedent(source))
    except SyntaxError:  # e.g. methods of a class joined together, or a half-written cell
        return ast.Module(body=[], type_ignores=[])


def _accuracy_comparisons(source: str) -> list[tuple[type, float]]:
    """(operator, number) of each comparison `<accuracy> OP <number>` in the source, the number
    also read through a name assigned once (THRESHOLD = 0.99)."""
    tree = _parse(source)
    constants = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                name = getattr(target, "id", getattr(target, "attr", None))
                if name:
                    constants[name] = node.value.value

    def number(node):
        value = node.value if isinstance(node, ast.Constant) else constants.get(
            getattr(node, "id", getattr(node, "attr", None)))
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        left, right, op = node.left, node.comparators[0], type(node.ops[0])
        for value, other, operator in ((left, right, op), (right, left, _FLIP.get(op, op))):
            if number(other) is not None and number(value) is None and "acc" in ast.unparse(value):
                found.append((operator, float(number(other))))
    return found


@_entry("threshold-as-percent", "source", "accuracy compared with a percentage (99) instead of a fraction (0.99)",
        "compare with the fraction: 0.99 stands for 99%.")
def _threshold_as_percent(source, expected):
    for operator, value in _accuracy_comparisons(source):
        if operator in (ast.Gt, ast.GtE) and value > 1:
            return (f"Your code compares the accuracy with {value:g}, but Keras reports accuracy as a "
                    "fraction between 0 and 1, so it never gets there.")
    return None


def _stop_comparisons(source, expected):
    """The `accuracy >= x` / `> x` comparisons with x a fraction, when the task stops training."""
    if expected.get("stops_at") is None:
        return []
    return [(op, v) for op, v in _accuracy_comparisons(source) if op in (ast.Gt, ast.GtE) and 0 < v <= 1]


@_entry("threshold-mismatch", "source", "a callback that stops at another accuracy than the task asks for",
        "stop at the accuracy the task states (e.g. `logs['accuracy'] >= 0.99` for 99%).")
def _threshold_mismatch(source, expected):
    comparisons = _stop_comparisons(source, expected)
    target = expected.get("stops_at")
    if comparisons and not any(abs(v - target) < 1e-9 for _, v in comparisons):
        return (f"Your callback compares the accuracy with {comparisons[0][1]:g}, which is not the threshold "
                f"the task asks for ({target:g}).",
                f"stop at the accuracy the task states: `logs['accuracy'] >= {target:g}` for {target:.1%}.")
    return None


@_entry("callback-not-passed", "source", "`fit(...)` called without `callbacks=` in a task that stops early",
        "pass an instance of your callback: `model.fit(..., callbacks=[EarlyStoppingCallback()])`.")
def _callback_not_passed(source, expected):
    if expected.get("stops_at") is None:
        return None
    fits = [node for node in ast.walk(_parse(source)) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "fit"]
    if fits and not any(keyword.arg in ("callbacks", None) for call in fits for keyword in call.keywords):
        return "Your code calls `fit` without `callbacks=`, so nothing stops training early."
    return None


# ------------------------------------------------------------------ models


_CLASSES_LOSSES = ("sparse_categorical_crossentropy", "categorical_crossentropy")


@_entry("head-loss-mismatch", "model", "an output layer that does not match the loss (1 unit with sparse "
        "categorical crossentropy, 10 units with binary crossentropy, softmax on 1 unit)",
        "match the output layer to the labels: one unit per class with `softmax` and "
        "`loss='sparse_categorical_crossentropy'` for class numbers (e.g. digits 0-9); one unit with "
        "`sigmoid` and `loss='binary_crossentropy'` for 0/1 labels.")
def _head_loss_mismatch(subject, expected):
    summary = _model(subject)
    units, activation = head_of(summary)
    loss = summary.get("loss")
    if units == 1 and activation == "softmax":
        return "The output layer is a softmax over 1 unit, which always outputs 1.0."
    if units == 1 and loss in _CLASSES_LOSSES:
        return f"The output layer has 1 unit, but the loss `{loss}` expects one unit per class."
    if units and units > 1 and loss == "binary_crossentropy":
        return f"The output layer has {units} units, but `binary_crossentropy` expects one sigmoid unit."
    return None


@_entry("no-accuracy-metric", "model",
        "a classifier compiled without `metrics=['accuracy']`, so the callback never fires",
        "add `metrics=['accuracy']` to `compile`.")
def _no_accuracy_metric(subject, expected):
    summary = _model(subject)
    loss = summary.get("loss") or ""
    if "crossentropy" not in loss or any("acc" in m for m in summary.get("metrics") or []):
        return None
    return ("The model is compiled without the 'accuracy' metric, so training logs no 'accuracy' and a "
            "callback that reads it never stops training.")


@_entry("over-parameter-budget", "model", "a model far over the task's parameter budget",
        "use fewer or smaller layers: fewer Dense units or filters, or pool before `Flatten`.")
def _over_parameter_budget(subject, expected):
    budget = expected.get("max_params")
    params = _model(subject).get("params")
    if budget is None or params is None or params <= budget:
        return None
    return f"Your model has {params:,} parameters; this task needs at most {budget:,}."


@_entry("input-shape-mismatch", "model", "a model whose input does not match the task's images "
        "(e.g. (None, 28, 28) where the task needs (None, 28, 28, 1))",
        "start the model with `tf.keras.Input(shape=...)` using the shape the task gives.")
def _input_shape_mismatch(subject, expected):
    wanted = expected.get("input_shape")
    shape = _model(subject).get("input_shape")
    if wanted is None or shape is None or tuple(shape) == tuple(wanted):
        return None
    wanted, shape = tuple(wanted), tuple(shape)
    fix = f"start the model with `tf.keras.Input(shape={wanted[1:]})`."
    if shape + (1,) == wanted:
        return f"The model's input has no channel axis: {shape} instead of {wanted}.", fix
    return f"The model takes input of shape {shape}, but the task's images have shape {wanted}.", fix


# ------------------------------------------------------------------ images and labels


@_entry("pixels-not-normalised", "images", "pixel values still 0-255",
        "divide by 255 once: `images / 255.0`, or `tf.keras.layers.Rescaling(1./255)` in `dataset.map(...)`.")
def _pixels_not_normalised(images, expected):
    high = float(_as_array(images).max())
    return high > 1.0 and f"Pixel values go up to {high:g}: the images were not scaled to 0-1."


@_entry("normalised-twice", "images", "pixels divided by 255 twice (brightest pixel below 0.01)",
        "scale the original 0-255 values by 1/255 exactly once (in the data or in the model, not both).")
def _normalised_twice(images, expected):
    high = float(_as_array(images).max())
    return 0.0 < high < 0.01 and f"The brightest pixel is {high:.4f}: the images look divided by 255 twice."


@_entry("missing-channel", "images", "images of shape (n, 28, 28) or (n, 1, 28, 28) where Conv2D needs (n, 28, 28, 1)",
        "add one axis of size 1 at the end, e.g. `images.reshape(-1, 28, 28, 1)` or "
        "`np.expand_dims(images, axis=-1)`.")
def _missing_channel(images, expected):
    wanted = expected.get("input_shape")
    if wanted is None or len(wanted) != 4 or wanted[-1] != 1:
        return None
    shape = tuple(_as_array(images).shape)
    if shape[1:] == tuple(wanted[1:3]):
        return f"The images have shape {shape}: there is no channel axis."
    if shape[1:] == (1, *wanted[1:3]):
        return f"The images have shape {shape}: the channel axis comes first, but Keras expects it last."
    return None


@_entry("one-class", "labels", "a dataset with a single class (pointed at a class subfolder)",
        "give `image_dataset_from_directory` the folder that holds one subfolder per class (e.g. "
        "`data/happy-or-sad`), not a class folder such as `data/happy-or-sad/happy`.")
def _one_class(labels, expected):
    values = np.unique(np.ravel(_as_array(labels)))
    return len(values) == 1 and f"Every label is {float(values[0]):g}: the dataset holds only one class."


# ------------------------------------------------------------------ training histories


def _accuracies(subject) -> tuple[list[float], int, dict, dict | None]:
    metrics, epochs, params, model = _history(subject)
    return [float(a) for a in metrics.get("accuracy") or []], epochs, params, model


@_entry("training-never-stopped", "history", "training that went on after reaching the target accuracy",
        "pass an instance of your callback to `fit(..., callbacks=[...])`, and in it set "
        "`self.model.stop_training = True` once the target is reached.")
def _training_never_stopped(subject, expected):
    target = expected.get("stops_at")
    accuracies = _accuracies(subject)[0]
    if target is None:
        return None
    first = next((i for i, a in enumerate(accuracies) if a >= target), None)
    if first is None or first == len(accuracies) - 1:
        return None
    return f"Accuracy reached the target in epoch {first + 1}, yet training went on until epoch {len(accuracies)}."


@_entry("stopped-below-target", "history", "training that ended early below the target (a threshold that "
        "does not match the task, or too few epochs)",
        "let `fit` run up to the epoch budget and stop in the callback when `logs['accuracy']` reaches "
        "the accuracy the task states.")
def _stopped_below_target(subject, expected):
    target, budget = expected.get("stops_at"), expected.get("epochs")
    accuracies, epochs, params, _ = _accuracies(subject)
    if target is None or budget is None or not accuracies or epochs >= budget or max(accuracies) >= target:
        return None
    if params.get("epochs") == epochs:
        return (f"`fit` was asked for only {epochs} epoch(s), fewer than the {budget} the task allows.",
                f"fit for up to {budget} epochs (`epochs={budget}`) and let the callback stop training.")
    return (f"Training stopped after {epochs} of {budget} epochs at accuracy {accuracies[-1]:.4f}, before "
            "reaching the task's target: the callback stops at another threshold than the task's.")


@_entry("stuck-at-chance", "history", "accuracy that stays at chance level (the model learns nothing)",
        "check that the pixels are scaled to 0-1, that the output layer and the loss match the labels, "
        "and that the learning rate is not too high.")
def _stuck_at_chance(subject, expected):
    accuracies, _, _, model = _accuracies(subject)
    if len(accuracies) < 2 or model is None:
        return None
    units = head_of(model)[0] or 1
    classes = units if units > 1 else 2
    chance = 1.0 / classes
    if max(accuracies) > chance + 0.05:
        return None
    return (f"Accuracy stayed near chance ({max(accuracies):.2f} at best, for {classes} classes): the model "
            "learned nothing.")


# ------------------------------------------------------------------ entry points


BY_ID = {diagnostic.id: diagnostic for diagnostic in CATALOGUE}
assert len(BY_ID) == len(CATALOGUE), "diagnostic ids must be unique"


def diagnose(expected: dict | None = None, **subjects) -> list[Finding]:
    """Every finding over the given subjects (error=, source=, model=, history=, images=, labels=).

    `source` may be text, a function or class (its source is read), or a list of them. A
    history's model is diagnosed as well. Each diagnostic reports at most once.
    """
    unknown = set(subjects) - set(SUBJECTS)
    if unknown:
        raise TypeError(f"unknown subject(s) {', '.join(sorted(unknown))}; use {', '.join(SUBJECTS)}")
    expected = expected or {}
    source = subjects.get("source")
    if source is not None:
        parts = source if isinstance(source, (list, tuple)) else [source]
        subjects["source"] = "\n".join(textwrap.dedent(source_of(part)) for part in parts if part is not None)
    if subjects.get("history") is not None and subjects.get("model") is None:
        subjects["model"] = _history(subjects["history"])[3]
    findings = []
    for diagnostic in CATALOGUE:
        subject = subjects.get(diagnostic.subject)
        if subject is None or (isinstance(subject, str) and not subject):
            continue
        finding = diagnostic.run(subject, expected)
        if finding is not None:
            findings.append(finding)
    return findings


def advice(expected: dict | None = None, **subjects) -> str:
    """The findings as lines to append to a check's assertion message ('' when none)."""
    return "".join(f"\n{finding}" for finding in diagnose(expected, **subjects))


def explain(error: BaseException | str) -> str | None:
    """How to fix `error`, when it is a known mistake; else None."""
    findings = diagnose(error=error)
    return "\n".join(str(finding) for finding in findings) or None
