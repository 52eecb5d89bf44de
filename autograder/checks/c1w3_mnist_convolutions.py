"""Hidden checks for c1w3-mnist-convolutions: a convolution and a pooling layer take MNIST to 99.5%."""
import numpy as np
import pytest
import tensorflow as tf

from autograder import data
from autograder.checks._training import learner_history, learner_model, loss_name, run_callback
from autograder.diagnostics import hints
from autograder.verify import sample_images

THRESHOLD = 0.995
MAX_EPOCHS = 10
# The reference scores 98.45-98.58% on the test split when it stops (seeds 42 and 0-4); 0.98
# still rejects a model that only memorised the training images or saw differently prepared ones.
TEST_ACCURACY = 0.98
REFERENCE_PARAMS = 693_962  # Conv2D(32, 3x3) -> MaxPooling2D(2x2) -> Flatten -> Dense(128) -> Dense(10)
PARAMETER_BUDGET = 4 * REFERENCE_PARAMS
MESSAGE = "Reached 99.5% accuracy so cancelling training!"
IMAGE_SHAPE = (28, 28, 1)

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


# --------------------------------------------------------------------------- fixtures


# What each hidden test cell saves for its check, which runs outside the learner's kernel
# (autograder.verify): reshape_and_normalize as its results on sample images, the callback
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

@pytest.fixture(scope="session")
def reshape_and_normalize(learner):
    function = learner.get("reshape_and_normalize")
    assert callable(function), "`reshape_and_normalize` should be a function that takes an array of images."

    def call(images):
        # Errors come back with their fix, e.g. `images /= 255.0` on uint8 (diagnostic in-place-divide).
        return learner.call("reshape_and_normalize", images)

    return call


@pytest.fixture(scope="session")
def model(learner):
    model = learner_model(learner, "convolutional_model")
    try:
        input_shape = model.input_shape
    except (AttributeError, ValueError):
        pytest.fail(
            "Your model does not know the shape of its input yet: start the Sequential model with "
            "`tf.keras.Input(shape=(28, 28, 1))`.",
            pytrace=False,
        )
    assert tuple(input_shape) == (None, *IMAGE_SHAPE), (
        f"The model should take 28x28 grey-scale images with one channel, input shape "
        f"(None, 28, 28, 1); got {input_shape}. Start it with `tf.keras.Input(shape=(28, 28, 1))`."
    )
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


def _layers(model):
    """The model's layers in order, with nested models expanded."""
    for layer in model.layers:
        if isinstance(layer, tf.keras.Model):
            yield from _layers(layer)
        else:
            yield layer


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
    layers = list(_layers(model))
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


def _compiled_metrics(model):
    # Keras 3 keeps what compile() received on the compile config.
    config = model.get_compile_config() or {}
    metrics = config.get("metrics") or []
    return metrics if isinstance(metrics, (list, tuple)) else [metrics]


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
        + hints(EXPECTED, images=result)
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
    "accuracies, expected_stop",
    [
        ([0.995], 0),  # reached on the first epoch
        ([0.90, 0.95, 0.97, 0.98, 0.99, 0.992, 0.994, 0.995, 0.999], 7),  # exactly 0.995 on epoch 7
        ([0.95, 0.98, 0.99, 0.993, 0.9949, 0.994], None),  # above the week-2 99%, below 99.5%
    ],
    ids=["first-epoch", "eighth-epoch", "never"],
)
def test_EarlyStoppingCallback_stops_at_threshold(callback_class, accuracies, expected_stop):
    stopped, _ = run_callback(callback_class, accuracies)
    shown = ", ".join(f"{a:.4f}" for a in accuracies)
    if expected_stop is None:
        assert stopped is None, (
            f"Your callback stopped training at epoch {stopped} although accuracy never reached 99.5% "
            f"(accuracies per epoch: {shown}). Stop only when logs['accuracy'] >= 0.995."
            + hints(EXPECTED, source=callback_class)
        )
    else:
        assert stopped == expected_stop, (
            f"With accuracies per epoch {shown}, training should stop at epoch {expected_stop}, the "
            f"first one at or above 99.5%; your callback "
            + ("never stopped it" if stopped is None else f"stopped it at epoch {stopped}")
            + ". In `on_epoch_end`, read `logs['accuracy']` and set "
            "`self.model.stop_training = True` when it is >= 0.995." + hints(EXPECTED, source=callback_class)
        )


def test_EarlyStoppingCallback_message(callback_class):
    _, printed = run_callback(callback_class, [0.98, 0.997])
    assert MESSAGE in printed, (
        f'When your callback stops training it should print "{MESSAGE}"; it printed {printed.strip()!r}.'
    )


# --------------------------------------------------------------------------- convolutional_model


def test_convolutional_model_architecture(model):
    _conv_and_pool(model)
    assert tuple(model.output_shape) == (None, 10), (
        f"The model should output one probability per digit, shape (None, 10); got {model.output_shape}."
    )
    head = list(_layers(model))[-1]
    activation = getattr(getattr(head, "activation", None), "__name__", None)
    assert activation == "softmax", (
        f"The last layer should use `activation='softmax'` so the 10 outputs are probabilities; got {activation}."
    )
    probabilities = np.asarray(model(np.zeros((2, *IMAGE_SHAPE), dtype="float32")))
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4), "The 10 outputs should sum to 1 for each image."


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


def test_convolutional_model_parameter_budget(model):
    params = model.count_params()
    assert params <= PARAMETER_BUDGET, (
        f"Your model has {params:,} parameters. This task needs far fewer: the reference model "
        f"(Conv2D with 32 3x3 filters, MaxPooling2D 2x2, Flatten, Dense(128), Dense(10)) has "
        f"{REFERENCE_PARAMS:,}. Use fewer filters or units, or pool before flattening "
        f"(at most {PARAMETER_BUDGET:,} parameters)."
    )


# --------------------------------------------------------------------------- training


def _accuracies(history):
    return [float(a) for a in history.history["accuracy"]]


def test_training_history_stops_early(history, learner):
    accuracies = _accuracies(history)
    shown = ", ".join(f"{a:.4f}" for a in accuracies)
    # The callback's code is only in the kernel; outside it, the history alone is diagnosed.
    subjects = {"history": history, "source": learner.namespace.get("EarlyStoppingCallback")}
    assert max(accuracies) >= THRESHOLD, (
        f"Training never reached 99.5% accuracy (per epoch: {shown}). Check that the convolution "
        "and pooling layers come before Flatten, that the images are divided by 255, and that "
        "the dense layer has enough units (around 128)." + hints(EXPECTED, **subjects)
    )
    assert len(accuracies) < MAX_EPOCHS, (
        f"Training ran all {MAX_EPOCHS} epochs (per epoch: {shown}): your callback should stop it "
        "as soon as accuracy reaches 99.5%." + hints(EXPECTED, **subjects)
    )


def test_training_history_first_crossing(history):
    accuracies = _accuracies(history)
    first = next((i for i, a in enumerate(accuracies) if a >= THRESHOLD), None)
    assert first is not None, "Training never reached 99.5% accuracy, so it cannot have stopped there."
    assert first == len(accuracies) - 1, (
        f"Accuracy first reached 99.5% in epoch {first + 1}, but training went on until epoch "
        f"{len(accuracies)}: your callback should set `self.model.stop_training = True` at the "
        "first epoch with logs['accuracy'] >= 0.995."
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
