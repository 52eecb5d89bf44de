"""Each W2 hidden check fails on a purpose-made wrong submission, with a message for the learner."""
import pytest
import tensorflow as tf

from conftest import recorded

pytestmark = pytest.mark.slow  # builds, saves and reloads Keras models


A = "c1w2-mnist-callback"


def dense_model(hidden=(64,), head=10, activation="softmax", loss="sparse_categorical_crossentropy",
                metrics=("accuracy",), input_shape=(28, 28)):
    layers = [tf.keras.Input(shape=input_shape), tf.keras.layers.Flatten()]
    layers += [tf.keras.layers.Dense(units, activation="relu") for units in hidden]
    layers.append(tf.keras.layers.Dense(head, activation=activation))
    model = tf.keras.Sequential(layers)
    model.compile(optimizer="adam", loss=loss, metrics=list(metrics))
    return model


def test_model_checks_pass_on_a_right_model(check):
    namespace = {"create_and_compile_model": dense_model}
    for name in ("output_shape", "compile", "parameter_budget"):
        assert check(A, f"test_create_and_compile_model_{name}", namespace) is None


@pytest.mark.parametrize(
    "kwargs, test, expected",
    [
        ({"head": 1, "activation": "sigmoid"}, "output_shape", "(None, 10)"),
        ({"activation": "relu"}, "output_shape", "softmax"),
        ({"input_shape": (784,)}, "output_shape", "28x28"),
        ({"loss": "categorical_crossentropy"}, "compile", "sparse_categorical_crossentropy"),
        ({"metrics": ()}, "compile", "metrics=['accuracy']"),
        ({"hidden": (4096, 1024)}, "parameter_budget", "407,050"),
    ],
    ids=["one-unit", "relu-head", "flat-input", "one-hot-loss", "no-metric", "too-big"],
)
def test_model_checks_fail_on_wrong_models(check, kwargs, test, expected):
    message = check(A, f"test_create_and_compile_model_{test}", {"create_and_compile_model": lambda: dense_model(**kwargs)})
    assert message and expected in message


class RightCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= 0.99:
            self.model.stop_training = True
            print("Reached 99% accuracy so cancelling training!")


class OldKeyCallback(tf.keras.callbacks.Callback):  # course material from TF 1 days
    def on_epoch_end(self, epoch, logs=None):
        if logs.get("acc", 0) >= 0.99:
            self.model.stop_training = True


class StrictCallback(RightCallback):  # > instead of >=
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] > 0.99:
            self.model.stop_training = True


class EagerCallback(tf.keras.callbacks.Callback):  # threshold too low
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= 0.98:
            self.model.stop_training = True


class EpochCallback(tf.keras.callbacks.Callback):  # counts epochs instead of reading accuracy
    def on_epoch_end(self, epoch, logs=None):
        if epoch >= 4:
            self.model.stop_training = True


class QuietCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= 0.99:
            self.model.stop_training = True


@pytest.mark.parametrize("callback", [RightCallback, StrictCallback, OldKeyCallback],
                         ids=["at-least", "strictly-above", "acc-key"])
def test_callback_checks_pass_on_right_callbacks(check, callback):
    """`>=` as the task says, `>` as the course's notebooks write it, and the metric read as 'acc'
    (right where the model is compiled with `metrics=['acc']`; the training shows whether it is)."""
    namespace = {"EarlyStoppingCallback": callback}
    assert check(A, "test_EarlyStoppingCallback_stops_at_threshold", namespace) is None


def test_callback_message_passes(check):
    assert check(A, "test_EarlyStoppingCallback_message", {"EarlyStoppingCallback": RightCallback}) is None


@pytest.mark.parametrize(
    "callback, expected",
    [
        (EagerCallback, "stopped it after epoch 4"),
        (EpochCallback, "should stop after epoch 1"),
        (object, "subclasses `tf.keras.callbacks.Callback`"),
    ],
    ids=["eager", "epoch-count", "not-a-callback"],
)
def test_callback_check_fails_on_wrong_callbacks(check, callback, expected):
    message = check(A, "test_EarlyStoppingCallback_stops_at_threshold", {"EarlyStoppingCallback": callback})
    assert message and expected in message


def test_callback_message_missing(check):
    message = check(A, "test_EarlyStoppingCallback_message", {"EarlyStoppingCallback": QuietCallback})
    assert "Reached 99% accuracy so cancelling training!" in message


def fake_history(accuracies, model=None, record=True):
    """A History with these accuracies; `record=False` leaves it without a trained model."""
    history = tf.keras.callbacks.History()
    history.history = {"accuracy": list(accuracies), "loss": [1 - a for a in accuracies]}
    history.epoch = list(range(len(accuracies)))
    return recorded(history, model) if record else history


@pytest.mark.parametrize(
    "accuracies, expected",
    [
        ([0.95, 0.97, 0.98], "without reaching 99%"),
        ([0.9] * 10, "more capacity"),
        ([0.9] * 10 + [0.991], "at most 10"),
        ([0.95, 0.991, 0.992, 0.995], "first reached 99% at epoch 2"),
    ],
    ids=["stopped-below", "too-low", "over-budget", "late-stop"],
)
def test_history_checks_fail(check, accuracies, expected):
    message = check(A, "test_train_mnist_stops_early", {"history": fake_history(accuracies)})
    assert message and expected in message


@pytest.mark.parametrize("accuracies", [[0.95, 0.98, 0.992], [0.9] * 9 + [0.991], [0.95, 0.99, 0.992]],
                         ids=["clean-stop", "reached-on-the-last-epoch", "strict-callback-at-exactly-99"])
def test_history_check_passes_on_a_clean_stop(check, accuracies):
    assert check(A, "test_train_mnist_stops_early", {"history": fake_history(accuracies)}) is None


def test_history_without_accuracy_or_not_a_history(check):
    history = tf.keras.callbacks.History()
    history.history = {"loss": [0.3, 0.1]}
    assert "metrics=['accuracy']" in check(A, "test_train_mnist_stops_early", {"history": history})
    assert "returns, got dict" in check(A, "test_train_mnist_stops_early", {"history": {"accuracy": [0.995]}})


def test_a_fabricated_history_does_not_pass_the_graders_evaluation(check):
    """The accuracies claim 99.5%, but the grader evaluates the model itself on the test split."""
    assert "does not belong to a trained model" in check(
        A, "test_train_mnist_test_accuracy", {"history": fake_history([0.995], record=False)})
    untrained = fake_history([0.995], model=dense_model())
    message = check(A, "test_train_mnist_test_accuracy", {"history": untrained})
    assert message and "On 10,000 test images" in message


def test_a_history_that_does_not_match_its_model_is_refused(check):
    """A model trained elsewhere (or twice) made more steps than the returned History reports."""
    history = fake_history([0.95, 0.992], model=dense_model())
    history.model.optimizer.iterations.assign(5 * 10)  # e.g. loaded after 3 epochs elsewhere
    message = check(A, "test_train_mnist_stops_early", {"history": history})
    assert message and "reports 2 epochs of 10 steps, but its model made 50 training steps" in message
