"""Shared by the training checks: the learner's model seen as its computation, its History, its
datasets, and callbacks fed synthetic logs.

Every judgement here is on behaviour, whatever Keras style the learner used: a model is traced
into a graph of layers (autograder.behaviour.graph_model), an activation or a loss is named
after the Keras function computing the same values, an accuracy is read under whichever name
the model logs it.

A made-up History (accuracies typed in), one that lies, or a model trained elsewhere and
loaded from disk all leave the model's optimizer with a step count that does not match the
epochs the History reports. The grader re-runs this on saved copies outside the kernel.
"""
import re

import numpy as np
import pytest
import tensorflow as tf

from autograder.artifacts import behaviour, callbacks, models

# What image_dataset_from_directory says when the folder it got holds no class folders.
_NO_CLASS_FOLDERS = re.compile(r"class_names|No images found in directory")


def learner_model(learner, function: str, input_shape=None):
    """What the learner's `function()` returns, as a built graph of Keras layers.

    `input_shape` (without the batch axis) is the one the task states: a model that was not
    told its input yet, such as a subclassed one, is built for it."""
    model = learner.call(function)
    assert isinstance(model, tf.keras.Model), (
        f"`{function}()` should return a Keras model, got {type(model).__name__}."
    )
    try:
        graph = behaviour.graph_model(model, input_shape)
        models.keras_config(graph)  # what the grader could not rebuild outside the kernel fails here too
    except behaviour.NotRebuildable as refusal:
        pytest.fail(str(refusal), pytrace=False)
    return graph


def assert_input_shape(model, shape, what: str) -> None:
    """The model takes inputs of `shape` (without the batch axis); `what` describes them."""
    got = behaviour.input_shape_of(model)
    assert got is not None and tuple(got) == (None, *shape), (
        f"The model should take {what}, input shape {(None, *shape)}; got {got}. Start it with "
        f"`tf.keras.Input(shape={tuple(shape)})`."
    )


def output_head(model) -> tuple[int, str | None]:
    """(output units, the activation that produces them), e.g. (10, "softmax")."""
    _, activation = behaviour.head(model)
    return int(model.output_shape[-1]), activation


def head_text(units, activation) -> str:
    return f"{units} unit{'s' if units != 1 else ''} with {activation or 'no single Keras activation'}"


def assert_probabilities(model, batch_shape, softmax: bool) -> None:
    """On random inputs the outputs lie in [0, 1] (and, for a softmax, sum to 1 per example)."""
    inputs = np.random.default_rng(3).uniform(0, 1, size=batch_shape).astype("float32")
    try:
        outputs = np.asarray(model(inputs, training=False))
    except Exception as error:  # e.g. a layer that only works on other shapes
        pytest.fail(f"The model cannot process a batch of shape {batch_shape}: {type(error).__name__}: {error}",
                    pytrace=False)
    assert np.all((outputs >= 0) & (outputs <= 1)), "The outputs should be probabilities between 0 and 1."
    if softmax:
        assert np.allclose(outputs.sum(axis=-1), 1.0, atol=1e-4), "The outputs should sum to 1 for each example."


def assert_loss(model, accepted: tuple[str, ...], advice: str, hint: str = "") -> None:
    """The compiled loss computes one of the `accepted` Keras losses (string, function or object)."""
    assert getattr(model, "optimizer", None) is not None and getattr(model, "loss", None) is not None, (
        "Compile the model before returning it: `model.compile(optimizer=..., loss=..., metrics=['accuracy'])`."
    )
    loss = behaviour.loss_name(model.loss)
    assert loss in accepted, f"{advice}; got {behaviour.described_loss(model.loss)!r}.{hint}"


def assert_accuracy_metric(model, why: str) -> None:
    assert behaviour.accuracy_metric(model) is not None, (
        f"Add `metrics=['accuracy']` to `compile`: {why} Your metrics: {behaviour.metric_names(model) or 'none'}."
    )


def call_image_loader(learner, function: str, folder_advice: str):
    """The learner's `function()`; when it found no class folders, the message says which folder to give."""
    try:
        return learner.call(function)
    except pytest.fail.Exception as failure:
        if _NO_CLASS_FOLDERS.search(failure.msg):
            pytest.fail(f"{failure.msg}\n{folder_advice}", pytrace=False)
        raise


def dataset_labels(dataset) -> np.ndarray:
    """Every label of a batched (images, labels) dataset, flat."""
    return np.concatenate([np.reshape(labels.numpy(), (-1,)) for _, labels in dataset.take(1000)])


