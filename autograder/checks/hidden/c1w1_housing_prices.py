"""Hidden checks for c1w1-housing-prices: one neuron learns price = 0.5 + 0.5 * bedrooms."""
import numpy as np
import pytest
import tensorflow as tf

from autograder.artifacts import behaviour
from autograder.checks.hidden._training import assert_input_shape, assert_loss, learner_model

EPOCHS = 500
INPUT_SHAPE = (1,)  # one feature per example: the number of bedrooms
# Measured: seeds 0-7 of the reference solution predict 4.01-4.06 for 7 bedrooms after 500
# SGD epochs (seed 42, the notebook's: 4.06); 0.1 leaves room without accepting a wrong line.
PREDICTION_TOLERANCE = 0.1

# What the task asks for: the diagnostics compare with it, the feedback report shows it beside
# the learner's model.
EXPECTED = {
    "model": "define_and_compile_model",
    "input_shape": (None, *INPUT_SHAPE),
    "head": ((1, "linear"),),
    "loss": ("mean_squared_error", "mse"),
    "max_params": 2,
}

# What each hidden test cell saves for its check, which runs outside the learner's kernel
# (autograder.artifacts.spec).
VERIFY = {
    "test_create_training_data": {"create_training_data": "call"},
    "test_define_and_compile_model_architecture": {"define_and_compile_model": "call"},
    "test_define_and_compile_model_compile": {"define_and_compile_model": "call"},
    "test_train_model_prediction": {"trained_model": "value"},
}


@pytest.fixture(scope="session")
def training_data(learner):
    return learner.call("create_training_data")


@pytest.fixture(scope="session")
def model(learner):
    return learner_model(learner, "define_and_compile_model", INPUT_SHAPE)


@pytest.fixture(scope="session")
def trained_model(learner):
    model = learner.get("trained_model")
    assert isinstance(model, tf.keras.Model), (
        f"`train_model()` should return the trained Keras model, got {type(model).__name__}."
    )
    return model


def test_create_training_data(training_data):
    assert isinstance(training_data, tuple) and len(training_data) == 2, (
        "`create_training_data()` should return two arrays: (n_bedrooms, price_in_hundreds_of_thousands)."
    )
    for name, array in zip(("n_bedrooms", "price"), training_data):
        assert isinstance(array, np.ndarray), f"{name} should be a numpy array, got {type(array).__name__}."
        assert array.shape == (6,), f"{name} should have shape (6,), got {array.shape}."
        assert np.issubdtype(array.dtype, np.floating), (
            f"{name} should hold floats (dtype float32 or float64), got {array.dtype}."
        )
    bedrooms, price = training_data
    assert np.allclose(bedrooms, np.arange(1, 7)), f"n_bedrooms should be 1, 2, …, 6; got {bedrooms}."
    assert np.allclose(price, 0.5 + 0.5 * bedrooms), (
        "price should be in hundreds of thousands: 50k + 50k per bedroom is 1.0 for one "
        f"bedroom, 1.5 for two, … 3.5 for six; got {price}."
    )


def test_define_and_compile_model_architecture(model):
    assert_input_shape(model, INPUT_SHAPE, "one feature per example")
    # Input, Dropout or Reshape layers compute nothing: the neuron is the model's only layer with weights.
    weighted = [layer for layer in behaviour.flat_layers(model) if layer.weights]
    dense = [layer for layer in weighted if isinstance(layer, tf.keras.layers.Dense)]
    assert len(weighted) == 1 and len(dense) == 1, (
        "The model should be a single Dense layer with one unit; its layers with weights are "
        f"{[type(layer).__name__ for layer in weighted]}."
    )
    assert dense[0].units == 1, f"The Dense layer should have 1 unit (one neuron), got {dense[0].units}."
    assert model.count_params() == 2, (
        f"One neuron on one input has 2 parameters (weight and bias); yours has {model.count_params()}."
    )


def test_define_and_compile_model_compile(model):
    assert getattr(model, "optimizer", None) is not None, "Compile the model: `model.compile(optimizer=..., loss=...)`."
    assert isinstance(model.optimizer, tf.keras.optimizers.SGD), (
        f"Use stochastic gradient descent (`optimizer='sgd'`), got {type(model.optimizer).__name__}."
    )
    assert_loss(model, ("mean_squared_error",), "Use mean squared error as the loss (`loss='mean_squared_error'`)")


def test_train_model_prediction(trained_model):
    steps = int(trained_model.optimizer.iterations) if getattr(trained_model, "optimizer", None) else 0
    assert steps >= EPOCHS, (
        f"The model made {steps} training steps; `train_model` should fit it for {EPOCHS} epochs."
    )
    predicted = float(np.ravel(trained_model.predict(np.array([[7.0]]), verbose=0))[0])
    assert abs(predicted - 4.0) <= PREDICTION_TOLERANCE, (
        f"A 7-bedroom house should cost about 4.0 (400k); your trained model predicts {predicted:.3f}. "
        "Check the training data and that the model trains for 500 epochs."
    )
