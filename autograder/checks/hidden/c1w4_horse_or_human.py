"""Hidden checks for c1w4-horse-or-human: datasets from two folders and a convnet with validation.

Which copy of the images is graded matters for the accuracy thresholds: the official 300x300 RGB
images, or the reduced copy (the same 1283 images shrunk to 100x100 grayscale) that stands in for
them where the official files cannot be downloaded. `grading_variant()` asks the grader's verified
cache (autograder.data.variant), else reads data/horse-or-human-VARIANT.txt.
"""
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from autograder import data
from autograder.artifacts import behaviour
from autograder.checks.hidden._training import (
    accuracies, assert_accuracy_metric, assert_input_shape, assert_loss, assert_probabilities, call_image_loader,
    dataset_labels, head_text, learner_history, learner_model, output_head,
)
from autograder.feedback.diagnostics import advice

IMAGE_SIZE = (100, 100)  # the target size the notebook states
IMAGE_SHAPE = (*IMAGE_SIZE, 3)
INPUT_SHAPE = (100, 100, 3)  # what the model takes (a literal: the kernel reads it to build a model given no input)
BATCH_SIZE = 32
EPOCHS = 15  # fixed by the training cell
# The published split (the reduced copy has the same files): class folders in alphabetical order.
IMAGES = {
    "training": {"horses": 500, "humans": 527},
    "validation": {"horses": 128, "humans": 128},
}
FOLDERS = {"training": "data/horse-or-human", "validation": "data/validation-horse-or-human"}
VARIANT_FILE = Path("data") / "horse-or-human-VARIANT.txt"

# Best accuracy over the EPOCHS epochs that training and validation must reach.
THRESHOLDS = {
    # Measured here on the reduced copy (100x100 grayscale) with the master's reference model at
    # 100x100, RMSprop(0.001), batch 32, 15 epochs, 10 seeds (42, 1-9): best training accuracy
    # 1.000 in every run (0.95 passed by epoch 4-7); best validation accuracy 0.902-0.922, while
    # single epochs dip to 0.52. The thresholds leave a margin of 0.05 below the worst seed.
    "reduced": {"accuracy": 0.95, "val_accuracy": 0.85},
    # NOT MEASURED HERE: the official images were not available offline. Set conservatively
    # below the lecture's known behaviour (training ~0.9+, validation ~0.8, with large swings
    # between epochs). Re-measure and adjust once the official data can be fetched.
    "official": {"accuracy": 0.90, "val_accuracy": 0.75},
}
_VARIANT_WORDS = {
    "reduced": "the reduced copy of the data (100x100 grayscale)",
    "official": "the official data",
}

# Keras' errors when the folder it is given holds no class subfolders (a class folder such as
# data/horse-or-human/horses) or the wrong number of them.
FOLDER_ADVICE = (
    "`image_dataset_from_directory` takes every SUBFOLDER of the directory you give it as one class. "
    "Give it the parent folders, `data/horse-or-human` for training and "
    "`data/validation-horse-or-human` for validation (each holds `horses/` and `humans/`); not a "
    "class folder such as `train_horse_dir`, and not `data/`."
)


def grading_variant() -> str:
    """"official" or "reduced": the grader's verified cache first, the placed marker file second."""
    try:
        return data.variant("horse-or-human")
    except data.DataError:
        pass
    try:
        text = VARIANT_FILE.read_text().strip()
    except OSError:
        return "official"  # unknown: hold the submission to the official thresholds
    return text if text in THRESHOLDS else "official"


# What the task asks for: the diagnostics compare with it, the feedback report shows it beside
# the learner's model and training curves (thresholds of the copy of the data graded here).
EXPECTED = {
    "model": "create_model",
    "input_shape": (None, *IMAGE_SHAPE),
    "head": ((1, "sigmoid"),),
    "loss": ("binary_crossentropy",),
    "thresholds": THRESHOLDS[grading_variant()],
    "epochs": EPOCHS,
}


