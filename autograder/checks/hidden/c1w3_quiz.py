"""Hidden checks for c1w3-quiz: convolutions, pooling, output sizes, parameters, training cost.

Each question is answered in the notebook by a variable `q<n>_answer`; the check of question n is
`test_q<n>_answer`. Keys and hints live only here; the reading of answers is in `_answers`.
"""
from autograder.checks.hidden._answers import Choice, Number, questions, quiz_tests

QUESTIONS = questions(
    Choice(
        1,
        "What does a `Conv2D` layer compute from an image?",
        {
            "A": "It keeps the largest value of each block of pixels, making the image smaller.",
            "B": "It slides small learned filters over the image; each filter produces a map of where its pattern (an edge, a curve, ...) appears.",
            "C": "It turns the image into one long vector.",
            "D": "It sets a random fraction of the pixels to zero during training.",
        },
        key="B",
        hint="a convolution layer has weights. Which option describes a layer whose weights look "
        "at one small neighbourhood of pixels at a time?",
    ),
    Choice(
        2,
        "What does `tf.keras.layers.MaxPooling2D(2, 2)` do to a feature map?",
        {
            "A": "It doubles the width and height by repeating each value.",
            "B": "It multiplies each 2x2 block by learned weights.",
            "C": "It removes a 2-pixel border on every side.",
            "D": "It replaces each 2x2 block by its largest value, so the width and height are halved.",
        },
        key="D",
        hint="pooling has no weights to learn and makes the map smaller, not larger; think about "
        "what 'max' picks inside each block and how many blocks there are.",
    ),
    Number(
        3,
        "A `Conv2D` layer with 3x3 filters (no padding) receives 28x28 images. What are the width "
        "and height of each feature map it outputs? (They are equal: give one number.)",
        key=26,
        example="30",
        square=True,
        hint="the whole 3x3 filter must fit inside the image, so its centre can never sit on the "
        "outermost row or column on either side.",
    ),
    Number(
        4,
        "`MaxPooling2D(2, 2)` is then applied to those feature maps. What are their new width and "
        "height? (One number.)",
        key=13,
        example="30",
        square=True,
        hint="every non-overlapping 2x2 block of the map becomes a single value.",
    ),
    Number(
        5,
        "How many trainable parameters does `tf.keras.layers.Conv2D(32, (3, 3))` have when its "
        "input is grey-scale (one channel per pixel)?",
        key=320,
        example="100",
        hint="each filter has one weight for every position of its window (per input channel) "
        "plus one bias; then multiply by the number of filters. `model.summary()` shows the count "
        "if you want to verify.",
    ),
    Number(
        6,
        "A 28x28 image goes through: `Conv2D` 3x3 → `MaxPooling2D` 2x2 → `Conv2D` 3x3 → "
        "`MaxPooling2D` 2x2 (no padding anywhere). What are the width and height of the final "
        "feature maps? (One number.)",
        key=5,
        example="30",
        square=True,
        hint="apply the two rules in turn: a 3x3 convolution loses one pixel on each side, and "
        "2x2 pooling halves the size, dropping a leftover odd row or column.",
    ),
    Choice(
        7,
        "You put two convolution + pooling blocks in front of the dense layers of your digit "
        "classifier. What usually happens to training?",
        {
            "A": "Each epoch gets faster because the images get smaller, but accuracy drops.",
            "B": "Nothing changes except the number of parameters.",
            "C": "Each epoch takes longer, since convolutions need much more computation, but the model often reaches a higher accuracy, possibly in fewer epochs.",
            "D": "The model can no longer be trained on a CPU.",
        },
        key="C",
        hint="weigh two things separately: how much computation one epoch needs, and how much the "
        "model gets out of each epoch.",
    ),
    Choice(
        8,
        "For 28x28 grey-scale images, which input layer does a model that starts with `Conv2D` "
        "need?",
        {
            "A": "`tf.keras.Input(shape=(28, 28, 1))`",
            "B": "`tf.keras.Input(shape=(28, 28))`",
            "C": "`tf.keras.Input(shape=(784,))`",
            "D": "`tf.keras.Input(shape=(1, 784))`",
        },
        key="A",
        hint="besides height and width, a convolution needs to know how many channels each pixel "
        "has, even when there is only one.",
    ),
    Choice(
        9,
        "Why put a pooling layer after a convolution?",
        {
            "A": "It adds learned weights that make the filters sharper.",
            "B": "It shrinks the feature maps while keeping their strongest responses, so later layers have less to process.",
            "C": "It scales the pixel values to the range 0 to 1.",
            "D": "It one-hot encodes the labels.",
        },
        key="B",
        hint="pooling has no weights and never touches the labels or the raw pixels; think about "
        "the size of what it hands to the next layer.",
    ),
)


# The check of question n is `test_q<n>_answer`; it reads `q<n>_answer` (autograder.artifacts.spec).
globals().update(quiz_tests(QUESTIONS))
