"""Each c1w4-horse-or-human hidden check fails on a purpose-made wrong submission, with a message for the learner.

The datasets come from a tiny copy of the data folders built with PIL (the real folder names and
image counts, 8x8 pixel PNGs), so `image_dataset_from_directory` runs for real but cheaply.
"""
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from autograder import data
from autograder.checks.hidden import c1w4_horse_or_human as checks

from conftest import recorded

pytestmark = pytest.mark.slow  # builds, saves and reloads Keras models

A = "c1w4-horse-or-human"
DATASET_CHECKS = ("test_train_val_datasets_classes", "test_train_val_datasets_shapes")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """data/horse-or-human/ and data/validation-horse-or-human/ with the published counts."""
    root = tmp_path_factory.mktemp("hoh") / "data"
    rng = np.random.default_rng(0)
    for role, folder_name in (("training", "horse-or-human"), ("validation", "validation-horse-or-human")):
        for class_name, count in checks.IMAGES[role].items():
            folder = root / folder_name / class_name
            folder.mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, size=(8, 8), dtype=np.uint8)  # grayscale, like the reduced copy
                pixels[0, 0] = 255
                Image.fromarray(pixels).save(folder / f"{class_name}{i:03d}.png")
    (root / "horse-or-human-VARIANT.txt").write_text("reduced\n")
    return root


def loader(train_folder, validation_folder, image_size=(100, 100), batch_size=32, label_mode="binary",
           color_mode="rgb", scale=1 / 255, validation_scale=None):
    """A `train_val_datasets` as a learner might write it; the folders are where it points."""
    validation_scale = scale if validation_scale is None else validation_scale

    def load(folder, factor):
        dataset = tf.keras.utils.image_dataset_from_directory(
            str(folder), image_size=image_size, batch_size=batch_size, label_mode=label_mode,
            color_mode=color_mode,
        )
        if factor == 1:
            return dataset
        return dataset.map(lambda images, labels: (images * factor, labels))

    def train_val_datasets():
        return load(train_folder, scale), load(validation_folder, validation_scale)
    return train_val_datasets


def right_loader(data_dir, **kwargs):
    return loader(data_dir / "horse-or-human", data_dir / "validation-horse-or-human", **kwargs)


def test_dataset_checks_pass_on_right_datasets(check, data_dir):
    namespace = {"train_val_datasets": right_loader(data_dir)}
    for name in DATASET_CHECKS:
        assert check(A, name, namespace) is None, name


@pytest.mark.parametrize("name", DATASET_CHECKS)
@pytest.mark.parametrize("label_mode", ["binary", "int"])
def test_pointed_at_a_class_subfolder(check, data_dir, name, label_mode):
    # the course's notebooks define train_horse_dir = os.path.join(TRAIN_DIR, "horses"); a learner passes it
    fake = loader(data_dir / "horse-or-human" / "horses", data_dir / "validation-horse-or-human",
                  label_mode=label_mode)
    message = check(A, name, {"train_val_datasets": fake})
    assert message and "`train_val_datasets(...)` raised ValueError" in message
    assert "SUBFOLDER" in message and "not a class folder such as `train_horse_dir`" in message
    assert "`data/horse-or-human` for training" in message


def test_pointed_at_the_data_folder(check, data_dir):
    # data/ holds the two split folders, so Keras finds two "classes": training and validation mixed
    message = check(A, "test_train_val_datasets_classes",
                    {"train_val_datasets": loader(data_dir, data_dir / "validation-horse-or-human")})
    assert message and "holds 1027 horses and 256 humans" in message
    assert "Load the training dataset from `data/horse-or-human`" in message


def test_swapped_folders(check, data_dir):
    fake = loader(data_dir / "validation-horse-or-human", data_dir / "horse-or-human")
    message = check(A, "test_train_val_datasets_classes", {"train_val_datasets": fake})
    assert message and "did you swap the two folders?" in message


