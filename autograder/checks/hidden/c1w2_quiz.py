"""Hidden checks for c1w2-quiz: Flatten/Dense/softmax, normalising pixels, callbacks, fit vs evaluate.

Each question is answered in the notebook by a variable `q<n>_answer`; the check of question n is
`test_q<n>_answer`. Keys and hints live only here; the reading of answers is in `_answers`.
"""
from autograder.checks.hidden._answers import Choice, Number, questions, quiz_tests

QUESTIONS = questions(
    Choice(
        1,
        "A model starts with `tf.keras.Input(shape=(28, 28))` followed by "
        "`tf.keras.layers.Flatten()`. What does `Flatten` do to each image?",
        {
            "A": "It averages each row of pixels, giving 28 numbers.",
            "B": "It rounds every pixel to 0 or 1.",
            "C": "It learns weights that sharpen the edges in the image.",
            "D": "It puts the 28 rows one after the other, as one vector of 784 numbers, without changing any value.",
        },
        key="D",
        hint="look at the model summary: Flatten has no parameters, so it can neither learn nor "
        "compute anything. What does it change about the shape of its input?",
    ),
    Number(
        2,
        "A classifier of handwritten digits (0 to 9) ends with "
        "`tf.keras.layers.Dense(units, activation=\"softmax\")`. What must `units` be?",
        key=10,
        example="4",
        hint="the last layer has one unit per possible label; each unit holds the probability of "
        "its label.",
    ),
    Choice(
        3,
        "What does the `softmax` activation of the last layer do?",
        {
            "A": "It sets negative outputs to zero and leaves positive ones unchanged.",
            "B": "It turns the outputs into probabilities: each between 0 and 1, together adding up to 1, the largest one marking the predicted class.",
            "C": "It sorts the outputs from largest to smallest.",
            "D": "It keeps only the largest output and removes the other units from the model.",
        },
        key="B",
        hint="setting negatives to zero is what relu does in the hidden layers. Softmax looks at "
        "all the outputs together: what can you say about them afterwards?",
    ),
    Number(
        4,
        "Pixel values go from 0 to 255. After `images = images / 255.0`, what is the value of a "
        "pixel that was 51?",
        key=0.2,
        tolerance=0.001,
        example="0.5",
        hint="dividing by 255 maps 0 to 0 and 255 to 1; do the same division for this pixel.",
    ),
    Choice(
        5,
        "Why divide the pixel values by 255 before training?",
        {
            "A": "Keras refuses inputs larger than 1.",
            "B": "It makes the image files smaller on disk.",
            "C": "Inputs between 0 and 1 keep the numbers inside the network small, which usually makes training faster and more stable.",
            "D": "It turns colour images into grey-scale ones.",
        },
        key="C",
        hint="normalising changes no file and no colour, and Keras accepts any numbers; think "
        "about what large inputs do to the weighted sums and updates during training.",
    ),
    Choice(
        6,
        "Inside a callback's `on_epoch_end(self, epoch, logs)`, how do you end training after the "
        "current epoch?",
        {
            "A": "`self.model.stop_training = True`",
            "B": "`return False`",
            "C": "`raise StopIteration`",
            "D": "`self.model.evaluate()`",
        },
        key="A",
        hint="`fit` checks a flag on the model after every epoch, and a callback reaches the "
        "model as `self.model`.",
    ),
    Choice(
        7,
        "What is the difference between `model.fit(x, y)` and `model.evaluate(x, y)`?",
        {
            "A": "Both train the model; `evaluate` trains for exactly one epoch.",
            "B": "`fit` changes the weights to lower the loss; `evaluate` only computes the loss and metrics on the data you pass, changing nothing.",
            "C": "`evaluate` must be called before `fit`, to set up the weights.",
            "D": "`fit` accepts arrays, while `evaluate` accepts only datasets.",
        },
        key="B",
        hint="you evaluate on test data the model must not learn from: which of the two calls is "
        "allowed to change the weights?",
    ),
    Choice(
        8,
        "After training, accuracy is 98% on the training images but 89% on test images the model "
        "never saw. What does this gap most likely mean?",
        {
            "A": "The test images must be labelled wrongly.",
            "B": "The model underfits: it should train for many more epochs.",
            "C": "The model has started to overfit: it does better on the images it trained on than on new ones.",
            "D": "The test images were not normalised, since any gap proves a bug.",
        },
        key="C",
        hint="a model can become very good on the exact examples it trains on without getting "
        "equally good on new ones; what is that called?",
    ),
    Choice(
        9,
        "Your labels are integers such as 0, 3 or 9 (not one-hot vectors). Which loss should your "
        "softmax classifier use?",
        {
            "A": "`mean_squared_error`",
            "B": "`binary_crossentropy`",
            "C": "`categorical_crossentropy`",
            "D": "`sparse_categorical_crossentropy`",
        },
        key="D",
        hint="two of these losses are for more than two classes; they differ in the labels they "
        "expect: one-hot vectors, or the class number itself.",
    ),
)


# The check of question n is `test_q<n>_answer`; it reads `q<n>_answer` (autograder.artifacts.spec).
globals().update(quiz_tests(QUESTIONS))
