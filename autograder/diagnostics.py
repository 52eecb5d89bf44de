"""Explanations for errors that come from course material written for older TensorFlow.

Each entry recognises one mistake from the exception a learner's code raised and says how
to write it with current Keras 3.
"""
from __future__ import annotations

import re

# (pattern over "ExceptionType: message", explanation)
_OLD_APIS = [
    (
        r"has no attribute '(\w+Optimizer)'",
        "`tf.train.{0}` is TensorFlow 1 and no longer exists: use the Keras optimizer, "
        "e.g. `tf.keras.optimizers.Adam(learning_rate=0.001)` or `optimizer='adam'`.",
    ),
    (
        r"has no attribute 'fit_generator'",
        "`fit_generator` was removed: `model.fit` accepts generators and datasets directly, "
        "e.g. `model.fit(train_generator, epochs=15)`.",
    ),
    (
        r"has no attribute '(evaluate|predict)_generator'",
        "`{0}_generator` was removed: call `model.{0}` with the generator or dataset.",
    ),
    (
        r"Argument\(s\) not recognized: \{'lr'",
        "`lr=` is the old name of the learning rate: write `learning_rate=`, e.g. "
        "`tf.keras.optimizers.RMSprop(learning_rate=0.001)`.",
    ),
    (
        r"unexpected keyword argument 'lr'",
        "`lr=` is the old name of the learning rate: write `learning_rate=`.",
    ),
    (
        r"has no attribute 'Session'|has no attribute 'placeholder'",
        "Sessions and placeholders are TensorFlow 1: build a `tf.keras` model and call "
        "`fit`/`predict` instead.",
    ),
    (
        r"Unrecognized keyword arguments passed to \w+: \{'input_shape'",
        "Pass the input shape with a first layer `tf.keras.Input(shape=...)` instead of "
        "`input_shape=`.",
    ),
]


def explain(error: BaseException) -> str | None:
    """A sentence on how to fix `error`, when it is a known mistake; else None."""
    text = f"{type(error).__name__}: {error}"
    for pattern, advice in _OLD_APIS:
        match = re.search(pattern, text)
        if match:
            return advice.format(*match.groups())
    return None