def test_one_class_in_the_labels(check):
    def train_val_datasets():
        images = np.ones((64, 100, 100, 3), dtype="float32")
        labels = np.ones((64, 1), dtype="float32")
        one_class = tf.data.Dataset.from_tensor_slices((images, labels)).batch(32)
        return one_class, one_class
    message = check(A, "test_train_val_datasets_classes", {"train_val_datasets": train_val_datasets})
    assert message and "training dataset holds only one class (every label is 1)" in message
    assert "SUBFOLDER" in message


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"image_size": (150, 150)}, "image_size=(100, 100)"),
        ({"color_mode": "grayscale"}, "color_mode='rgb'"),
        ({"label_mode": "int"}, "label_mode='binary'"),
        ({"batch_size": 128}, "batch_size=32"),
        ({"scale": 1}, "Training pixel values should lie between 0 and 1"),
        ({"validation_scale": 1}, "Validation pixel values should lie between 0 and 1"),
        ({"scale": 1 / 255 / 255}, "rescaled twice"),
    ],
    ids=["size", "grayscale", "int-labels", "batch", "not-rescaled", "validation-not-rescaled", "rescaled-twice"],
)
def test_shapes_fail_on_wrong_options(check, data_dir, kwargs, expected):
    message = check(A, "test_train_val_datasets_shapes", {"train_val_datasets": right_loader(data_dir, **kwargs)})
    assert message and expected in message


def test_datasets_must_be_two_datasets(check, data_dir):
    one = lambda: right_loader(data_dir)()[0]  # noqa: E731
    message = check(A, "test_train_val_datasets_shapes", {"train_val_datasets": one})
    assert message and "should return two datasets" in message
    arrays = lambda: (np.zeros((2, 100, 100, 3)), np.zeros((2, 100, 100, 3)))  # noqa: E731
    message = check(A, "test_train_val_datasets_shapes", {"train_val_datasets": arrays})
    assert message and "The training dataset should be the `tf.data.Dataset`" in message


def test_datasets_not_implemented(check):
    def train_val_datasets():
        raise NotImplementedError()
    for name in DATASET_CHECKS:
        message = check(A, name, {"train_val_datasets": train_val_datasets})
        assert message and "not implemented yet" in message


# --------------------------------------------------------------------------- the model


def conv_model(input_shape=(100, 100, 3), pool=True, units=1, activation="sigmoid", loss="binary_crossentropy",
               optimizer=None, metrics=("accuracy",), compile=True):
    layers = [tf.keras.Input(shape=input_shape), tf.keras.layers.Conv2D(2, 3, activation="relu")]
    if pool:
        layers.append(tf.keras.layers.MaxPooling2D(8))
    layers += [tf.keras.layers.Flatten(), tf.keras.layers.Dense(units, activation=activation)]
    model = tf.keras.Sequential(layers)
    if compile:
        optimizer = optimizer or tf.keras.optimizers.RMSprop(learning_rate=0.001)
        model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return model


def test_model_checks_pass_on_a_right_model(check):
    for name in ("architecture", "compile"):
        assert check(A, f"test_create_model_{name}", {"create_model": conv_model}) is None, name


@pytest.mark.parametrize(
    "kwargs, test, expected",
    [
        ({"input_shape": (150, 150, 3)}, "architecture", "(None, 100, 100, 3)"),
        ({"pool": False}, "architecture", "followed by `MaxPooling2D`"),
        ({"units": 2, "activation": "softmax"}, "architecture", "`Dense(1, activation='sigmoid')`"),
        ({"activation": "relu"}, "architecture", "1 unit with relu"),
        ({"loss": "mse"}, "compile", "'binary_crossentropy'"),
        ({"optimizer": "adam"}, "compile", "RMSprop(learning_rate=0.001)"),
        ({"optimizer": tf.keras.optimizers.RMSprop(learning_rate=0.01)}, "compile", "learning rate should be 0.001"),
        ({"metrics": ()}, "compile", "metrics=['accuracy']"),
        ({"compile": False}, "compile", "Compile the model"),
    ],
    ids=["input-150", "no-pooling", "softmax-head", "relu-head", "mse", "adam", "rate", "no-metric", "not-compiled"],
)
def test_model_checks_fail_on_wrong_models(check, kwargs, test, expected):
    message = check(A, f"test_create_model_{test}", {"create_model": lambda: conv_model(**kwargs)})
    assert message and expected in message