def assert_trained_by_fit(history) -> None:
    model = getattr(history, "model", None)
    assert isinstance(model, tf.keras.Model), (
        "This History does not belong to a trained model: return exactly what `model.fit(...)` returns."
    )
    optimizer = getattr(model, "optimizer", None)
    steps_made = int(optimizer.iterations) if optimizer is not None else 0
    epochs = len(history.epoch)
    steps_per_epoch = (getattr(history, "params", None) or {}).get("steps")
    if steps_per_epoch:
        consistent = steps_made == epochs * steps_per_epoch
    else:  # a dataset of unknown length: at least one step per epoch
        consistent = epochs > 0 and steps_made >= epochs
    assert consistent, (
        f"The History reports {epochs} epochs"
        + (f" of {steps_per_epoch} steps" if steps_per_epoch else "")
        + f", but its model made {steps_made} training steps. Train a new model with one `fit` "
        "call and return the History that call gives back (do not load a trained model, train "
        "it twice, or edit the History)."
    )


def learner_history(learner, returned_by: str):
    """The learner's `history`: a real History with accuracies, from the fit that trained its model.

    `returned_by` says where it comes from, for the message (e.g. "`train_mnist`").
    """
    history = learner.get("history")
    assert isinstance(history, tf.keras.callbacks.History), (
        f"{returned_by} should give the `History` that `model.fit(...)` returns, got "
        f"{type(history).__name__}."
    )
    assert behaviour.accuracy_key(history.history), (
        "The training history has no accuracy: compile the model with `metrics=['accuracy']`."
    )
    assert_trained_by_fit(history)
    return history


def accuracies(history, prefix: str = "") -> list[float]:
    """The accuracy per epoch, under whichever name the model logged it ('accuracy', 'acc', …)."""
    key = behaviour.accuracy_key(history.history, prefix)
    return [float(a) for a in history.history[key]] if key else []


def shown(values) -> str:
    return ", ".join(f"{v:.4f}" for v in values)


def stop_epochs(values, threshold) -> set[int]:
    """The epochs at which a callback stopping at `threshold` ends training: the first at or
    above it (`>=`), and the first above it (`>`, the course's own idiom). Both are right: no
    verdict hinges on an accuracy exactly equal to the threshold."""
    found = set()
    for reached in (lambda a: a >= threshold, lambda a: a > threshold):
        first = next((i for i, a in enumerate(values) if reached(a)), None)
        if first is not None:
            found.add(first)
    return found


def stops_right(stopped, values, threshold) -> bool:
    """Whether a callback that stopped at epoch `stopped` (None: never) stopped where it should."""
    return stopped in stop_epochs(values, threshold) if stop_epochs(values, threshold) else stopped is None


def run_callback(callback_class, accuracies):
    """Feed synthetic epoch logs to a fresh callback, as `fit` would: (epoch it stopped at or
    None, what it printed). Outside the kernel the class replays what it did in the kernel."""
    return callbacks.run_callback(callback_class, accuracies)


def assert_stops_at_threshold(callback_class, accuracies, threshold: float, fixes: str = "") -> None:
    """The callback, fed these epoch accuracies, stops training where the task says: at the first
    epoch at `threshold` or above (`>`: above), or never. `fixes`: the diagnostics for the message."""
    stopped, _ = run_callback(callback_class, accuracies)
    if stops_right(stopped, accuracies, threshold):
        return
    percent = f"{threshold:.1%}".replace(".0%", "%")
    expected = min(stop_epochs(accuracies, threshold), default=None)
    if expected is None:
        pytest.fail(f"Your callback stopped training after epoch {stopped + 1} although accuracy never reached "
                    f"{percent} (accuracies per epoch: {shown(accuracies)}). Stop only when logs['accuracy'] "
                    f"reaches {threshold:g}." + fixes, pytrace=False)
    pytest.fail(f"With accuracies per epoch {shown(accuracies)}, training should stop after epoch {expected + 1}, "
                f"the first one at {percent} or above; your callback "
                + ("never stopped it" if stopped is None else f"stopped it after epoch {stopped + 1}")
                + ". In `on_epoch_end`, read `logs['accuracy']` and set `self.model.stop_training = True` when it "
                f"is at least {threshold:g}." + fixes, pytrace=False)


def assert_prints(callback_class, accuracies, message: str) -> None:
    """The callback prints `message` when it stops training on these accuracies."""
    _, printed = run_callback(callback_class, accuracies)
    assert printed_message(printed, message), (
        f'When your callback stops training it should print "{message}"; it printed {printed.strip()!r}.'
    )


def printed_message(printed: str, message: str) -> bool:
    """Whether `message` was printed, whatever the spacing and line breaks around and inside it."""
    return " ".join(message.split()) in " ".join(printed.split())
