"""Hidden checks for c1w4-happy-or-sad: a dataset of 80 faces and a convnet that fits it to 99.9%."""
import numpy as np
import pytest
import tensorflow as tf

from autograder.checks._training import call_image_loader, dataset_labels, learner_history, learner_model, loss_name
from autograder.diagnostics import hints

IMAGE_SHAPE = (150, 150, 3)
BATCH_SIZE = 10
IMAGES = {"happy": 40, "sad": 40}  # the published data set (autograder.data checks its sha256)
TARGET = 0.999  # the provided callback stops training here
MAX_EPOCHS = 15  # fixed by the training cell
DATA_FOLDER = "data/happy-or-sad"

# What the task asks for: the diagnostics compare with it, the feedback report shows it beside
# the learner's model and training curves.
EXPECTED = {
    "model": "create_and_compile_model",
    "input_shape": (None, *IMAGE_SHAPE),
    "head": ((1, "sigmoid"), (2, "softmax")),
    "loss": ("binary_crossentropy", "sparse_categorical_crossentropy"),
    "thresholds": {"accuracy": TARGET},
    "stops_at": TARGET,
    "epochs": MAX_EPOCHS,
}

# Keras' errors when the folder it is given holds no class subfolders (e.g. data/happy-or-sad/happy)
# or only one (e.g. data/).
FOLDER_ADVICE = (
    "`image_dataset_from_directory` takes every SUBFOLDER of the directory you give it as one class. "
    f"Give it the parent folder `{DATA_FOLDER}`, which holds `happy/` and `sad/`; not a class folder "
    "such as `data/happy-or-sad/happy`, and not `data/`."
)


# What each hidden test cell saves for its check, which runs outside the learner's kernel
# (autograder.verify): datasets are saved with `tf.data.Dataset.save`.
VERIFY = {
    "test_training_dataset_classes": {"training_dataset": "call"},
    "test_training_dataset_spec": {"training_dataset": "call"},
    "test_training_dataset_pixels": {"training_dataset": "call"},
    "test_create_and_compile_model_architecture": {"create_and_compile_model": "call"},
    "test_create_and_compile_model_compile": {"create_and_compile_model": "call"},
    "test_training_reaches_target": {"history": "value"},
}

@pytest.fixture(scope="session")
def dataset(learner):
    dataset = call_image_loader(learner, "training_dataset", FOLDER_ADVICE)
    assert isinstance(dataset, tf.data.Dataset), (
        "`training_dataset()` should return the `tf.data.Dataset` that "
        f"`tf.keras.utils.image_dataset_from_directory` builds, got {type(dataset).__name__}."
    )
    spec = dataset.element_spec
    assert isinstance(spec, tuple) and len(spec) == 2, (
        "Each element of the dataset should be a pair (images, labels). Keep the labels that "
        "`image_dataset_from_directory` infers from the folders (`label_mode='binary'`), and in "
        "`.map` return both: `lambda images, labels: (rescale(images), labels)`."
    )
    assert dataset.cardinality() != tf.data.INFINITE_CARDINALITY, (
        "The dataset repeats forever: do not call `.repeat()`; `fit` goes over it once per epoch."
    )
    return dataset


@pytest.fixture(scope="session")
def model(learner):
    return learner_model(learner, "create_and_compile_model")


@pytest.fixture(scope="session")
def history(learner):
    return learner_history(learner, returned_by="The training cell")


def test_training_dataset_classes(dataset):
    labels = dataset_labels(dataset)
    found = sorted({float(v) for v in labels})
    assert len(found) == 2, (
        f"Your dataset holds only one class (every label is {found[0]:g}). " + FOLDER_ADVICE
        if len(found) == 1 else
        f"The labels should be 0 (happy) and 1 (sad); your dataset has the labels {found[:10]}. "
        "Use `label_mode='binary'` and let the labels come from the two class folders."
    )
    assert set(found) == {0.0, 1.0}, (
        f"The labels should be 0 (happy) and 1 (sad), got {found}. Use `label_mode='binary'`."
    )
    total = sum(IMAGES.values())
    assert len(labels) == total, (
        f"Your dataset holds {len(labels)} images, but `{DATA_FOLDER}` holds {total} "
        f"({IMAGES['happy']} happy, {IMAGES['sad']} sad). Load the whole folder once, without "
        "`validation_split`, `.take(...)` or `.repeat(...)`."
    )
    counts = {name: int(np.sum(labels == value)) for value, name in enumerate(IMAGES)}
    assert counts == IMAGES, (
        f"Your dataset holds {counts['happy']} happy (label 0) and {counts['sad']} sad (label 1) "
        f"images; the folders hold {IMAGES['happy']} of each. Load `{DATA_FOLDER}` as it is."
    )


def test_training_dataset_spec(dataset):
    images, labels = dataset.element_spec
    assert tuple(images.shape[1:]) == IMAGE_SHAPE, (
        f"Each image should have the shape {IMAGE_SHAPE} (150x150 pixels, 3 colour channels); your "
        f"dataset gives {tuple(images.shape[1:])}. Pass `image_size=(150, 150)` and keep the "
        "default `color_mode='rgb'`."
    )
    assert images.dtype == tf.float32, f"The images should be float32, got {images.dtype.name}."
    assert tuple(labels.shape[1:]) == (1,) and labels.dtype == tf.float32, (
        f"Each label should be one float, 0 or 1 (shape (batch, 1), float32); your labels have shape "
        f"{tuple(labels.shape)} and dtype {labels.dtype.name}. Pass `label_mode='binary'`."
    )
    first_images, _ = next(iter(dataset))
    assert first_images.shape[0] == BATCH_SIZE, (
        f"The batches should hold {BATCH_SIZE} images; your first batch holds {first_images.shape[0]}. "
        f"Pass `batch_size={BATCH_SIZE}`."
    )


