"""Each W3 hidden check fails on a purpose-made wrong submission, with a message for the learner."""
import numpy as np
import pytest
import tensorflow as tf

from conftest import recorded

pytestmark = pytest.mark.slow  # builds, saves and reloads Keras models


A = "c1w3-mnist-convolutions"
L = tf.keras.layers


# --------------------------------------------------------------------------- reshape_and_normalize


def right_reshape(images):
    return images.reshape(images.shape[0], 28, 28, 1) / 255.0


def in_place_reshape(images):  # a view of the caller's array, divided in place
    images = images.reshape(images.shape[0], 28, 28, 1)
    images /= 255.0
    return images


def test_reshape_checks_pass_on_a_right_function(check):
    for function in (right_reshape, lambda images: np.expand_dims(images, -1).astype("float32") / 255):
        namespace = {"reshape_and_normalize": function}
        assert check(A, "test_reshape_and_normalize_shape", namespace) is None
        assert check(A, "test_reshape_and_normalize_values", namespace) is None


@pytest.mark.parametrize(
    "function, expected",
    [
        (lambda images: images / 255.0, "add one axis of size 1 at the end"),
        (lambda images: images.reshape(images.shape[0], 1, 28, 28) / 255.0, "Put the channel axis last"),
        (lambda images: images.reshape(60000, 28, 28, 1) / 255.0, "raised ValueError"),
        (lambda images: images[:1].reshape(1, 28, 28, 1) / 255.0, "Take the number of images from the input"),
        (lambda images: (images.reshape(-1, 28, 28, 1) / 255.0).tolist(), "should return a numpy array"),
        (lambda images: None, "got NoneType"),
    ],
    ids=["no-channel-axis", "channel-first", "hard-coded-count", "first-image-only", "list", "none"],
)
def test_reshape_shape_check_fails(check, function, expected):
    message = check(A, "test_reshape_and_normalize_shape", {"reshape_and_normalize": function})
    assert message and expected in message


def test_reshape_shape_check_on_the_starter(check):
    def starter(images):
        raise NotImplementedError()

    message = check(A, "test_reshape_and_normalize_shape", {"reshape_and_normalize": starter})
    assert "not implemented yet" in message
    assert "`reshape_and_normalize` is not defined" in check(A, "test_reshape_and_normalize_shape", {})


@pytest.mark.parametrize(
    "function, expected",
    [
        (lambda images: images.reshape(-1, 28, 28, 1).astype("float32"), "between 0 and 1"),
        (lambda images: images.reshape(-1, 28, 28, 1) // 255, "should hold floats"),
        (lambda images: images.transpose(0, 2, 1).reshape(-1, 28, 28, 1) / 255.0, "without reordering"),
        (in_place_reshape, "instead of dividing with `/=`"),  # uint8 cannot be divided in place
    ],
    ids=["not-normalised", "integer-division", "transposed", "in-place-uint8"],
)
def test_reshape_values_check_fails(check, function, expected):
    message = check(A, "test_reshape_and_normalize_values", {"reshape_and_normalize": function})
    assert message and expected in message


def test_reshape_values_check_catches_changing_the_input(check):
    def float_in_place(images):  # passes on uint8 images, changes float ones
        images = images.reshape(images.shape[0], 28, 28, 1)
        if np.issubdtype(images.dtype, np.floating):
            images /= 255.0
            return images
        return images / 255.0

    def overwrite(images):  # writes into the caller's array
        result = images.reshape(images.shape[0], 28, 28, 1) / 255.0
        images[:] = 0
        return result

    message = check(A, "test_reshape_and_normalize_values", {"reshape_and_normalize": float_in_place})
    assert message and "Given float images" in message
    message = check(A, "test_reshape_and_normalize_values", {"reshape_and_normalize": overwrite})
    assert message and "changed the array it was given" in message


# --------------------------------------------------------------------------- EarlyStoppingCallback


class RightCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= 0.995:
            self.model.stop_training = True
            print("Reached 99.5% accuracy so cancelling training!")


class WeekTwoCallback(tf.keras.callbacks.Callback):  # copied from week 2, threshold not raised
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= 0.99:
            self.model.stop_training = True
            print("Reached 99% accuracy so cancelling training!")


class StrictCallback(tf.keras.callbacks.Callback):  # > instead of >=
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] > 0.995:
            self.model.stop_training = True


class OldKeyCallback(tf.keras.callbacks.Callback):  # course material from TF 1 days
    def on_epoch_end(self, epoch, logs=None):
        if logs.get("acc", 0) >= 0.995:
            self.model.stop_training = True


class LossCallback(tf.keras.callbacks.Callback):  # watches the loss instead of the accuracy
    def on_epoch_end(self, epoch, logs=None):
        if logs["loss"] < 0.0001:
            self.model.stop_training = True


class QuietCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["accuracy"] >= 0.995:
            self.model.stop_training = True


@pytest.mark.parametrize("callback", [RightCallback, StrictCallback, OldKeyCallback],
                         ids=["at-least", "strictly-above", "acc-key"])
