"""Keras objects recognised by what they compute (autograder.artifacts.behaviour)."""
import numpy as np
import pytest
import tensorflow as tf

from autograder.artifacts import behaviour

L = tf.keras.layers


@pytest.mark.parametrize("function, name", [
    ("softmax", "softmax"), (tf.nn.softmax, "softmax"), (tf.keras.activations.softmax, "softmax"),
    (tf.nn.relu, "relu"), (tf.math.sigmoid, "sigmoid"), (tf.nn.sigmoid, "sigmoid"), (tf.math.tanh, "tanh"),
    (None, "linear"), ("linear", "linear"), (tf.nn.relu6, "relu6"), (tf.nn.leaky_relu, "leaky_relu"),
    (lambda x: tf.maximum(x, 0.0), "relu"),  # a learner's own relu computes relu
    (lambda x: 2 * x, None), ("not an activation", None),
])
def test_an_activation_is_named_after_what_it_computes(function, name):
    assert behaviour.activation_name(function) == name


@pytest.mark.parametrize("loss, name", [
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
    (tf.keras.losses.sparse_categorical_crossentropy, "sparse_categorical_crossentropy"),
    (tf.keras.losses.SparseCategoricalCrossentropy(), "sparse_categorical_crossentropy"),
    (tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), "sparse_categorical_crossentropy(from_logits=True)"),
    ("categorical_crossentropy", "categorical_crossentropy"), ("binary_crossentropy", "binary_crossentropy"),
    (tf.keras.losses.BinaryCrossentropy(), "binary_crossentropy"), ("mse", "mean_squared_error"),
    ("mean_squared_error", "mean_squared_error"), (tf.keras.losses.MeanSquaredError(), "mean_squared_error"),
    (tf.keras.losses.MSE, "mean_squared_error"), ("mae", "mean_absolute_error"), (lambda y, p: y * 0 + 7.0, None),
])
def test_a_loss_is_named_after_what_it_computes(loss, name):
    assert behaviour.loss_name(loss) == name


def model(*layers, input_shape=(8,)):
    return tf.keras.Sequential([tf.keras.Input(shape=input_shape), *layers])


@pytest.mark.parametrize("layers, head", [
    ([L.Dense(4, activation="softmax")], (4, "softmax")),
    ([L.Dense(4, activation=tf.nn.softmax)], (4, "softmax")),
    ([L.Dense(4), L.Softmax()], (4, "softmax")),
    ([L.Dense(4), L.Activation("softmax")], (4, "softmax")),
    ([L.Dense(4, activation="softmax"), L.Dropout(0.2)], (4, "softmax")),
    ([L.Dense(1, activation=tf.nn.sigmoid)], (1, "sigmoid")),
    ([L.Dense(4, activation="relu"), L.Softmax()], (4, None)),
    ([L.Dense(4)], (4, "linear")),
])
def test_the_head_is_the_last_weighted_layer_and_what_follows_it(layers, head):
    last, activation = behaviour.head(model(*layers))
    assert (behaviour.units(last), activation) == head


def test_pass_through_layers_are_not_counted():
    built = model(L.Reshape((8, 1)), L.Flatten(), L.Dropout(0.1), L.Dense(2))
    assert [type(layer).__name__ for layer in behaviour.flat_layers(built)] == ["Flatten", "Dense"]
    functional_input = tf.keras.Input((1,))
    functional = tf.keras.Model(functional_input, L.Dense(1)(functional_input))
    assert [type(layer).__name__ for layer in behaviour.flat_layers(functional)] == ["Dense"]


def test_a_subclassed_model_is_traced_into_its_layers():
    class Classifier(tf.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden, self.out = L.Dense(4, activation=tf.nn.relu), L.Dense(3, activation=tf.nn.softmax)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    learner = Classifier()
    traced = behaviour.graph_model(learner, (8,))
    assert behaviour.input_shape_of(traced) == (None, 8) and behaviour.head(traced)[1] == "softmax"
    probe = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
    assert np.allclose(traced(probe), learner(probe))


def test_a_subclassed_model_calling_python_is_not_rebuildable():
    class Odd(tf.keras.Model):
        def call(self, inputs):
            return tf.numpy_function(lambda x: x, [inputs], tf.float32)

    with pytest.raises(behaviour.NotRebuildable, match="does more than call Keras layers"):
        behaviour.graph_model(Odd(), (8,))


def test_the_accuracy_is_found_under_the_name_it_was_logged_with():
    assert behaviour.accuracy_key({"loss": [1], "acc": [0.9]}) == "acc"
    assert behaviour.accuracy_key({"val_accuracy": [0.9], "accuracy": [0.8]}, "val_") == "val_accuracy"
    assert behaviour.accuracy_key({"loss": [1]}) is None
    compiled = model(L.Dense(2))
    compiled.compile(optimizer="adam", loss="mse", metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
    assert behaviour.accuracy_metric(compiled) == "sparse_categorical_accuracy"
