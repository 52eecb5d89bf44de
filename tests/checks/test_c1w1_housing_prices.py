"""Each W1 hidden check fails on a purpose-made wrong submission, with a message for the learner."""
import numpy as np
import pytest
import tensorflow as tf

pytestmark = pytest.mark.slow  # builds, saves and reloads Keras models

A = "c1w1-housing-prices"


def one_neuron(units=1, optimizer="sgd", loss="mean_squared_error", inputs=1):
    model = tf.keras.Sequential([tf.keras.Input(shape=(inputs,)), tf.keras.layers.Dense(units)])
    model.compile(optimizer=optimizer, loss=loss)
    return model


def good_data():
    bedrooms = np.arange(1, 7, dtype=np.float32)
    return bedrooms, 0.5 + 0.5 * bedrooms


def test_training_data_right(check):
    assert check(A, "test_create_training_data", {"create_training_data": good_data}) is None


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda: ([1, 2, 3, 4, 5, 6], [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]), "numpy array"),
        (lambda: (np.arange(1, 7), 0.5 + 0.5 * np.arange(1, 7)), "hold floats"),
        (lambda: (np.arange(1, 8, dtype=float), np.arange(1, 8, dtype=float)), "shape (6,)"),
        (lambda: (np.arange(1, 7, dtype=float), 50.0 + 50.0 * np.arange(1, 7)), "hundreds of thousands"),
        (lambda: np.arange(1, 7, dtype=float), "two arrays"),
    ],
    ids=["lists", "ints", "seven", "thousands", "one-array"],
)
def test_training_data_wrong(check, make, expected):
    assert expected in check(A, "test_create_training_data", {"create_training_data": make})


def test_training_data_not_implemented(check):
    def create_training_data():
        raise NotImplementedError()

    message = check(A, "test_create_training_data", {"create_training_data": create_training_data})
    assert "not implemented yet" in message


@pytest.mark.parametrize(
    "model, expected",
    [
        (lambda: one_neuron(units=2), "1 unit"),
        (lambda: one_neuron(inputs=2), "input shape (None, 1)"),
        (lambda: tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(4), tf.keras.layers.Dense(1)]),
         "single Dense layer"),
        (lambda: "a model", "should return a Keras model"),
    ],
    ids=["two-units", "two-inputs", "two-layers", "not-a-model"],
)
def test_architecture_wrong(check, model, expected):
    assert expected in check(A, "test_define_and_compile_model_architecture", {"define_and_compile_model": model})


def test_architecture_and_compile_right(check):
    namespace = {"define_and_compile_model": one_neuron}
    assert check(A, "test_define_and_compile_model_architecture", namespace) is None
    assert check(A, "test_define_and_compile_model_compile", namespace) is None


@pytest.mark.parametrize(
    "model, expected",
    [
        (lambda: one_neuron(optimizer="adam"), "stochastic gradient descent"),
        (lambda: one_neuron(loss="mae"), "mean squared error"),
        (lambda: tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)]), "Compile the model"),
    ],
    ids=["adam", "mae", "uncompiled"],
)
def test_compile_wrong(check, model, expected):
    assert expected in check(A, "test_define_and_compile_model_compile", {"define_and_compile_model": model})


def test_prediction_needs_training(check):
    """Weights set by hand predict 4.0 but were never trained: the step count gives it away."""
    model = one_neuron()
    model.layers[0].set_weights([np.array([[0.5]]), np.array([0.5])])
    assert "training steps" in check(A, "test_train_model_prediction", {"trained_model": model})


def test_prediction_off_the_line(check):
    model = one_neuron()
    model.layers[0].set_weights([np.array([[1.0]]), np.array([0.0])])  # a wrong line: price = bedrooms
    model.optimizer.build(model.trainable_variables)
    model.optimizer.iterations.assign(500)  # as if trained for 500 epochs
    message = check(A, "test_train_model_prediction", {"trained_model": model})
    assert "should cost about 4.0" in message


def test_prediction_missing(check):
    assert "`trained_model` is not defined" in check(A, "test_train_model_prediction", {})
