"""Hidden checks for c1w4-happy-or-sad: a dataset of 80 faces and a convnet that fits it to 99.9%."""
import numpy as np
import pytest
import tensorflow as tf

from autograder.artifacts import behaviour
from autograder.checks.hidden._training import (
    accuracies, assert_accuracy_metric, assert_input_shape, assert_loss, assert_probabilities, call_image_loader,
    dataset_labels, head_text, learner_history, learner_model, output_head, shown,
)
from autograder.feedback.diagnostics import advice

IMAGE_SHAPE = (150, 150, 3)
INPUT_SHAPE = (150, 150, 3)  # what the model takes (a literal: the kernel reads it to build a model given no input)
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
# (autograder.artifacts.spec): datasets are saved with `tf.data.Dataset.save`.
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
    return learner_model(learner, "create_and_compile_model", INPUT_SHAPE)


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


def test_create_and_compile_model_architecture(model):
    assert_input_shape(model, IMAGE_SHAPE, "150x150 RGB images")
    assert any(isinstance(layer, tf.keras.layers.Conv2D) for layer in behaviour.flat_layers(model)), (
        "The model has no `Conv2D` layer: this week's model learns image features with "
        "convolutions (Conv2D + MaxPooling2D blocks) before its Dense layers."
    )
    units, activation = output_head(model)
    assert len(model.output_shape) == 2, (
        f"The model should output one row of probabilities per image, shape (None, {units}); got "
        f"{model.output_shape}. Flatten the feature maps before the Dense layers."
    )
    assert (units, activation) in ((1, "sigmoid"), (2, "softmax")), (
        f"The output layer has {head_text(units, activation)}. For two classes use one unit with "
        "`activation='sigmoid'` (the probability of 'sad'), or two units with `activation='softmax'`."
    )
    assert_probabilities(model, (BATCH_SIZE, *IMAGE_SHAPE), softmax=units == 2)


def test_create_and_compile_model_compile(model):
    units, _ = output_head(model)
    if units == 1:
        assert_loss(model, ("binary_crossentropy",), "With one sigmoid output the loss should be "
                    "`'binary_crossentropy'`", advice(EXPECTED, model=model))
    else:
        assert_loss(model, ("sparse_categorical_crossentropy",), "With two softmax outputs and labels 0/1 (not "
                    "one-hot), the loss should be `'sparse_categorical_crossentropy'`", advice(EXPECTED, model=model))
    assert_accuracy_metric(model, "the provided callback reads the accuracy.")


def test_training_reaches_target(history):
    values = accuracies(history)
    reached = [i for i, a in enumerate(values) if a >= TARGET]
    assert reached, (
        f"Training accuracy never reached {TARGET:.1%} in {len(values)} epochs (per epoch: {shown(values)}). "
        "Check the rescaling of the pixels, the output layer and the loss; a few Conv2D/MaxPooling2D "
        "blocks and a Dense layer are enough for these 80 images." + advice(EXPECTED, history=history)
    )
    assert reached[0] < MAX_EPOCHS - 1, (
        f"Accuracy reached {TARGET:.1%} only in the last of the {MAX_EPOCHS} epochs (per epoch: {shown(values)}); "
        f"it should get there in fewer than {MAX_EPOCHS} epochs. Give the model more capacity (more "
        "filters or Dense units) or use the 'rmsprop'/'adam' optimizer."
    )
