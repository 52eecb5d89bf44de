"""Hidden checks for c1w4-quiz: loading images from folders, rescaling, image size, overfitting, CNNs.

Each question is answered in the notebook by a variable `q<n>_answer`; the check of question n is
`test_q<n>_answer`. Keys and hints live only here; the reading of answers is in `_answers`.
"""
from autograder.checks.hidden._answers import Choice, Number, questions, quiz_tests

QUESTIONS = questions(
    Choice(
        1,
        "Your training images sit in `train/horses/` and `train/humans/`, and you load them with "
        "`tf.keras.utils.image_dataset_from_directory(\"train\", ...)` (or `flow_from_directory` "
        "of the older `ImageDataGenerator`). Where do the labels come from?",
        {
            "A": "From a `labels.csv` file that you add to each folder.",
            "B": "From the file name of each image.",
            "C": "From the name of the sub-folder each image sits in.",
            "D": "The model works them out by itself during training.",
        },
        key="C",
        hint="the loader needs no extra file and does not read the images' names; look at how "
        "the images are organised on disk.",
    ),
    Number(
        2,
        "With those two sub-folders and binary labels (`label_mode=\"binary\"`), which label, 0 or "
        "1, do the images in `humans/` get?",
        key=1,
        example="0",
        hint="the classes are numbered from zero, in the alphabetical order of the sub-folder "
        "names.",
    ),
    Choice(
        3,
        "What does `tf.keras.layers.Rescaling(1./255)` (or `rescale=1./255` in "
        "`ImageDataGenerator`) do?",
        {
            "A": "It resizes every image to 255x255 pixels.",
            "B": "It multiplies every pixel value by 1/255, so values from 0 to 255 become values from 0 to 1.",
            "C": "It converts colour images to grey-scale.",
            "D": "It keeps only one image in every 255.",
        },
        key="B",
        hint="read the argument as a factor: what happens to a pixel value of 255 when it is "
        "applied?",
    ),
    Choice(
        4,
        "What does `image_size=(150, 150)` in `image_dataset_from_directory` (`target_size=(150, "
        "150)` in `flow_from_directory`) do?",
        {
            "A": "It skips every image that is not already 150x150.",
            "B": "It sets how many images go into each batch.",
            "C": "It cuts a 150x150 square out of the middle of each image.",
            "D": "It resizes every image to 150x150 as it is loaded, so that all of them match the model's input size.",
        },
        key="D",
        hint="the images on disk can have any size, and none is skipped or cut; the model, "
        "however, needs every input to have the same shape.",
    ),
    Choice(
        5,
        "A model starts with `tf.keras.Input(shape=(300, 300, 3))`. What does that shape describe?",
        {
            "A": "One image 300 pixels high and 300 wide, with 3 colour values (red, green, blue) per pixel.",
            "B": "300 images of 300 pixels each, in 3 batches.",
            "C": "300x300 pixels, each with one of 3 grey levels.",
            "D": "Three convolution layers with 300 filters each.",
        },
        key="A",
        hint="an input shape describes a single example; the last number counts values per pixel. "
        "How is a colour stored?",
    ),
    Number(
        6,
        "How many numbers make up one image of shape `(300, 300, 3)`?",
        key=270_000,
        example="1000",
        hint="every pixel of the height x width grid holds one value per channel: multiply the "
        "three sizes together.",
    ),
    Choice(
        7,
        "After 15 epochs your horses-or-humans model has a training accuracy of 0.99 but a "
        "validation accuracy of 0.80. What is going on?",
        {
            "A": "The validation images must be labelled wrongly.",
            "B": "The model underfits: it needs more layers.",
            "C": "The model overfits: it has learned details of the training images that do not carry over to images it has not seen.",
            "D": "Nothing: validation accuracy is always about 0.2 below training accuracy.",
        },
        key="C",
        hint="compare how the model does on the images it trained on with how it does on new "
        "ones; what does a large gap between the two tell you?",
    ),
    Choice(
        8,
        "Why does a convolutional network suit telling horses from humans better than a plain "
        "dense network on the raw pixels?",
        {
            "A": "Convolutional networks need no labelled data.",
            "B": "Dense layers cannot take more than 784 inputs.",
            "C": "Convolutional networks only work on colour images.",
            "D": "Its filters detect local features (edges, textures, shapes) wherever they appear, so a horse or a person is recognised in any position or pose.",
        },
        key="D",
        hint="horses and people appear at different places, sizes and poses in the photos; which "
        "kind of layer reuses the same small feature detectors across the whole picture?",
    ),
    Choice(
        9,
        "You shrink the training images from 300x300 to 150x150 (and change the input shape to "
        "match). What is the most likely effect?",
        {
            "A": "Training gets faster, since each image has a quarter of the pixels, but fine details are lost, so accuracy can change, up or down.",
            "B": "Nothing changes: the model sees the same information.",
            "C": "Accuracy is sure to improve, because smaller images cannot overfit.",
            "D": "Training gets slower, because every image has to be resized first.",
        },
        key="A",
        hint="count how many pixels each image has after the change, and think about which small "
        "details could be lost on the way.",
    ),
)


# The check of question n is `test_q<n>_answer`; it reads `q<n>_answer` (autograder.artifacts.spec).
globals().update(quiz_tests(QUESTIONS))
