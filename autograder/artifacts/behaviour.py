"""What a Keras object computes, found by running it on fixed probe inputs, not by its name.

`tf.nn.softmax` is a function named `softmax_v2`, `"softmax"` a string, `Softmax()` a layer:
the checks must treat all three as the softmax the task asks for. Here an activation or a loss
is named after the Keras function that computes the same values on a probe; a model is seen
as its computation (input, weighted layers, head), whatever style built it.

Used on both sides of the kernel boundary: inside the grading kernel to save a learner's model
in a form Keras can load without the learner's code (autograder.verify), and by the checks.
"""
from __future__ import annotations

# keras (TensorFlow) is imported inside the functions that need it: a grading kernel saving a
# quiz answer, and the checks' process reading one, never load TensorFlow.

import functools

import numpy as np

# Keras activations a learner may name or pass as a function, most common first (an identical
# pair such as silu/swish is found under the first name).
ACTIVATIONS = (
    "linear", "relu", "softmax", "sigmoid", "tanh", "elu", "selu", "softplus", "softsign", "silu",
    "gelu", "exponential", "hard_sigmoid", "leaky_relu", "relu6", "log_softmax", "mish", "celu",
    "hard_silu", "log_sigmoid", "squareplus", "sparse_plus", "hard_tanh", "tanh_shrink",
)
# Layers that compute nothing at inference, or only reshape: not counted as layers of a model.
PASS_THROUGH = ("InputLayer", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise",
                "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Reshape", "Identity")
# Metrics Keras logs an accuracy under, by the name it logs them with.
ACCURACY_METRICS = ("accuracy", "acc", "sparse_categorical_accuracy", "binary_accuracy", "categorical_accuracy")


def _keras():
    import keras

    return keras


@functools.cache
def _probe() -> np.ndarray:
    """Values on both sides of 0, beyond 6 (relu6) and near it, in rows (softmax works on the last axis)."""
    rng = np.random.default_rng(7)
    values = rng.uniform(-8.0, 8.0, size=(4, 6)).astype("float32")
    values[0, :3] = (-0.5, 0.25, 7.5)
    return values


@functools.cache
def _reference(name: str) -> np.ndarray:
    return np.asarray(_keras().activations.get(name)(_probe()), dtype="float64")


def _matches(values, name: str) -> bool:
    values = np.asarray(values, dtype="float64")
    return values.shape == _probe().shape and np.allclose(values, _reference(name), rtol=1e-4, atol=1e-5)


def activation_name(function) -> str | None:
    """The Keras activation `function` computes ("softmax" for tf.nn.softmax), None if none does."""
    if function is None:
        return "linear"
    try:
        if isinstance(function, str):
            function = _keras().activations.get(function)
        values = function(_probe())
    except Exception:  # not an activation at all
        return None
    return next((name for name in ACTIVATIONS if _matches(values, name)), None)


def layer_name(layer) -> str:
    return type(layer).__name__


def flat_layers(model) -> list:
    """The model's layers in order, nested models expanded, without the pass-through ones."""
    found = []
    for layer in model.layers:
        if isinstance(layer, _keras().Model):
            found += flat_layers(layer)
        elif layer_name(layer) not in PASS_THROUGH:
            found.append(layer)
    return found


def is_activation_layer(layer) -> bool:
    """A layer without weights that maps each row to a row of the same shape (Activation, Softmax, ReLU…)."""
    if layer.weights or layer_name(layer) in ("Flatten", "Rescaling", "Normalization"):
        return False
    try:
        return np.shape(layer(_probe())) == _probe().shape
    except Exception:  # a pooling or reshaping layer
        return False


def composed_activation(functions) -> str | None:
    """The Keras activation that applying `functions` in turn computes (None: no single one)."""
    values = _probe()
    try:
        for function in functions:
            values = function(values)
    except Exception:
        return None
    return next((name for name in ACTIVATIONS if _matches(values, name)), None)


def head(model) -> tuple[object | None, str | None]:
    """(the last layer with weights, the activation applied to its output): `Dense(10)` followed by
    `Softmax()` is a softmax head, as is `Dense(10, activation=tf.nn.softmax)`."""
    layers = flat_layers(model)
    index = next((i for i in range(len(layers) - 1, -1, -1) if layers[i].weights), None)
    if index is None:
        return None, None
    last = layers[index]
    after = layers[index + 1:]
    if not all(is_activation_layer(layer) for layer in after):
        return last, None  # e.g. a pooling layer after the last weights: not a plain head
    own = getattr(last, "activation", None)
    return last, composed_activation([own or (lambda x: x), *after])


def units(layer) -> int | None:
    """Outputs of a Dense layer, filters of a convolution."""
    for attribute in ("units", "filters"):
        if isinstance(getattr(layer, attribute, None), int):
            return getattr(layer, attribute)
    return None


# ------------------------------------------------------------------ losses


def _loss_probes() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(11)
    logits = rng.normal(size=(5, 4)).astype("float32")
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.array([0, 3, 1, 2, 1])
    binary = rng.uniform(0.05, 0.95, size=(5, 1)).astype("float32")
    return {
        "classes": (labels, probabilities),
        "one-hot": (np.eye(4, dtype="float32")[labels], probabilities),
        "binary": (np.array([[0.0], [1.0], [1.0], [0.0], [1.0]], dtype="float32"), binary),
        "numbers": (rng.normal(size=(5, 1)).astype("float32") * 3, rng.normal(size=(5, 1)).astype("float32") * 3),
    }


