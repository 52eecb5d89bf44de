"""Hidden checks for c1w2-mnist-callback: a dense MNIST classifier and a callback that stops at 99%."""
import numpy as np
import pytest
import tensorflow as tf

from autograder import data
from autograder.checks._training import learner_history, learner_model, loss_name, run_callback
from autograder.diagnostics import hints

THRESHOLD = 0.99
MAX_EPOCHS = 10
TEST_ACCURACY = 0.97  # the grader's own evaluation on the 10,000 MNIST test images
REFERENCE_PARAMS = 407_050  # Flatten -> Dense(512, relu) -> Dense(10, softmax)
PARAMETER_BUDGET = 4 * REFERENCE_PARAMS
MESSAGE = "Reached 99% accuracy so cancelling training!"

# What the task asks for: the diagnostics compare with it, the feedback report shows it beside
# the learner's model and training curves.
EXPECTED = {
    "model": "create_and_compile_model",
    "input_shape": (None, 28, 28),
    "head": ((10, "softmax"),),
    "loss": ("sparse_categorical_crossentropy",),
    "max_params": PARAMETER_BUDGET,
    "thresholds": {"accuracy": THRESHOLD},
    "stops_at": THRESHOLD,
    "epochs": MAX_EPOCHS,
}

# What each hidden test cell saves for its check, which runs outside the learner's kernel
# (autograder.verify): the callback class as its reactions to recorded epoch logs.
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
    return learner_model(learner, "create_and_compile_model")


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
    assert tuple(model.input_shape) == (None, 28, 28), (
        f"The model should take 28x28 images (input shape (None, 28, 28)), got {model.input_shape}."
    )
    assert tuple(model.output_shape) == (None, 10), (
        f"The model should output one probability per digit, shape (None, 10); got {model.output_shape}."
        + hints(EXPECTED, model=model)
    )
    head = model.layers[-1]
    activation = getattr(getattr(head, "activation", None), "__name__", None)
    assert activation == "softmax", (
        f"The last layer should use `activation='softmax'` so the 10 outputs are probabilities; got {activation}."
    )
    probabilities = model(np.zeros((2, 28, 28), dtype="float32")).numpy()
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4), "The 10 outputs should sum to 1 for each image."


def test_create_and_compile_model_compile(model):
    assert getattr(model, "optimizer", None) is not None, "Compile the model before returning it."
    loss = loss_name(model.loss)
    assert loss in ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"), (
        "The labels are digits 0-9 (not one-hot vectors), so use "
        f"`loss='sparse_categorical_crossentropy'`; got {loss!r}." + hints(EXPECTED, model=model)
    )
    metrics = [m if isinstance(m, str) else getattr(m, "name", "") for m in _compiled_metrics(model)]
    assert "accuracy" in metrics or "sparse_categorical_accuracy" in metrics, (
        "Add `metrics=['accuracy']` to `compile`: the callback reads logs['accuracy'], which "
        "only exists when the metric is compiled in."
    )


def _compiled_metrics(model):
    # Keras 3 keeps what compile() received on the compile config.
    config = model.get_compile_config() or {}
    metrics = config.get("metrics") or []
    return metrics if isinstance(metrics, (list, tuple)) else [metrics]


def test_create_and_compile_model_parameter_budget(model):
    params = model.count_params()
    assert params <= PARAMETER_BUDGET, (
        f"Your model has {params:,} parameters. This task needs far fewer: the reference model "
        f"(Flatten, Dense(512), Dense(10)) has {REFERENCE_PARAMS:,}. Use fewer or smaller layers "
        f"(at most {PARAMETER_BUDGET:,} parameters)."
    )


@pytest.mark.parametrize(
    "accuracies, expected_stop",
    [
        ([0.995], 0),  # reached on the first epoch
        ([0.90, 0.95, 0.97, 0.98, 0.985, 0.987, 0.989, 0.990, 0.999], 7),  # exactly 0.99 on epoch 7
        ([0.95, 0.98, 0.9899, 0.989, 0.98], None),  # just below: must keep training
    ],
    ids=["first-epoch", "eighth-epoch", "never"],
)
def test_EarlyStoppingCallback_stops_at_threshold(callback_class, accuracies, expected_stop):
    stopped, _ = run_callback(callback_class, accuracies)
    shown = ", ".join(f"{a:.4f}" for a in accuracies)
    if expected_stop is None:
        assert stopped is None, (
            f"Your callback stopped training at epoch {stopped} although accuracy never reached 99% "
            f"(accuracies per epoch: {shown}). Stop only when logs['accuracy'] >= 0.99."
            + hints(EXPECTED, source=callback_class)
        )
    else:
        assert stopped == expected_stop, (
            f"With accuracies per epoch {shown}, training should stop at epoch {expected_stop}, the "
            f"first one at or above 99%; your callback "
            + ("never stopped it" if stopped is None else f"stopped it at epoch {stopped}")
            + ". In `on_epoch_end`, read `logs['accuracy']` (not 'acc') and set "
            "`self.model.stop_training = True` when it is >= 0.99." + hints(EXPECTED, source=callback_class)
        )


def test_EarlyStoppingCallback_message(callback_class):
    _, printed = run_callback(callback_class, [0.98, 0.993])
    assert MESSAGE in printed, (
        f'When your callback stops training it should print "{MESSAGE}"; it printed {printed.strip()!r}.'
    )


def test_train_mnist_stops_early(history, learner):
    accuracies = [float(a) for a in history.history["accuracy"]]
    shown = ", ".join(f"{a:.4f}" for a in accuracies)
    # Their source text, for the diagnostics.
    code = [learner.namespace.get(name) for name in ("train_mnist", "EarlyStoppingCallback")]
    subjects = {"history": history, "source": code}
    assert accuracies[-1] >= THRESHOLD, (
        f"Training ended at accuracy {accuracies[-1]:.4f}, below 99% (per epoch: {shown}). "
        "Give the model more capacity or check the data normalisation." + hints(EXPECTED, **subjects)
    )
    assert len(accuracies) < MAX_EPOCHS, (
        f"Training ran all {MAX_EPOCHS} epochs: the callback should stop it as soon as accuracy reaches 99%."
        + hints(EXPECTED, **subjects)
    )
    first = next(i for i, a in enumerate(accuracies) if a >= THRESHOLD)
    assert first == len(accuracies) - 1, (
        f"Accuracy first reached 99% at epoch {first + 1}, but training went on until epoch "
        f"{len(accuracies)}: pass your callback to `fit(..., callbacks=[...])`."
        + hints(EXPECTED, source=subjects["source"])
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
