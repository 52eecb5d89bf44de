"""Hidden checks for c1w1-quiz: a single neuron fitting a line, loss, optimizer, epochs, predict.

Each question is answered in the notebook by a variable `q<n>_answer`; the check of question n is
`test_q<n>_answer`. Keys and hints live only here (nbgrader strips the notebook's solution
regions from the starter); the reading of answers is in `_answers`.
"""
from autograder.checks.hidden._answers import Choice, Number, questions, quiz_tests

QUESTIONS = questions(
    Choice(
        1,
        "A model made of one `Dense` layer with a single unit, fed one number `x`, computes "
        "`y = w * x + b`. What happens to `w` and `b` when you call `model.fit(xs, ys, ...)`?",
        {
            "A": "They stay fixed; `fit` only stores the training pairs so that `predict` can look up the closest one.",
            "B": "Keras solves for them exactly in one step, so a single epoch is always enough.",
            "C": "They are adjusted a little at every training step, so that the outputs for `xs` get closer to `ys`.",
            "D": "They get new random values at every epoch, and the best pair seen so far is kept.",
        },
        key="C",
        hint="think about what the loss and the optimizer do together after every batch of "
        "training examples, and whether the model keeps the examples themselves.",
    ),
    Number(
        2,
        "Your training pairs follow the rule `y = 2x - 3` exactly, and a one-neuron model "
        "(`y = w * x + b`) is trained on them until the loss is almost zero. Roughly which value "
        "has the bias `b` learned?",
        key=-3.0,
        tolerance=0.05,  # "roughly": the learned bias is close to the rule's, not equal
        example="4",
        hint="the bias is what the neuron outputs when x is 0; put x = 0 into the rule.",
    ),
    Choice(
        3,
        "What is the job of the **loss function** during training?",
        {
            "A": "It measures, as one number, how far the model's outputs are from the expected answers.",
            "B": "It changes the weight and the bias after every step.",
            "C": "It decides how many epochs training lasts.",
            "D": "It converts the inputs into floating point numbers.",
        },
        key="A",
        hint="the loss itself changes nothing in the model: it is the score that training tries "
        "to push down.",
    ),
    Choice(
        4,
        "And the job of the **optimizer** (for example `optimizer=\"sgd\"`)?",
        {
            "A": "It chooses how many layers and units the model has.",
            "B": "It keeps the training data in memory between epochs.",
            "C": "It computes the accuracy printed after each epoch.",
            "D": "It uses the loss to decide how to change the weight and the bias, so that the next guess is better.",
        },
        key="D",
        hint="the loss scores the current guess; some part of training has to turn that score "
        "into a new, better guess.",
    ),
    Number(
        5,
        "You train on 6 examples with `model.fit(xs, ys, epochs=500)`. How many times does the "
        "model go through each training example during this call?",
        key=500,
        example="12",
        hint="one epoch is one full pass over all the training examples.",
    ),
    Choice(
        6,
        "The model is trained. Which call gives you its output for a new input `x = 10`, whose "
        "answer you do not know?",
        {
            "A": "`model.fit(np.array([[10.0]]))`",
            "B": "`model.predict(np.array([[10.0]]))`",
            "C": "`model.evaluate(np.array([[10.0]]))`",
            "D": "`model.compile(np.array([[10.0]]))`",
        },
        key="B",
        hint="look for the method that needs no labels and leaves the weights unchanged: it "
        "just runs the input through the trained layers.",
    ),
    Choice(
        7,
        "Another data set follows `y = 3x + 1` exactly. After training, the model answers "
        "30.98 for `x = 10`, where the rule gives 31. What is the best explanation?",
        {
            "A": "It learned `w` and `b` gradually from a handful of examples, so they end up very close to the rule's numbers but not exactly equal to them.",
            "B": "Keras rounds every prediction to two decimal places.",
            "C": "`predict` adds a little random noise to every output.",
            "D": "The model is broken: a correctly trained neuron always reproduces the rule exactly.",
        },
        key="A",
        hint="think about how much data the model saw, and how training moves w and b: in "
        "small steps, for a fixed number of epochs.",
    ),
    Number(
        8,
        "A one-neuron model ended training with `w = 2.02` and `b = -0.95`. What does it "
        "predict for `x = 4`? (Two decimals are enough.)",
        key=7.13,
        tolerance=0.006,  # accepts the value rounded to two decimals
        example="1.5",
        hint="the model uses its own learned w and b, not the rule it was trained on: "
        "compute w * x + b with them.",
    ),
)


# The check of question n is `test_q<n>_answer`; it reads `q<n>_answer` (autograder.artifacts.spec).
globals().update(quiz_tests(QUESTIONS))
