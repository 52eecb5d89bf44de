"""Each c1w4-happy-or-sad hidden check fails on a purpose-made wrong submission, with a message for the learner.

The datasets come from a tiny copy of the data folder built with PIL (80 PNGs of 8x8 pixels, the
real class folders and counts), so `image_dataset_from_directory` runs for real but cheaply.
"""
import numpy as np
import pytest
import tensorflow as tf

from PIL import Image

from conftest import recorded

pytestmark = pytest.mark.slow  # builds, saves and reloads Keras models

A = "c1w4-happy-or-sad"
DATASET_CHECKS = ("test_training_dataset_classes", "test_training_dataset_spec", "test_training_dataset_pixels")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """data/happy-or-sad/{happy,sad}/ with 40 small images each; bright pixels in every image."""
    root = tmp_path_factory.mktemp("happy") / "data"
    rng = np.random.default_rng(0)
    for class_name in ("happy", "sad"):
        folder = root / "happy-or-sad" / class_name
        folder.mkdir(parents=True)
        for i in range(40):
            pixels = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
            pixels[0, 0] = 255
            Image.fromarray(pixels).save(folder / f"{class_name}{i:02d}.png")
    return root


def loader(folder, image_size=(150, 150), batch_size=10, label_mode="binary", scale=1 / 255, **kwargs):
    """A `training_dataset` as a learner might write it; `folder` is where it points."""
    def training_dataset():
        dataset = tf.keras.utils.image_dataset_from_directory(
            str(folder), image_size=image_size, batch_size=batch_size, label_mode=label_mode, **kwargs
        )
        if scale is None:
            return dataset
        return dataset.map(lambda images, labels: (images * scale, labels))
    return training_dataset


def test_dataset_checks_pass_on_a_right_dataset(check, data_dir):
    namespace = {"training_dataset": loader(data_dir / "happy-or-sad")}
    for name in DATASET_CHECKS:
        assert check(A, name, namespace) is None, name


@pytest.mark.parametrize("name", DATASET_CHECKS)
@pytest.mark.parametrize("label_mode", ["binary", "int"])
def test_pointed_at_a_class_subfolder(check, data_dir, name, label_mode):
    namespace = {"training_dataset": loader(data_dir / "happy-or-sad" / "happy", label_mode=label_mode)}
    message = check(A, name, namespace)
    assert message and "`training_dataset(...)` raised ValueError" in message
    assert "SUBFOLDER" in message and "parent folder `data/happy-or-sad`" in message


def test_pointed_at_the_data_folder(check, data_dir):
    # data/ holds one folder, happy-or-sad/: Keras finds one class and refuses binary labels
    message = check(A, "test_training_dataset_classes", {"training_dataset": loader(data_dir)})
    assert message and "class_names" in message and "parent folder `data/happy-or-sad`" in message


def one_class_dataset():
    images = np.ones((80, 150, 150, 3), dtype="float32")
    return tf.data.Dataset.from_tensor_slices((images, np.zeros((80, 1), "float32"))).batch(10)


def test_one_class_in_the_labels(check):
    message = check(A, "test_training_dataset_classes", {"training_dataset": one_class_dataset})
    assert message and "only one class (every label is 0)" in message and "SUBFOLDER" in message


def test_missing_images(check, data_dir):
    namespace = {"training_dataset": loader(data_dir / "happy-or-sad", validation_split=0.5, subset="training", seed=1)}
    message = check(A, "test_training_dataset_classes", namespace)
    assert message and "holds 40 images" in message and "holds 80" in message


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"image_size": (100, 100)}, "image_size=(150, 150)"),
        ({"color_mode": "grayscale"}, "color_mode='rgb'"),
        ({"label_mode": "int"}, "label_mode='binary'"),
        ({"batch_size": 32}, "batch_size=10"),
    ],
    ids=["size", "grayscale", "int-labels", "batch"],
)
def test_spec_fails_on_wrong_options(check, data_dir, kwargs, expected):
    message = check(A, "test_training_dataset_spec", {"training_dataset": loader(data_dir / "happy-or-sad", **kwargs)})
    assert message and expected in message


@pytest.mark.parametrize(
    "scale, expected",
    [(None, "between 0 and 1"), (1 / 255 / 255, "rescaled twice")],
    ids=["not-rescaled", "rescaled-twice"],
)
def test_pixels_fail_when_not_rescaled_once(check, data_dir, scale, expected):
    message = check(A, "test_training_dataset_pixels", {"training_dataset": loader(data_dir / "happy-or-sad", scale=scale)})
    assert message and expected in message


def test_dataset_must_be_a_dataset_of_pairs(check, data_dir):
    message = check(A, "test_training_dataset_spec", {"training_dataset": lambda: np.zeros((80, 150, 150, 3))})
    assert message and "should return the `tf.data.Dataset`" in message
    images_only = lambda: loader(data_dir / "happy-or-sad")().map(lambda images, labels: images)  # noqa: E731
    message = check(A, "test_training_dataset_spec", {"training_dataset": images_only})
    assert message and "pair (images, labels)" in message
    repeating = lambda: loader(data_dir / "happy-or-sad")().repeat()  # noqa: E731
    message = check(A, "test_training_dataset_classes", {"training_dataset": repeating})
    assert message and "repeats forever" in message