def test_callback_checks_pass_on_right_callbacks(check, callback):
    namespace = {"EarlyStoppingCallback": callback}
    assert check(A, "test_EarlyStoppingCallback_stops_at_threshold", namespace) is None


def test_callback_message_passes(check):
    assert check(A, "test_EarlyStoppingCallback_message", {"EarlyStoppingCallback": RightCallback}) is None


@pytest.mark.parametrize(
    "callback, expected",
    [
        (WeekTwoCallback, "should stop after epoch 8"),
        (LossCallback, "never stopped it"),
        (object, "subclasses `tf.keras.callbacks.Callback`"),
    ],
    ids=["week-2-threshold", "loss", "not-a-callback"],
)
def test_callback_check_fails_on_wrong_callbacks(check, callback, expected):
    message = check(A, "test_EarlyStoppingCallback_stops_at_threshold", {"EarlyStoppingCallback": callback})
    assert message and expected in message


def test_callback_check_fails_when_it_stops_too_early(check):
    class Eager(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs["accuracy"] >= 0.993:
                self.model.stop_training = True

    message = check(A, "test_EarlyStoppingCallback_stops_at_threshold", {"EarlyStoppingCallback": Eager})
    assert message and "stopped it after epoch 7" in message


@pytest.mark.parametrize("callback", [QuietCallback, WeekTwoCallback], ids=["silent", "week-2-message"])
def test_callback_message_check_fails(check, callback):
    message = check(A, "test_EarlyStoppingCallback_message", {"EarlyStoppingCallback": callback})
    assert message and '"Reached 99.5% accuracy so cancelling training!"' in message


# --------------------------------------------------------------------------- convolutional_model


def conv_model(filters=32, kernel=(3, 3), pool=(2, 2), pool_strides=None, units=128, head=10,
               activation="softmax", loss="sparse_categorical_crossentropy", metrics=("accuracy",),
               input_shape=(28, 28, 1), with_input=True, before=(), compile=True, conv=True, pooling=True):
    layers = [tf.keras.Input(shape=input_shape)] if with_input else []
    layers += list(before)
    if conv:
        layers.append(L.Conv2D(filters, kernel, activation="relu"))
    if pooling:
        layers.append(L.MaxPooling2D(pool, strides=pool_strides))
    layers += [L.Flatten(), L.Dense(units, activation="relu"), L.Dense(head, activation=activation)]
    model = tf.keras.Sequential(layers)
    if compile:
        model.compile(optimizer="adam", loss=loss, metrics=list(metrics))
    return model


MODEL_CHECKS = ("architecture", "layer_shapes", "compile", "parameter_budget")


@pytest.mark.parametrize("kwargs", [{}, {"filters": 64}, {"kernel": (5, 5)}], ids=["reference", "64-filters", "5x5"])
def test_model_checks_pass_on_right_models(check, kwargs):
    namespace = {"convolutional_model": lambda: conv_model(**kwargs)}
    for name in MODEL_CHECKS:
        assert check(A, f"test_convolutional_model_{name}", namespace) is None, name


def test_model_checks_pass_on_a_functional_model(check):
    def functional():
        inputs = tf.keras.Input(shape=(28, 28, 1))
        x = L.MaxPooling2D((2, 2))(L.Conv2D(32, (3, 3), activation="relu")(inputs))
        outputs = L.Dense(10, activation="softmax")(L.Dense(128, activation="relu")(L.Flatten()(x)))
        model = tf.keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    for name in MODEL_CHECKS:
        assert check(A, f"test_convolutional_model_{name}", {"convolutional_model": functional}) is None, name


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"conv": False, "pooling": False}, "needs a `tf.keras.layers.Conv2D`"),  # the week-2 model
        ({"pooling": False, "units": 16}, "needs a `tf.keras.layers.MaxPooling2D`"),
        ({"head": 1, "activation": "sigmoid"}, "(None, 10)"),
        ({"activation": "relu"}, "softmax"),
        ({"input_shape": (28, 28), "conv": False, "pooling": False}, "(None, 28, 28, 1)"),
    ],
    ids=["dense-only", "no-pooling", "one-unit", "relu-head", "no-channel-axis"],
)
def test_architecture_check_fails(check, kwargs, expected):
    message = check(A, "test_convolutional_model_architecture", {"convolutional_model": lambda: conv_model(**kwargs)})
    assert message and expected in message