def test_model_not_implemented(check):
    def create_model():
        raise NotImplementedError()
    message = check(A, "test_create_model_architecture", {"create_model": create_model})
    assert message and "not implemented yet" in message


# --------------------------------------------------------------------------- training and the data variant


def history_of(accuracy, val_accuracy=None, epochs=15):
    history = tf.keras.callbacks.History()
    history.history = {"loss": [0.5] * epochs, "accuracy": [accuracy] * epochs}
    if val_accuracy is not None:
        history.history["val_accuracy"] = [val_accuracy] * epochs
    history.epoch = list(range(epochs))
    return recorded(history)


@pytest.fixture
def variant(monkeypatch):
    """Pretend the grader's cache holds the given copy of horse-or-human."""
    def use(name):
        monkeypatch.setattr(data, "variant", lambda dataset: name)
    return use


@pytest.mark.parametrize("copy", ["reduced", "official"])
def test_training_passes_above_the_thresholds(check, variant, copy):
    variant(copy)
    limits = checks.THRESHOLDS[copy]
    history = history_of(limits["accuracy"] + 0.01, limits["val_accuracy"] + 0.01)
    assert check(A, "test_training_accuracy", {"history": history}) is None
    assert check(A, "test_training_validation_accuracy", {"history": history}) is None


@pytest.mark.parametrize("copy", ["reduced", "official"])
@pytest.mark.parametrize("key, test, what", [
    ("accuracy", "test_training_accuracy", "training"),
    ("val_accuracy", "test_training_validation_accuracy", "validation"),
])
def test_training_fails_below_the_thresholds(check, variant, copy, key, test, what):
    variant(copy)
    limits = dict(checks.THRESHOLDS[copy])
    limits = {k: v + 0.01 for k, v in limits.items()}
    limits[key] -= 0.03
    history = history_of(limits["accuracy"], limits["val_accuracy"])
    message = check(A, test, {"history": history})
    assert message and f"The {what} accuracy reached at best {limits[key]:.3f}" in message
    assert checks._VARIANT_WORDS[copy] in message


def test_thresholds_follow_the_variant(check, variant):
    """The two copies have their own thresholds: a score between them passes on one copy only."""
    low = min(checks.THRESHOLDS["reduced"]["val_accuracy"], checks.THRESHOLDS["official"]["val_accuracy"])
    high = max(checks.THRESHOLDS["reduced"]["val_accuracy"], checks.THRESHOLDS["official"]["val_accuracy"])
    history = history_of(1.0, (low + high) / 2)
    variant("reduced")
    reduced = check(A, "test_training_validation_accuracy", {"history": history})
    variant("official")
    official = check(A, "test_training_validation_accuracy", {"history": history})
    assert (reduced is None) != (official is None)


def test_variant_falls_back_to_the_placed_marker_file(monkeypatch, tmp_path):
    def not_cached(name):
        raise data.DataError("not in the cache")
    monkeypatch.setattr(data, "variant", not_cached)
    monkeypatch.chdir(tmp_path)
    assert checks.grading_variant() == "official"  # nothing known: the official thresholds
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "horse-or-human-VARIANT.txt").write_text("reduced\n")
    assert checks.grading_variant() == "reduced"
    (tmp_path / "data" / "horse-or-human-VARIANT.txt").write_text("something else\n")
    assert checks.grading_variant() == "official"
    monkeypatch.setattr(data, "variant", lambda name: "official")
    (tmp_path / "data" / "horse-or-human-VARIANT.txt").write_text("reduced\n")
    assert checks.grading_variant() == "official"  # the grader's verified cache wins over the file


def test_training_needs_validation_and_the_fixed_epochs(check, variant):
    variant("reduced")
    message = check(A, "test_training_validation_accuracy", {"history": history_of(1.0)})
    assert message and "validation_data=validation_dataset" in message
    message = check(A, "test_training_accuracy", {"history": history_of(1.0, 1.0, epochs=40)})
    assert message and "Training ran 40 epochs" in message
    message = check(A, "test_training_accuracy", {})
    assert message and "`history` is not defined" in message
    no_metric = history_of(1.0, 1.0)
    del no_metric.history["accuracy"]
    message = check(A, "test_training_accuracy", {"history": no_metric})
    assert message and "metrics=['accuracy']" in message