# (name, Keras loss, keyword arguments, probe): a learner's loss is the one that gives the same
# mean on that loss's probe.
_LOSSES = (
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy", {}, "classes"),
    ("sparse_categorical_crossentropy(from_logits=True)", "sparse_categorical_crossentropy", {"from_logits": True}, "classes"),
    ("categorical_crossentropy", "categorical_crossentropy", {}, "one-hot"),
    ("categorical_crossentropy(from_logits=True)", "categorical_crossentropy", {"from_logits": True}, "one-hot"),
    ("binary_crossentropy", "binary_crossentropy", {}, "binary"),
    ("binary_crossentropy(from_logits=True)", "binary_crossentropy", {"from_logits": True}, "binary"),
    ("mean_squared_error", "mean_squared_error", {}, "numbers"),
    ("mean_absolute_error", "mean_absolute_error", {}, "numbers"),
    ("huber", "huber", {}, "numbers"),
    ("mean_squared_logarithmic_error", "mean_squared_logarithmic_error", {}, "numbers"),
)


def _mean_loss(loss, y_true, y_pred) -> float | None:
    try:
        value = np.asarray(loss(y_true, y_pred), dtype="float64")
    except Exception:
        return None
    return float(value.mean()) if value.size and np.all(np.isfinite(value)) else None


def _as_loss(loss):
    if isinstance(loss, str):
        return _keras().losses.get(loss)
    if isinstance(loss, dict):  # a loss kept as Keras' serialised form
        return _keras().losses.deserialize(loss)
    return loss


def loss_name(loss) -> str | None:
    """The Keras loss `loss` computes ("sparse_categorical_crossentropy" for the string, the
    function or `SparseCategoricalCrossentropy()`), None for a loss none of them matches."""
    try:
        loss = _as_loss(loss)
    except Exception:
        return None
    if loss is None or not callable(loss):
        return None
    probes = _loss_probes()
    for name, keras_name, options, probe in _LOSSES:
        y_true, y_pred = probes[probe]
        expected = _mean_loss(functools.partial(_keras().losses.get(keras_name), **options), y_true, y_pred)
        got = _mean_loss(loss, y_true, y_pred)
        if got is not None and np.isclose(got, expected, rtol=1e-4, atol=1e-6):
            return name
    return None


def described_loss(loss) -> str:
    """How a message names the learner's loss: what it computes, else how it was written."""
    name = loss_name(loss)
    if name:
        return name
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__


# ------------------------------------------------------------------ metrics


def metric_names(model) -> list[str]:
    """The names the model's compiled metrics are logged under ('acc' stays 'acc')."""
    config = model.get_compile_config() or {}
    metrics = config.get("metrics") or []
    if isinstance(metrics, dict):  # one list per output
        metrics = [m for group in metrics.values() for m in (group if isinstance(group, (list, tuple)) else [group])]
    elif not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    return [_metric_name(metric) for metric in metrics]


def _metric_name(metric) -> str:
    if isinstance(metric, str):
        return metric
    if isinstance(metric, dict):  # serialised: {"class_name": ..., "config": {"name": ...}} or a function's name
        config = metric.get("config")
        return (config.get("name") if isinstance(config, dict) else config) or metric.get("class_name", "")
    return getattr(metric, "name", None) or getattr(metric, "__name__", "") or type(metric).__name__


def accuracy_metric(model) -> str | None:
    """The name under which the model logs an accuracy, if it was compiled with one."""
    return next((name for name in metric_names(model) if name in ACCURACY_METRICS), None)


def accuracy_key(history_dict: dict, prefix: str = "") -> str | None:
    """The key a training history holds its accuracy under ('accuracy', 'acc', …; `prefix` 'val_')."""
    return next((prefix + name for name in ACCURACY_METRICS if history_dict.get(prefix + name)), None)


# ------------------------------------------------------------------ models of any style


class NotRebuildable(Exception):
    """The model cannot be seen as a graph of Keras layers; the message says why and what to write."""


def input_shape_of(model, task_shape=None) -> tuple | None:
    """The input shape (batch axis first) the model was built for, else the task's."""
    try:
        return tuple(model.input_shape)
    except (AttributeError, ValueError):
        pass
    shapes = getattr(model, "_build_shapes_dict", None) or {}
    shape = next(iter(shapes.values()), None)  # a subclassed model built by fit or a call
    if shape is not None:
        return (None, *tuple(shape)[1:])
    return (None, *task_shape) if task_shape else None


def graph_model(model, task_shape=None):
    """The model as a built graph of Keras layers. A Sequential or Functional model is returned
    as it is (built for the task's input shape when it was given none); a subclassed model is
    traced through its `call` into a Functional model that shares its layers, weights and
    optimizer. `task_shape` is the input shape the task states, without the batch axis."""
    keras = _keras()
    if isinstance(model, keras.Sequential) or _is_functional(model):
        if not model.built and task_shape:
            model.build((None, *task_shape))
        return model
    shape = input_shape_of(model, task_shape)
    if shape is None:
        raise NotRebuildable("Your model does not say what input it takes: build it from `tf.keras.Input(shape=...)`.")
    inputs = keras.Input(shape=shape[1:])
    try:
        outputs = model.call(inputs)
    except Exception as error:
        raise NotRebuildable(
            f"The `call` method of your model class `{type(model).__name__}` does more than call Keras layers "
            f"({type(error).__name__}: {error}). Call only Keras layers in `call`, or build the model with "
            "`tf.keras.Sequential([...])`."
        ) from None
    traced = keras.Model(inputs, outputs, name=model.name)
    compiled = getattr(model, "_compile_config", None)
    if getattr(model, "optimizer", None) is not None and compiled is not None:
        traced.compile(**compiled.config)  # the same optimizer object: its step count is kept
    return traced


def _is_functional(model) -> bool:
    return type(model).__name__ == "Functional"