# What each hidden test cell saves for its check, which runs outside the learner's kernel
# (autograder.artifacts.spec): datasets are saved with `tf.data.Dataset.save`.
VERIFY = {
    "test_train_val_datasets_classes": {"train_val_datasets": "call"},
    "test_train_val_datasets_shapes": {"train_val_datasets": "call"},
    "test_create_model_architecture": {"create_model": "call"},
    "test_create_model_compile": {"create_model": "call"},
    "test_training_accuracy": {"history": "value"},
    "test_training_validation_accuracy": {"history": "value"},
}

@pytest.fixture(scope="session")
def datasets(learner):
    result = call_image_loader(learner, "train_val_datasets", FOLDER_ADVICE)
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        "`train_val_datasets()` should return two datasets, `(train_dataset, validation_dataset)`; "
        f"got {'a single dataset' if isinstance(result, tf.data.Dataset) else type(result).__name__}."
    )
    for role, dataset in zip(IMAGES, result):
        assert isinstance(dataset, tf.data.Dataset), (
            f"The {role} dataset should be the `tf.data.Dataset` that "
            f"`tf.keras.utils.image_dataset_from_directory` builds, got {type(dataset).__name__}."
        )
        spec = dataset.element_spec
        assert isinstance(spec, tuple) and len(spec) == 2, (
            f"Each element of the {role} dataset should be a pair (images, labels). Keep the labels "
            "that `image_dataset_from_directory` infers from the folders (`label_mode='binary'`), and "
            "in `.map` return both: `lambda images, labels: (rescale(images), labels)`."
        )
        assert dataset.cardinality() != tf.data.INFINITE_CARDINALITY, (
            f"The {role} dataset repeats forever: do not call `.repeat()`; `fit` goes over it once per epoch."
        )
    return dict(zip(IMAGES, result))


@pytest.fixture(scope="session")
def model(learner):
    return learner_model(learner, "create_model", INPUT_SHAPE)


@pytest.fixture(scope="session")
def history(learner):
    return learner_history(learner, returned_by="The training cell")


def test_train_val_datasets_classes(datasets):
    for role, dataset in datasets.items():
        labels = dataset_labels(dataset)
        found = sorted({float(v) for v in labels})
        assert len(found) == 2, (
            f"Your {role} dataset holds only one class (every label is {found[0]:g}). " + FOLDER_ADVICE
            if len(found) == 1 else
            f"The labels should be 0 (horses) and 1 (humans); your {role} dataset has {found[:10]}. "
            "Use `label_mode='binary'` and let the labels come from the two class folders."
        )
        assert set(found) == {0.0, 1.0}, (
            f"The labels should be 0 (horses) and 1 (humans), got {found}. Use `label_mode='binary'`."
        )
        expected = IMAGES[role]
        counts = {name: int(np.sum(labels == value)) for value, name in enumerate(expected)}
        if counts != expected:
            other = next(r for r in IMAGES if r != role)
            swapped = counts == IMAGES[other]
            pytest.fail(
                f"Your {role} dataset holds {counts['horses']} horses and {counts['humans']} humans, but "
                f"`{FOLDERS[role]}` holds {expected['horses']} and {expected['humans']}. "
                + (f"Those are the {other} images: did you swap the two folders? " if swapped else "")
                + f"Load the {role} dataset from `{FOLDERS[role]}`, the whole folder, without "
                "`validation_split`, `.take(...)` or `.repeat(...)`.",
                pytrace=False,
            )


def test_train_val_datasets_shapes(datasets):
    for role, dataset in datasets.items():
        images, labels = dataset.element_spec
        assert tuple(images.shape[1:]) == IMAGE_SHAPE, (
            f"Each {role} image should have the shape {IMAGE_SHAPE} ({IMAGE_SIZE[0]}x{IMAGE_SIZE[1]} "
            f"pixels, 3 channels); your dataset gives {tuple(images.shape[1:])}. Pass "
            f"`image_size={IMAGE_SIZE}` and `color_mode='rgb'`."
        )
        assert images.dtype == tf.float32, f"The {role} images should be float32, got {images.dtype.name}."
        assert tuple(labels.shape[1:]) == (1,) and labels.dtype == tf.float32, (
            f"Each {role} label should be one float, 0 or 1 (shape (batch, 1), float32); yours have "
            f"shape {tuple(labels.shape)} and dtype {labels.dtype.name}. Pass `label_mode='binary'`."
        )
        first_images, _ = next(iter(dataset))
        assert first_images.shape[0] == BATCH_SIZE, (
            f"The {role} batches should hold {BATCH_SIZE} images; your first batch holds "
            f"{first_images.shape[0]}. Pass `batch_size={BATCH_SIZE}`."
        )
        low, high = float(tf.reduce_min(first_images)), float(tf.reduce_max(first_images))
        assert low >= 0.0 and high <= 1.0, (
            f"{role.capitalize()} pixel values should lie between 0 and 1; yours go from {low:g} to "
            f"{high:g}. Rescale both datasets by 1/255, e.g. with `tf.keras.layers.Rescaling(1./255)` "
            "in `.map(...)`."
        )
        assert high > 0.5, (
            f"The brightest {role} pixel of your first batch is {high:.4f}: the images look rescaled "
            "twice (or by the wrong factor). Divide the original 0-255 values by 255 once."
        )