def test_architecture_check_wants_pooling_after_the_convolution(check):
    def pool_first():
        model = tf.keras.Sequential([
            tf.keras.Input(shape=(28, 28, 1)), L.MaxPooling2D((2, 2)), L.Conv2D(32, (3, 3), activation="relu"),
            L.Flatten(), L.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    message = check(A, "test_convolutional_model_architecture", {"convolutional_model": pool_first})
    assert message and "after the convolution" in message


def test_model_checks_report_a_missing_or_wrong_return(check):
    message = check(A, "test_convolutional_model_architecture", {"convolutional_model": lambda: None})
    assert message and "should return a Keras model, got NoneType" in message

    def starter():
        raise NotImplementedError()

    assert "not implemented yet" in check(A, "test_convolutional_model_compile", {"convolutional_model": starter})


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"pool": (1, 1)}, "should shrink the feature maps"),
        ({"pool_strides": (1, 1)}, "should halve 26x26 feature maps to 13x13"),
        ({"before": [L.ZeroPadding2D(1)]}, "should look at the whole 28x28 image"),
    ],
    ids=["1x1-pool", "pool-stride-1", "padded-input"],
)
def test_layer_shapes_check_fails(check, kwargs, expected):
    message = check(A, "test_convolutional_model_layer_shapes", {"convolutional_model": lambda: conv_model(**kwargs)})
    assert message and expected in message


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"loss": "categorical_crossentropy"}, "sparse_categorical_crossentropy"),
        ({"metrics": ()}, "metrics=['accuracy']"),
        ({"compile": False}, "Compile the model"),
    ],
    ids=["one-hot-loss", "no-metric", "not-compiled"],
)
def test_compile_check_fails(check, kwargs, expected):
    message = check(A, "test_convolutional_model_compile", {"convolutional_model": lambda: conv_model(**kwargs)})
    assert message and expected in message


def test_parameter_budget_check_fails_on_a_huge_model(check):
    message = check(A, "test_convolutional_model_parameter_budget",
                    {"convolutional_model": lambda: conv_model(filters=64, units=1024)})
    assert message and "693,962" in message and "11," in message


# --------------------------------------------------------------------------- training history


def fake_history(accuracies, model=None, record=True):
    """A History with these accuracies; `record=False` leaves it without a trained model."""
    history = tf.keras.callbacks.History()
    history.history = {"accuracy": list(accuracies), "loss": [1 - a for a in accuracies]}
    history.epoch = list(range(len(accuracies)))
    return recorded(history, model) if record else history


@pytest.mark.parametrize("accuracies", [[0.95, 0.985, 0.991, 0.994, 0.996], [0.9] * 9 + [0.996],
                                        [0.99, 0.995, 0.997]],
                         ids=["clean-stop", "reached-on-the-last-epoch", "strict-callback-at-exactly-99.5"])
def test_history_checks_pass_on_a_clean_stop(check, accuracies):
    namespace = {"history": fake_history(accuracies)}
    assert check(A, "test_training_history_stops_early", namespace) is None
    assert check(A, "test_training_history_first_crossing", namespace) is None


@pytest.mark.parametrize(
    "accuracies, expected",
    [
        ([0.95, 0.98, 0.991], "below 99.5%"),  # stopped at week 2's 99%
        ([0.95, 0.97, 0.98, 0.985, 0.99, 0.991, 0.992, 0.993, 0.994, 0.9945], "never reached 99.5%"),
        ([0.9] * 10, "never reached 99.5%"),
        ([0.9] * 5 + [0.996] * 5, "ran all 10 epochs"),
    ],
    ids=["week-2-stop", "too-low", "never", "budget"],
)
def test_stops_early_check_fails(check, accuracies, expected):
    message = check(A, "test_training_history_stops_early", {"history": fake_history(accuracies)})
    assert message and expected in message


def test_first_crossing_check_fails_on_a_late_stop(check):
    message = check(A, "test_training_history_first_crossing", {"history": fake_history([0.95, 0.996, 0.997, 0.998])})
    assert message and "first reached 99.5% in epoch 2" in message and "until epoch 4" in message
    message = check(A, "test_training_history_first_crossing", {"history": fake_history([0.95, 0.99])})
    assert message and "never reached 99.5%" in message


def test_history_without_accuracy_or_not_a_history(check):
    history = tf.keras.callbacks.History()
    history.history = {"loss": [0.3, 0.1]}
    assert "metrics=['accuracy']" in check(A, "test_training_history_stops_early", {"history": history})
    message = check(A, "test_training_history_first_crossing", {"history": {"accuracy": [0.996]}})
    assert message and "got dict" in message
    assert "`history` is not defined" in check(A, "test_training_history_test_accuracy", {})


def test_a_fabricated_history_does_not_pass_the_graders_evaluation(check):
    """The accuracies claim 99.6%, but the grader evaluates the model itself on the test split."""
    assert "does not belong to a trained model" in check(
        A, "test_training_history_test_accuracy", {"history": fake_history([0.996], record=False)})
    untrained = fake_history([0.996], model=conv_model(units=8))
    message = check(A, "test_training_history_test_accuracy", {"history": untrained})
    assert message and "On 10,000 test images" in message


def test_test_accuracy_check_reports_a_model_that_cannot_take_the_images(check):
    flat = tf.keras.Sequential([tf.keras.Input(shape=(784,)), L.Dense(10, activation="softmax")])
    message = check(A, "test_training_history_test_accuracy", {"history": fake_history([0.996], model=flat)})
    assert message and "could not classify test images of shape (n, 28, 28, 1)" in message
