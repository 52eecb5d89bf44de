"""Hidden checks for c1w3-mnist-convolutions: a convolution and a pooling layer take MNIST to 99.5%."""
import numpy as np
import pytest
import tensorflow as tf

from autograder import data
from autograder.artifacts import behaviour
from autograder.checks.hidden._training import (
    accuracies, assert_accuracy_metric, assert_input_shape, assert_loss, assert_prints, assert_probabilities,
    assert_stops_at_threshold, head_text, learner_history, learner_model, output_head, shown, stop_epochs,
)
from autograder.feedback.diagnostics import advice
from autograder.artifacts.images import sample_images

THRESHOLD = 0.995
MAX_EPOCHS = 10
# The reference scores 98.45-98.58% on the test split when it stops (seeds 42 and 0-4); 0.98
# still rejects a model that only memorised the training images or saw differently prepared ones.
TEST_ACCURACY = 0.98
REFERENCE_PARAMS = 693_962  # Conv2D(32, 3x3) -> MaxPooling2D(2x2) -> Flatten -> Dense(128) -> Dense(10)
PARAMETER_BUDGET = 4 * REFERENCE_PARAMS
MESSAGE = "Reached 99.5% accuracy so cancelling training!"
IMAGE_SHAPE = (28, 28, 1)
INPUT_SHAPE = (28, 28, 1)  # what the model takes (a literal: the kernel reads it to build a model given no input)

# What the task asks for: the diagnostics compare with it, the feedback report shows it beside
# the learner's model and training curves.
EXPECTED = {
    "model": "convolutional_model",
    "input_shape": (None, *IMAGE_SHAPE),
    "head": ((10, "softmax"),),
    "loss": ("sparse_categorical_crossentropy",),
    "max_params": PARAMETER_BUDGET,
    "thresholds": {"accuracy": THRESHOLD},
    "stops_at": THRESHOLD,
    "epochs": MAX_EPOCHS,
}


