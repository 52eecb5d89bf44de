"""Shared check: a History really is the record of the fit that trained its model.

A made-up History (accuracies typed in), one that lies, or a model trained elsewhere and
loaded from disk all leave the model's optimizer with a step count that does not match the
epochs the History reports. The grader re-runs this on saved copies outside the kernel.
"""
import tensorflow as tf


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
