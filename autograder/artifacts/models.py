"""Keras models and training histories as records, saved so that the grader loads them
without the learner's code.

Keras writes a function it does not know by its Python name (`tf.nn.softmax` as `softmax_v2`
of module `builtins`), and cannot load such a file back, with `safe_mode` or without. In the
kernel the model is therefore saved as a graph of Keras layers (a subclassed model traced
through its `call`), and every activation, loss and metric in the file is replaced by the
Keras one that computes the same (autograder.behaviour). A model that still names code of the
learner's own (a `Lambda` layer, a layer class written in the notebook) cannot be rebuilt
safely outside the kernel: `NotRebuildable` says so, and what to write instead.
"""
from __future__ import annotations

# keras (TensorFlow) is imported inside the functions that need it: a grading kernel saving a
# quiz answer, and the checks' process reading one, never load TensorFlow.

import json
import os
import sys
import zipfile
from pathlib import Path

from autograder.artifacts import behaviour
from autograder.artifacts.behaviour import NotRebuildable
from autograder.artifacts.values import plain

_FUNCTION_KEYS = ("activation", "recurrent_activation")
KINDS = ("model", "history")


def save(value, folder: Path, name: str, input_shape=None) -> dict | None:
    """A model (as `.keras`) or a History (as JSON, its model as `.keras`); None for anything else.
    `input_shape`: the one the task gives its model, for a model saved before it was built."""
    tf = sys.modules.get("tensorflow")  # a Keras object means TensorFlow is loaded; never load it here
    if tf is None:
        return None
    if isinstance(value, tf.keras.callbacks.History):
        # A History never passed to fit lacks some attributes: the checks then say what is wrong.
        record = {"kind": "history", "history": plain(getattr(value, "history", {})),
                  "epoch": list(getattr(value, "epoch", [])), "params": plain(getattr(value, "params", {}) or {})}
        if isinstance(getattr(value, "model", None), tf.keras.Model):
            record["model"] = model_summary(save_model(value.model, folder / f"{name}.keras", input_shape))
        return record
    if isinstance(value, tf.keras.Model):
        return {"kind": "model", "model": model_summary(save_model(value, folder / f"{name}.keras", input_shape))}
    return None


def load(folder: Path, name: str, record: dict):
    if record["kind"] == "model":
        return load_model(folder / f"{name}.keras")
    import keras

    history = keras.callbacks.History()
    history.history, history.epoch, history.params = record["history"], record["epoch"], record["params"]
    if record.get("model"):  # the saved model's summary; its weights are in the .keras file
        history.set_model(load_model(folder / f"{name}.keras"))
    return history


def save_model(model, path: Path, task_shape=None):
    """Save `model` (any style) to the `.keras` file `path`; returns the graph model saved."""
    graph = behaviour.graph_model(model, task_shape)
    config = keras_config(graph)
    graph.save(path)
    _write(path, "config.json", json.dumps(config))
    return graph


def keras_config(graph) -> dict:
    """What Keras writes as the model's `config.json`, with Keras' own functions for the
    learner's; NotRebuildable where code of the learner's own would remain."""
    import keras

    config = keras.saving.serialize_keras_object(graph)
    _patch_layers(config, graph)
    _patch_compile(config.get("compile_config"), graph)
    _refuse_learner_code(config)
    return json.loads(json.dumps(config))  # as the file holds it


def _write(path: Path, member: str, text: str) -> None:
    """Replace one member of the archive (written beside it, then moved over it)."""
    temporary = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, text if item.filename == member else old.read(item))
    os.replace(temporary, path)


def _loadable(value) -> bool:
    """Anything but a reference to Python code outside Keras (a module that is not Keras')."""
    return not (isinstance(value, dict) and "module" in value) or str(value["module"] or "").startswith("keras")


def _patch_layers(config: dict, model) -> None:
    """Each layer's functions (activations) written as the Keras function that computes the same."""
    by_name = {layer.name: layer for layer in getattr(model, "layers", [])}
    for entry in (config.get("config") or {}).get("layers") or []:
        layer = by_name.get((entry.get("config") or {}).get("name"))
        if layer is None:
            continue
        if entry.get("config", {}).get("layers") is not None:  # a nested model
            _patch_layers(entry, layer)
            continue
        for key in _FUNCTION_KEYS:
            value = entry["config"].get(key)
            if value is None or isinstance(value, str):
                continue
            name = behaviour.activation_name(getattr(layer, key, None))
            if name is None:
                raise NotRebuildable(
                    f"The {key} of your layer `{layer.name}` is a function of your own, which the grader "
                    "cannot rebuild outside your notebook. Use a Keras activation, e.g. "
                    f"`{key}='relu'` or `{key}=tf.nn.softmax`."
                )
            entry["config"][key] = name


def _patch_compile(compiled: dict | None, model) -> None:
    """The loss and metrics of `compile` written as Keras ones that compute the same."""
    if not compiled:
        return
    if not _loadable(compiled.get("loss")):
        compiled["loss"] = _keras_loss(getattr(model, "loss", None))
    metrics = compiled.get("metrics")
    if isinstance(metrics, list):
        compiled["metrics"] = [kept for kept in (_keras_metric(m) for m in metrics) if kept is not None]


def _keras_loss(loss):
    name = behaviour.loss_name(loss)
    if name is None:
        raise NotRebuildable(
            "Your model is compiled with a loss function of your own, which the grader cannot rebuild "
            "outside your notebook. Pass a Keras loss, e.g. `loss='sparse_categorical_crossentropy'`."
        )
    if "(from_logits=True)" not in name:
        return name
    import keras

    cls = {"sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
           "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
           "binary_crossentropy": keras.losses.BinaryCrossentropy}[name.split("(")[0]]
    return keras.saving.serialize_keras_object(cls(from_logits=True))


def _keras_metric(metric):
    """A metric Keras can load: kept, or written by its name; one it cannot is left out."""
    if _loadable(metric):
        return metric
    import keras

    name = metric.get("config") if isinstance(metric.get("config"), str) else None
    try:
        keras.metrics.get(name)
        return name
    except Exception:
        return None


def _refuse_learner_code(node) -> None:
    """Refuse a model whose file still names code outside Keras, which loading would run."""
    if isinstance(node, list):
        for item in node:
            _refuse_learner_code(item)
        return
    if not isinstance(node, dict):
        return
    name = node["config"].get("name") if isinstance(node.get("config"), dict) else None
    if node.get("class_name") == "Lambda":
        raise NotRebuildable(
            f"Your model has a `Lambda` layer (`{name}`): it runs Python code of your own, which the grader "
            "cannot run safely outside your notebook. Use Keras layers instead, e.g. "
            "`tf.keras.layers.Rescaling(1/255)`, `tf.keras.layers.Reshape(...)` or an `activation=` argument."
        )
    if "class_name" in node and not _loadable(node):
        raise NotRebuildable(
            f"Your model uses `{node.get('class_name')}`, which is not part "
            "of Keras: the grader cannot rebuild code of your own outside your notebook. Build the model "
            "from `tf.keras.layers` only."
        )
    for value in node.values():
        _refuse_learner_code(value)


def load_model(path: Path):
    """The saved model, loaded without running learner code."""
    import keras

    return keras.models.load_model(path, safe_mode=True)


def model_summary(model) -> dict:
    """What feedback shows of a model: layers, shapes, parameters, head, compile settings."""
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
