"""Shared by the training checks: the learner's model, History and datasets, losses by name,
and callbacks fed synthetic logs.

A made-up History (accuracies typed in), one that lies, or a model trained elsewhere and
loaded from disk all leave the model's optimizer with a step count that does not match the
epochs the History reports. The grader re-runs this on saved copies outside the kernel.
"""
import re

import numpy as np
import pytest
import tensorflow as tf

from autograder import verify

# What image_dataset_from_directory says when the folder it got holds no class folders.
_NO_CLASS_FOLDERS = re.compile(r"class_names|No images found in directory")


def learner_model(learner, function: str):
    """What the learner's `function()` returns, which must be a Keras model."""
    model = learner.call(function)
    assert isinstance(model, tf.keras.Model), (
        f"`{function}()` should return a Keras model, got {type(model).__name__}."
    )
    return model


def loss_name(loss) -> str:
    """The name of a compiled loss: a string as given, else the object's or function's name."""
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", "") or type(loss).__name__


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
    assert history.history.get("accuracy"), (
        "The training history has no 'accuracy': compile the model with `metrics=['accuracy']`."
    )
    assert_trained_by_fit(history)
    return history


def run_callback(callback_class, accuracies):
    """Feed synthetic epoch logs to a fresh callback, as `fit` would: (epoch it stopped at or
    None, what it printed). Outside the kernel the class replays what it did in the kernel."""
    return verify.run_callback(callback_class, accuracies)