# What each hidden test cell saves for its check, which runs outside the learner's kernel
# (autograder.artifacts.spec): reshape_and_normalize as its results on sample images, the callback
# class as its reactions to recorded epoch logs.
VERIFY = {
    "test_reshape_and_normalize_shape": {"reshape_and_normalize": "images-function"},
    "test_reshape_and_normalize_values": {"reshape_and_normalize": "images-function"},
    "test_EarlyStoppingCallback_stops_at_threshold": {"EarlyStoppingCallback": "callback"},
    "test_EarlyStoppingCallback_message": {"EarlyStoppingCallback": "callback"},
    "test_convolutional_model_architecture": {"convolutional_model": "call"},
    "test_convolutional_model_layer_shapes": {"convolutional_model": "call"},
    "test_convolutional_model_compile": {"convolutional_model": "call"},
    "test_convolutional_model_parameter_budget": {"convolutional_model": "call"},
    "test_training_history_stops_early": {"history": "value", "EarlyStoppingCallback": "callback"},
    "test_training_history_first_crossing": {"history": "value"},
    "test_training_history_test_accuracy": {"history": "value"},
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def reshape_and_normalize(learner):
    function = learner.get("reshape_and_normalize")
    assert callable(function), "`reshape_and_normalize` should be a function that takes an array of images."

    def call(images):
        # Errors come back with their fix, e.g. `images /= 255.0` on uint8 (diagnostic in-place-divide).
        result = learner.call("reshape_and_normalize", images)
        return result.numpy() if isinstance(result, tf.Tensor) else result  # a tensor is an array too

    return call


@pytest.fixture(scope="session")
def model(learner):
    model = learner_model(learner, "convolutional_model", INPUT_SHAPE)
    assert_input_shape(model, IMAGE_SHAPE, "28x28 grey-scale images with one channel")
    return model


@pytest.fixture(scope="session")
def callback_class(learner):
    cls = learner.get("EarlyStoppingCallback")
    assert isinstance(cls, type) and issubclass(cls, tf.keras.callbacks.Callback), (
        "`EarlyStoppingCallback` should be a class that subclasses `tf.keras.callbacks.Callback`."
    )
    return cls


@pytest.fixture(scope="session")
def history(learner):
    return learner_history(learner, returned_by="The training cell")


# --------------------------------------------------------------------------- helpers


def _output_shape(layer):
    try:
        return tuple(layer.output.shape)
    except (AttributeError, ValueError):
        return None


def _input_shape(layer):
    try:
        return tuple(layer.input.shape)
    except (AttributeError, ValueError):
        return None


def _conv_and_pool(model):
    """The first Conv2D and the first MaxPooling2D after it, checked to come before Flatten/Dense."""
    layers = behaviour.flat_layers(model)
    names = [type(layer).__name__ for layer in layers]
    head = next(
        (i for i, layer in enumerate(layers)
         if isinstance(layer, (tf.keras.layers.Flatten, tf.keras.layers.Dense, tf.keras.layers.GlobalMaxPooling2D,
                               tf.keras.layers.GlobalAveragePooling2D))),
        len(layers),
    )
    conv = next((i for i in range(head) if isinstance(layers[i], tf.keras.layers.Conv2D)), None)
    assert conv is not None, (
        "Your model needs a `tf.keras.layers.Conv2D` layer that works on the image before it is "
        f"flattened: it should come before Flatten and Dense. Your layers: {names}."
    )
    pool = next(
        (i for i in range(conv + 1, head) if isinstance(layers[i], tf.keras.layers.MaxPooling2D)), None
    )
    assert pool is not None, (
        "Your model needs a `tf.keras.layers.MaxPooling2D` layer after the convolution and before "
        f"Flatten/Dense, so the feature maps are shrunk before the dense layers. Your layers: {names}."
    )
    return layers[conv], layers[pool]


def _sample_images(count=5):
    return sample_images(count)  # the arrays the grading kernel calls the function on


# --------------------------------------------------------------------------- reshape_and_normalize


def test_reshape_and_normalize_shape(reshape_and_normalize):
    for count in (1, 5):  # any number of images, not only the 60,000 of the training set
        result = reshape_and_normalize(_sample_images(count))
        assert isinstance(result, np.ndarray), (
            f"`reshape_and_normalize` should return a numpy array, got {type(result).__name__}."
        )
        if result.shape == (count, *IMAGE_SHAPE):
            continue
        if result.shape[1:] == IMAGE_SHAPE:
            hint = "Take the number of images from the input (`images.shape[0]`) rather than writing a number."
        elif result.shape == (count, 1, 28, 28):
            hint = "Put the channel axis last, where Conv2D expects it."
        else:
            hint = "Keep the images as they are and add one axis of size 1 at the end."
        pytest.fail(
            f"For {count} image(s) of shape (28, 28), `reshape_and_normalize` should return shape "
            f"({count}, 28, 28, 1), one channel axis added at the end; got {result.shape}. {hint}",
            pytrace=False,
        )


def test_reshape_and_normalize_values(reshape_and_normalize):
    images = _sample_images()
    original = images.copy()
    result = reshape_and_normalize(images)
    assert np.array_equal(images, original) and images.dtype == original.dtype, (
        "`reshape_and_normalize` changed the array it was given. Return a new array instead "
        "(e.g. `images.reshape(...) / 255.0`), and do not divide in place with `/=`."
    )
    result = np.asarray(result)
    assert np.issubdtype(result.dtype, np.floating), (
        f"The normalised images should hold floats, got dtype {result.dtype}: divide by 255.0."
    )
    assert result.min() >= 0.0 and result.max() <= 1.0, (
        f"The pixel values should lie between 0 and 1, got {result.min():.3f} to {result.max():.3f}: "
        "divide the 0-255 pixel values by 255."
    )
    assert np.allclose(result.reshape(images.shape), images / 255.0, atol=1e-6), (
        "Each pixel should be its 0-255 value divided by 255, and stay where it was in the image: "
        "reshape to (n, 28, 28, 1) without reordering the pixels and divide by 255.0."
        + advice(EXPECTED, images=result)
    )

    floats = original.astype("float64")  # the same function on images that are already floats
    kept = floats.copy()
    reshape_and_normalize(floats)
    assert np.array_equal(floats, kept), (
        "Given float images, `reshape_and_normalize` changed the array it was given. Return a new "
        "array (e.g. `images.reshape(...) / 255.0`) rather than dividing in place with `/=`."
    )


# --------------------------------------------------------------------------- EarlyStoppingCallback


@pytest.mark.parametrize(
    "accuracies",
    [
        [0.997],  # reached on the first epoch
        [0.90, 0.95, 0.97, 0.98, 0.99, 0.992, 0.994, 0.9955, 0.999],  # reached on the eighth epoch
        [0.95, 0.98, 0.99, 0.993, 0.9949, 0.994],  # above the week-2 99%, below 99.5%
    ],
    ids=["first-epoch", "eighth-epoch", "never"],
)
def test_EarlyStoppingCallback_stops_at_threshold(callback_class, accuracies):
    assert_stops_at_threshold(callback_class, accuracies, THRESHOLD, advice(EXPECTED, source=callback_class))


def test_EarlyStoppingCallback_message(callback_class):
    assert_prints(callback_class, [0.98, 0.997], MESSAGE)


# --------------------------------------------------------------------------- convolutional_model


def test_convolutional_model_architecture(model):
    _conv_and_pool(model)
    assert tuple(model.output_shape) == (None, 10), (
        f"The model should output one probability per digit, shape (None, 10); got {model.output_shape}."
    )
    units, activation = output_head(model)
    assert activation == "softmax", (
        "The last layer should be a softmax (`activation='softmax'` or `tf.nn.softmax`) so the 10 outputs are "
        f"probabilities; your output layer has {head_text(units, activation)}."
    )
    assert_probabilities(model, (2, *IMAGE_SHAPE), softmax=True)


def test_convolutional_model_layer_shapes(model):
    conv, pool = _conv_and_pool(model)
    conv_in, conv_out, pool_out = _input_shape(conv), _output_shape(conv), _output_shape(pool)
    assert conv_in == (None, *IMAGE_SHAPE), (
        f"The first Conv2D should look at the whole 28x28 image, input shape (None, 28, 28, 1); its "
        f"input has shape {conv_in}. Put it directly after `tf.keras.Input(shape=(28, 28, 1))`."
    )
    assert conv_out is not None and len(conv_out) == 4, (
        f"The Conv2D layer should output a stack of 2D feature maps (None, height, width, filters); got {conv_out}."
    )
    # Without padding a k x k kernel fits 28 - k + 1 times along each side (stride 1).
    if conv.padding == "valid" and tuple(conv.strides) == (1, 1):
        expected = tuple(28 - k + 1 for k in conv.kernel_size)
        assert conv_out[1:3] == expected, (
            f"A {conv.kernel_size[0]}x{conv.kernel_size[1]} kernel without padding turns 28x28 into "
            f"{expected[0]}x{expected[1]}, but your first Conv2D outputs {conv_out}."
        )
    assert pool_out is not None and pool_out[1] < conv_out[1] and pool_out[2] < conv_out[2], (
        f"MaxPooling2D should shrink the feature maps, but it turns {conv_out} into {pool_out}: "
        "use `pool_size=(2, 2)` (or larger)."
    )
    if tuple(pool.pool_size) == (2, 2) and conv_out[1:3] == (26, 26) and pool_out[1:3] != (13, 13):
        pytest.fail(
            f"2x2 pooling should halve 26x26 feature maps to 13x13, but gives {pool_out}: leave "
            "`strides` at its default, which is the pool size.",
            pytrace=False,
        )


def test_convolutional_model_compile(model):
    assert_loss(model, ("sparse_categorical_crossentropy",),
                "The labels are digits 0-9 (not one-hot vectors) and the outputs are probabilities, so use "
                "`loss='sparse_categorical_crossentropy'`", advice(EXPECTED, model=model))
    assert_accuracy_metric(model, "the callback reads the accuracy, which training logs only when the "
                           "metric is compiled in.")


def test_convolutional_model_parameter_budget(model):
    params = model.count_params()
    assert params <= PARAMETER_BUDGET, (
        f"Your model has {params:,} parameters. This task needs far fewer: the reference model "
        f"(Conv2D with 32 3x3 filters, MaxPooling2D 2x2, Flatten, Dense(128), Dense(10)) has "
        f"{REFERENCE_PARAMS:,}. Use fewer filters or units, or pool before flattening "
        f"(at most {PARAMETER_BUDGET:,} parameters)."
    )


# --------------------------------------------------------------------------- training


def test_training_history_stops_early(history, learner):
    values = accuracies(history)
    # The callback's code is only in the kernel; outside it, the history alone is diagnosed.
    subjects = {"history": history, "source": learner.namespace.get("EarlyStoppingCallback")}
    stopped_early = len(values) < MAX_EPOCHS
    assert stop_epochs(values, THRESHOLD), (
        (f"Training stopped after {len(values)} epochs at accuracy {values[-1]:.4f}, below 99.5% (per epoch: "
         f"{shown(values)}): your callback stops at another threshold than the task's." if stopped_early else
         f"Training never reached 99.5% accuracy (per epoch: {shown(values)}). Check that the convolution "
         "and pooling layers come before Flatten, that the images are divided by 255, and that "
         "the dense layer has enough units (around 128).") + advice(EXPECTED, **subjects)
    )
    assert len(values) <= MAX_EPOCHS, (
        f"Training ran {len(values)} epochs; the training cell fits for at most {MAX_EPOCHS}. Run it unchanged."
    )
    assert len(values) < MAX_EPOCHS or len(values) - 1 in stop_epochs(values, THRESHOLD), (
        f"Training ran all {MAX_EPOCHS} epochs (per epoch: {shown(values)}): your callback should stop it "
        "as soon as accuracy reaches 99.5%." + advice(EXPECTED, **subjects)
    )


def test_training_history_first_crossing(history):
    values = accuracies(history)
    stops = stop_epochs(values, THRESHOLD)
    assert stops, "Training never reached 99.5% accuracy, so it cannot have stopped there."
    assert len(values) - 1 in stops, (
        f"Accuracy first reached 99.5% in epoch {min(stops) + 1}, but training went on until epoch "
        f"{len(values)}: your callback should set `self.model.stop_training = True` at the "
        "first epoch with logs['accuracy'] at 0.995 or above."
    )


def test_training_history_test_accuracy(history):
    model = history.model
    assert isinstance(model, tf.keras.Model), (
        "This History does not belong to a trained model: keep `history = model.fit(...)` as the "
        "training cell has it."
    )
    _, (x_test, y_test) = data.load_mnist()
    # The grader prepares the test images itself, the way the task asks for.
    images = (x_test.reshape(-1, *IMAGE_SHAPE) / 255.0).astype("float32")
    try:
        probabilities = np.asarray(model.predict(images, batch_size=1000, verbose=0))
    except Exception as error:  # the learner's model, reported rather than crashing the check
        pytest.fail(
            f"Your trained model could not classify test images of shape (n, 28, 28, 1): "
            f"{type(error).__name__}: {error}",
            pytrace=False,
        )
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y_test))
    assert accuracy >= TEST_ACCURACY, (
        f"On 10,000 test images your trained model is {accuracy:.2%} accurate; a convolutional model "
        f"that really reached 99.5% on the training images scores at least {TEST_ACCURACY:.0%} there."
    )