def test_dataset_not_implemented(check):
    def training_dataset():
        raise NotImplementedError()
    for name in DATASET_CHECKS:
        message = check(A, name, {"training_dataset": training_dataset})
        assert message and "not implemented yet" in message


# --------------------------------------------------------------------------- the model


def conv_model(input_shape=(150, 150, 3), conv=True, units=1, activation="sigmoid",
               loss="binary_crossentropy", metrics=("accuracy",), compile=True):
    layers = [tf.keras.Input(shape=input_shape)]
    if conv:
        layers += [tf.keras.layers.Conv2D(2, 3, activation="relu"), tf.keras.layers.MaxPooling2D(8)]
    layers += [tf.keras.layers.Flatten(), tf.keras.layers.Dense(units, activation=activation)]
    model = tf.keras.Sequential(layers)
    if compile:
        model.compile(optimizer="rmsprop", loss=loss, metrics=list(metrics))
    return model


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"units": 2, "activation": "softmax", "loss": "sparse_categorical_crossentropy"},
     {"loss": tf.keras.losses.BinaryCrossentropy()}],
    ids=["sigmoid", "softmax", "loss-object"],
)
def test_model_checks_pass_on_right_models(check, kwargs):
    namespace = {"create_and_compile_model": lambda: conv_model(**kwargs)}
    for name in ("architecture", "compile"):
        assert check(A, f"test_create_and_compile_model_{name}", namespace) is None, name


@pytest.mark.parametrize(
    "kwargs, test, expected",
    [
        ({"input_shape": (150, 150, 1)}, "architecture", "(None, 150, 150, 3)"),
        ({"conv": False}, "architecture", "no `Conv2D` layer"),
        ({"activation": "relu"}, "architecture", "1 unit with relu"),
        ({"units": 2}, "architecture", "2 units with sigmoid"),
        ({"loss": "sparse_categorical_crossentropy"}, "compile", "'binary_crossentropy'"),
        ({"units": 2, "activation": "softmax", "loss": "binary_crossentropy"}, "compile",
         "'sparse_categorical_crossentropy'"),
        ({"metrics": ()}, "compile", "metrics=['accuracy']"),
        ({"compile": False}, "compile", "Compile the model"),
    ],
    ids=["grayscale-input", "no-conv", "relu-head", "two-sigmoids", "sigmoid-sparse-loss",
         "softmax-binary-loss", "no-metric", "not-compiled"],
)
def test_model_checks_fail_on_wrong_models(check, kwargs, test, expected):
    namespace = {"create_and_compile_model": lambda: conv_model(**kwargs)}
    message = check(A, f"test_create_and_compile_model_{test}", namespace)
    assert message and expected in message


def test_model_that_cannot_take_a_batch(check):
    def create_and_compile_model():  # Flatten missing: the Dense head outputs one map per pixel
        model = tf.keras.Sequential([
            tf.keras.Input(shape=(150, 150, 3)),
            tf.keras.layers.Conv2D(2, 3), tf.keras.layers.MaxPooling2D(8),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        return model
    message = check(A, "test_create_and_compile_model_architecture", {"create_and_compile_model": create_and_compile_model})
    assert message and "Flatten" in message


def test_model_not_a_model(check):
    message = check(A, "test_create_and_compile_model_architecture", {"create_and_compile_model": lambda: None})
    assert message and "should return a Keras model" in message


# --------------------------------------------------------------------------- training


def history_of(accuracies, key="accuracy"):
    history = tf.keras.callbacks.History()
    history.history = {"loss": [1 - a for a in accuracies], key: list(accuracies)}
    history.epoch = list(range(len(accuracies)))
    return recorded(history)


def test_training_passes_when_the_target_is_reached_early(check):
    assert check(A, "test_training_reaches_target", {"history": history_of([0.5, 0.8, 0.95, 1.0])}) is None


@pytest.mark.parametrize(
    "accuracies, expected",
    [
        ([0.5 + 0.03 * i for i in range(15)], "never reached 99.9%"),
        ([0.5] * 14 + [1.0], "only in the last of the 15 epochs"),
        ([0.9, 0.99, 0.9989], "never reached 99.9%"),
    ],
    ids=["never", "last-epoch", "just-below"],
)
def test_training_fails_without_reaching_the_target_in_time(check, accuracies, expected):
    message = check(A, "test_training_reaches_target", {"history": history_of(accuracies)})
    assert message and expected in message


def test_training_needs_a_history_with_accuracy(check):
    # 'acc' is where Keras logs the accuracy of a model compiled with metrics=['acc']: it counts.
    assert check(A, "test_training_reaches_target", {"history": history_of([0.5, 1.0], key="acc")}) is None
    message = check(A, "test_training_reaches_target", {"history": history_of([0.5, 1.0], key="precision")})
    assert message and "metrics=['accuracy']" in message
    message = check(A, "test_training_reaches_target", {"history": [1.0]})
    assert message and "`History`" in message
    message = check(A, "test_training_reaches_target", {})
    assert message and "`history` is not defined" in message
