"""Hidden checks for c1w2-mnist-callback: a dense MNIST classifier and a callback that stops at 99%."""
import numpy as np
import pytest
import tensorflow as tf

from autograder import data
from autograder.checks.hidden._training import (
    accuracies, assert_accuracy_metric, assert_input_shape, assert_loss, assert_prints, assert_probabilities,
    assert_stops_at_threshold, head_text, learner_history, learner_model, output_head, shown, stop_epochs,
)
from autograder.feedback.diagnostics import advice

THRESHOLD = 0.99
MAX_EPOCHS = 10
TEST_ACCURACY = 0.97  # the grader's own evaluation on the 10,000 MNIST test images
REFERENCE_PARAMS = 407_050  # Flatten -> Dense(512, relu) -> Dense(10, softmax)
PARAMETER_BUDGET = 4 * REFERENCE_PARAMS
MESSAGE = "Reached 99% accuracy so cancelling training!"
INPUT_SHAPE = (28, 28)

# What the task asks for: the diagnostics compare with it, the feedback report shows it beside
# the learner's model and training curves.
EXPECTED = {
    "model": "create_and_compile_model",
    "input_shape": (None, *INPUT_SHAPE),
    "head": ((10, "softmax"),),
    "loss": ("sparse_categorical_crossentropy",),
    "max_params": PARAMETER_BUDGET,
    "thresholds": {"accuracy": THRESHOLD},
    "stops_at": THRESHOLD,
    "epochs": MAX_EPOCHS,
}

# What each hidden test cell saves for its check, which runs outside the learner's kernel
# (autograder.artifacts.spec): the callback class as its reactions to recorded epoch logs.
VERIFY = {
    "test_create_and_compile_model_output_shape": {"create_and_compile_model": "call"},
    "test_create_and_compile_model_compile": {"create_and_compile_model": "call"},
    "test_create_and_compile_model_parameter_budget": {"create_and_compile_model": "call"},
    "test_EarlyStoppingCallback_stops_at_threshold": {"EarlyStoppingCallback": "callback"},
    "test_EarlyStoppingCallback_message": {"EarlyStoppingCallback": "callback"},
    "test_train_mnist_stops_early": {"history": "value", "train_mnist": "source",
                                     "EarlyStoppingCallback": "callback"},
    "test_train_mnist_test_accuracy": {"history": "value"},
}


@pytest.fixture(scope="session")
def model(learner):
    return learner_model(learner, "create_and_compile_model", INPUT_SHAPE)


@pytest.fixture(scope="session")
def callback_class(learner):
    cls = learner.get("EarlyStoppingCallback")
    assert isinstance(cls, type) and issubclass(cls, tf.keras.callbacks.Callback), (
        "`EarlyStoppingCallback` should be a class that subclasses `tf.keras.callbacks.Callback`."
    )
    return cls


@pytest.fixture(scope="session")
def history(learner):
    return learner_history(learner, returned_by="`train_mnist`")


def test_create_and_compile_model_output_shape(model):
    assert_input_shape(model, INPUT_SHAPE, "28x28 images")
    assert tuple(model.output_shape) == (None, 10), (
        f"The model should output one probability per digit, shape (None, 10); got {model.output_shape}."
        + advice(EXPECTED, model=model)
    )
    units, activation = output_head(model)
    assert activation == "softmax", (
        "The last layer should be a softmax (`activation='softmax'` or `tf.nn.softmax`) so the 10 outputs are "
        f"probabilities; your output layer has {head_text(units, activation)}."
    )
    assert_probabilities(model, (2, *INPUT_SHAPE), softmax=True)


def test_create_and_compile_model_compile(model):
    assert_loss(model, ("sparse_categorical_crossentropy",),
                "The labels are digits 0-9 (not one-hot vectors) and the outputs are probabilities, so use "
                "`loss='sparse_categorical_crossentropy'`", advice(EXPECTED, model=model))
    assert_accuracy_metric(model, "the callback reads the accuracy, which training logs only when the "
                           "metric is compiled in.")


def test_create_and_compile_model_parameter_budget(model):
    params = model.count_params()
    assert params <= PARAMETER_BUDGET, (
        f"Your model has {params:,} parameters. This task needs far fewer: the reference model "
        f"(Flatten, Dense(512), Dense(10)) has {REFERENCE_PARAMS:,}. Use fewer or smaller layers "
        f"(at most {PARAMETER_BUDGET:,} parameters)."
    )


@pytest.mark.parametrize(
    "accuracies",
    [
        [0.995],  # reached on the first epoch
        [0.90, 0.95, 0.97, 0.98, 0.985, 0.987, 0.989, 0.9905, 0.999],  # reached on the eighth epoch
        [0.95, 0.98, 0.9899, 0.989, 0.98],  # just below: must keep training
    ],
    ids=["first-epoch", "eighth-epoch", "never"],
)
def test_EarlyStoppingCallback_stops_at_threshold(callback_class, accuracies):
    assert_stops_at_threshold(callback_class, accuracies, THRESHOLD, advice(EXPECTED, source=callback_class))


def test_EarlyStoppingCallback_message(callback_class):
    assert_prints(callback_class, [0.98, 0.993], MESSAGE)


def test_train_mnist_stops_early(history, learner):
    values = accuracies(history)
    # Their source text, for the diagnostics.
    code = [learner.namespace.get(name) for name in ("train_mnist", "EarlyStoppingCallback")]
    subjects = {"history": history, "source": code}
    assert len(values) <= MAX_EPOCHS, (
        f"Training ran {len(values)} epochs; fit for at most {MAX_EPOCHS} (`epochs={MAX_EPOCHS}`)."
    )
    stops = stop_epochs(values, THRESHOLD)
    assert stops, (
        f"Training ended at accuracy {values[-1]:.4f} without reaching 99% (per epoch: {shown(values)}). "
        + ("Give the model more capacity or check the data normalisation." if len(values) == MAX_EPOCHS else
           f"Let `fit` run up to {MAX_EPOCHS} epochs and stop only when the accuracy reaches 99%.")
        + advice(EXPECTED, **subjects)
    )
    assert len(values) - 1 in stops, (
        f"Accuracy first reached 99% at epoch {min(stops) + 1}, but training went on until epoch "
        f"{len(values)}: the callback did not stop it. Pass an instance of it to `fit(..., callbacks=[...])`, "
        "and in it read the accuracy under the name the model logs it ('accuracy' for metrics=['accuracy'])."
        + advice(EXPECTED, **subjects)
    )


def test_train_mnist_test_accuracy(history):
    model = history.model
    assert isinstance(model, tf.keras.Model), (
        "This History does not belong to a trained model: return exactly what `model.fit(...)` returns."
    )
    _, (x_test, y_test) = data.load_mnist()
    probabilities = model.predict(x_test / 255.0, batch_size=1000, verbose=0)
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y_test))
    assert accuracy >= TEST_ACCURACY, (
        f"On 10,000 test images your trained model is {accuracy:.2%} accurate; a model that really "
        f"reached 99% on the training images scores at least {TEST_ACCURACY:.0%} there."
    )