def test_training_dataset_pixels(dataset):
    images, _ = next(iter(dataset))
    low, high = float(tf.reduce_min(images)), float(tf.reduce_max(images))
    assert low >= 0.0 and high <= 1.0, (
        f"Pixel values should lie between 0 and 1; yours go from {low:g} to {high:g}. Rescale them "
        "by 1/255, e.g. `dataset.map(lambda images, labels: (rescale(images), labels))` with "
        "`rescale = tf.keras.layers.Rescaling(1./255)`."
    )
    assert high > 0.5, (
        f"The brightest pixel of your first batch is {high:.4f}: the images look rescaled twice (or "
        "scaled by the wrong factor). Divide the original 0-255 values by 255 once."
    )


def _head(model):
    """(units, activation name) of the model's output layer."""
    layer = model.layers[-1]
    units = int(model.output_shape[-1])
    activation = getattr(getattr(layer, "activation", None), "__name__", None)
    if isinstance(layer, tf.keras.layers.Activation):
        activation = layer.activation.__name__
    return units, activation


def test_create_and_compile_model_architecture(model):
    assert tuple(model.input_shape) == (None, *IMAGE_SHAPE), (
        f"The model should take 150x150 RGB images, input shape (None, 150, 150, 3); got "
        f"{model.input_shape}. Start it with `tf.keras.Input(shape=(150, 150, 3))`."
    )
    assert any(isinstance(layer, tf.keras.layers.Conv2D) for layer in model.layers), (
        "The model has no `Conv2D` layer: this week's model learns image features with "
        "convolutions (Conv2D + MaxPooling2D blocks) before its Dense layers."
    )
    units, activation = _head(model)
    assert (units, activation) in ((1, "sigmoid"), (2, "softmax")), (
        f"The output layer has {units} unit(s) with activation {activation!r}. For two classes use "
        "one unit with `activation='sigmoid'` (the probability of 'sad'), or two units with "
        "`activation='softmax'`."
    )
    batch = np.zeros((BATCH_SIZE, *IMAGE_SHAPE), dtype="float32")
    try:
        output = np.asarray(model(batch, training=False))
    except Exception as error:  # e.g. a layer that only works on other shapes
        pytest.fail(f"The model cannot process a batch of {BATCH_SIZE} images: {type(error).__name__}: {error}",
                    pytrace=False)
    assert output.shape == (BATCH_SIZE, units), (
        f"For a batch of {BATCH_SIZE} images the model should output shape ({BATCH_SIZE}, {units}); got "
        f"{output.shape}. Flatten the feature maps before the Dense layers."
    )
    assert np.all((output >= 0) & (output <= 1)), "The outputs should be probabilities between 0 and 1."


def test_create_and_compile_model_compile(model):
    assert getattr(model, "optimizer", None) is not None and getattr(model, "loss", None) is not None, (
        "Compile the model before returning it: `model.compile(optimizer=..., loss=..., metrics=['accuracy'])`."
    )
    units, _ = _head(model)
    loss = loss_name(model.loss)
    if units == 1:
        assert loss in ("binary_crossentropy", "BinaryCrossentropy"), (
            f"With one sigmoid output the loss should be `'binary_crossentropy'`; got {loss!r}."
            + hints(EXPECTED, model=model)
        )
    else:
        assert loss in ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"), (
            "With two softmax outputs and labels 0/1 (not one-hot), the loss should be "
            f"`'sparse_categorical_crossentropy'`; got {loss!r}." + hints(EXPECTED, model=model)
        )
    config = model.get_compile_config() or {}
    metrics = config.get("metrics") or []
    metrics = metrics if isinstance(metrics, (list, tuple)) else [metrics]
    names = [m if isinstance(m, str) else getattr(m, "name", "") for m in metrics]
    assert "accuracy" in names, (
        "Add `metrics=['accuracy']` to `compile`: the provided callback reads logs['accuracy']."
    )


def test_training_reaches_target(history):
    accuracies = [float(a) for a in history.history["accuracy"]]
    shown = ", ".join(f"{a:.4f}" for a in accuracies)
    reached = [i for i, a in enumerate(accuracies) if a >= TARGET]
    assert reached, (
        f"Training accuracy never reached {TARGET:.1%} in {len(accuracies)} epochs (per epoch: {shown}). "
        "Check the rescaling of the pixels, the output layer and the loss; a few Conv2D/MaxPooling2D "
        "blocks and a Dense layer are enough for these 80 images." + hints(EXPECTED, history=history)
    )
    assert reached[0] < MAX_EPOCHS - 1, (
        f"Accuracy reached {TARGET:.1%} only in the last of the {MAX_EPOCHS} epochs (per epoch: {shown}); "
        f"it should get there in fewer than {MAX_EPOCHS} epochs. Give the model more capacity (more "
        "filters or Dense units) or use the 'rmsprop'/'adam' optimizer."
    )