def test_create_model_architecture(model):
    assert_input_shape(model, IMAGE_SHAPE, f"{IMAGE_SIZE[0]}x{IMAGE_SIZE[1]} RGB images")
    layers = behaviour.flat_layers(model)
    assert any(isinstance(layer, tf.keras.layers.Conv2D) for layer in layers) and any(
        isinstance(layer, tf.keras.layers.MaxPooling2D) for layer in layers
    ), (
        "The model should be a stack of `Conv2D` layers each followed by `MaxPooling2D`, then "
        f"`Flatten` and `Dense` layers; found {[type(layer).__name__ for layer in layers]}."
    )
    units, activation = output_head(model)
    assert tuple(model.output_shape) == (None, 1) and activation == "sigmoid", (
        "The output layer should be `Dense(1, activation='sigmoid')`, one probability (of 'human'); "
        f"yours gives shape {model.output_shape}, {head_text(units, activation)}."
        + (" Flatten the feature maps before the Dense layers." if len(model.output_shape) != 2 else "")
    )
    assert_probabilities(model, (2, *IMAGE_SHAPE), softmax=False)


def test_create_model_compile(model):
    assert_loss(model, ("binary_crossentropy",), "With one sigmoid output and labels 0/1 the loss should be "
                "`'binary_crossentropy'`", advice(EXPECTED, model=model))
    optimizer = model.optimizer
    assert isinstance(optimizer, tf.keras.optimizers.RMSprop), (
        "Use the RMSprop optimizer as in the lectures: "
        f"`optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001)`; got {type(optimizer).__name__}."
    )
    rate = float(np.asarray(optimizer.learning_rate))
    assert abs(rate - 0.001) < 1e-7, (
        f"The RMSprop learning rate should be 0.001, got {rate:g}: "
        "`tf.keras.optimizers.RMSprop(learning_rate=0.001)`."
    )
    assert_accuracy_metric(model, "training should report the accuracy.")


def _check_best(history, key, what):
    variant = grading_variant()
    threshold = THRESHOLDS[variant][key]
    values = accuracies(history, "val_" if key == "val_accuracy" else "")
    shown = ", ".join(f"{v:.3f}" for v in values)
    assert len(values) <= EPOCHS, (
        f"Training ran {len(values)} epochs; the training cell fits for {EPOCHS}. Run it unchanged."
    )
    assert max(values) >= threshold, (
        f"The {what} accuracy reached at best {max(values):.3f} in {len(values)} epochs (per epoch: "
        f"{shown}); graded on {_VARIANT_WORDS[variant]}, it should reach at least {threshold:.2f}. Check "
        "the rescaling of both datasets, and that the model matches the description: Conv2D/MaxPooling2D "
        "blocks, a Dense layer, one sigmoid output, RMSprop(learning_rate=0.001)." + advice(EXPECTED, history=history)
    )


def test_training_accuracy(history):
    _check_best(history, "accuracy", "training")


def test_training_validation_accuracy(history):
    assert accuracies(history, "val_"), (
        "The training history has no 'val_accuracy': the training cell must fit with "
        "`validation_data=validation_dataset`, and the model must be compiled with `metrics=['accuracy']`."
    )
    _check_best(history, "val_accuracy", "validation")
