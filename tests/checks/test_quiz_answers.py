"""Tests of autograder/checks/hidden/_answers.py: which answer forms are read, which are refused and how."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.hidden._answers import (
    BadForm, Choice, NotAnswered, Number, check, mark, questions, read_choice, read_number,
)
from autograder.checking.plugin import Learner

LAYERS = {"A": "Dense", "B": "Flatten", "C": "Conv2D", "D": "Dropout"}
CHOICE_FORM = 'Answer with one letter A–D, in quotes: one of "A", "B", "C", "D".'


# --- multiple choice ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value",
    ["B", "b", " b) ", "(B)", "[b]", "'B'", '"b"', "B.", "b:", "option b", "Option B", "choice: B",
     "the answer is (b)", "answer = B", "B) Flatten", "(b) flatten", "B. Flatten", "Flatten",
     "  flatten. ", "`Flatten`", ["B"], ("b",), {"B"}],
)
def test_choice_accepts_unambiguous_forms(value):
    assert read_choice(value, "ABCD", LAYERS) == "B"


@pytest.mark.parametrize("value", [None, "", "   ", "''", "()", [], ()])
def test_choice_not_answered(value):
    with pytest.raises(NotAnswered):
        read_choice(value, "ABCD", LAYERS)


@pytest.mark.parametrize(
    "value, reason",
    [
        ("E", '"E" is not one of the choices'),
        ("z)", '"Z" is not one of the choices'),
        ("AB", "more than one choice"),
        ("A and C", "more than one choice"),
        ("b, d", "more than one choice"),
        ("A/B", "more than one choice"),
        (["A", "B"], "exactly one choice"),
        (2, "is a number, not a letter"),
        (2.0, "is a number, not a letter"),
        (True, "is not a letter"),
        ({"answer": "B"}, "Got a dict"),
        ("B) Dense", "ambiguous"),        # letter of one choice, text of another
        ("a dense layer", "not one of the choices"),  # not read as choice A
        ("bad", "not one of the choices"),  # a word, not three letters
        ("Maxpool", "not one of the choices"),
        ("??", "not one of the choices"),
    ],
)
def test_choice_rejects_with_expected_form(value, reason):
    with pytest.raises(BadForm) as refused:
        read_choice(value, "ABCD", LAYERS)
    message = str(refused.value)
    assert reason in message
    assert message.endswith(CHOICE_FORM)


def test_choice_form_follows_the_letters():
    assert read_choice("b", "AB") == "B"
    with pytest.raises(BadForm, match='Answer with one letter A or B, in quotes: one of "A", "B"'):
        read_choice("C", "AB")
    with pytest.raises(BadForm, match="Answer with one letter A–E"):
        read_choice("F", "ABCDE")


def test_choice_text_that_matches_two_options_is_not_guessed():
    with pytest.raises(BadForm):
        read_choice("same", "AB", {"A": "Same", "B": "same"})


def test_choice_option_text_is_matched_before_lead_words_are_dropped():
    options = {"A": "Answer key", "B": "Choice D"}
    assert read_choice("answer key", "AB", options) == "A"
    assert read_choice("choice d", "AB", options) == "B"
    with pytest.raises(BadForm):
        read_choice("optionally", "AB", options)


def test_choice_without_options_reads_letters_only():
    assert read_choice("(c)") == "C"
    with pytest.raises(BadForm):
        read_choice("Conv2D")


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        (26, 26), (26.0, 26), ("26", 26), (" 26 ", 26), ("26.0", 26), ("'26'", 26), ("+26", 26),
        (np.int64(26), 26), (np.float32(26.0), 26), (np.array(26), 26), ([26], 26), (np.array([26]), 26),
        ("26 pixels", 26), ("320 parameters", 320), ("13px", 13),
        (-3, -3), ("-3", -3), ("−3", -3), ("– 3".replace(" ", ""), -3),
        ("270,000", 270_000), ("270 000", 270_000), ("270_000", 270_000), ("270,000 numbers", 270_000),
        ("1,234.5", 1234.5), ("2.7e5", 270_000),
        (".2", 0.2), ("0.2", 0.2), ("51/255", 0.2), ("1 / 5", 0.2),
    ],
)
def test_number_accepts_unambiguous_forms(value, expected):
    assert read_number(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value",
    ["26x26", "26 x 26", "26X26", "26×26", "26*26", "26 by 26", "(26, 26)", "[26,26]", "26;26",
     (26, 26), [26, 26], np.array([26, 26]), "26x26 pixels", 26, "26"],
)
def test_square_sizes_accept_both_sides(value):
    assert read_number(value, square=True) == 26


@pytest.mark.parametrize("value", [None, "", "  ", "''", [], ()])
def test_number_not_answered(value):
    with pytest.raises(NotAnswered):
        read_number(value)


@pytest.mark.parametrize(
    "value, reason",
    [
        ("26x26", "gives two numbers"),       # a size is not what this question asks for
        ("(26, 26)", "gives two numbers"),
        ((26, 26), "holds 2 values"),
        ("0,2", "write decimals with a dot"),  # decimal comma or two numbers? ambiguous
        (True, "is not a number"),
        ("twenty six", "Could not read"),
        ("about 26", "Could not read"),
        ("26 or 27", "Could not read"),
        ("1/0", "divides by zero"),
        (float("nan"), "not a finite number"),
        (float("inf"), "not a finite number"),
        ("inf", "not a finite number"),
        ({"width": 26}, "Got a dict"),
    ],
)
def test_number_rejects_with_expected_form(value, reason):
    with pytest.raises(BadForm) as refused:
        read_number(value, example="12")
    message = str(refused.value)
    assert reason in message
    assert message.endswith("Answer with a single number, e.g. 12.")


@pytest.mark.parametrize(
    "value, reason",
    [("(26, 27)", "two different sizes"), ((26, 27), "two different sizes"), ("26x27", "two different sizes"),
     ((26, 26, 1), "holds 3 values"), ("26,26,1", "Could not read")],
)
def test_square_sizes_reject_other_shapes(value, reason):
    with pytest.raises(BadForm) as refused:
        read_number(value, example="30", square=True)
    assert reason in str(refused.value)
    assert "Answer with a single number, e.g. 30 (width and height are equal here" in str(refused.value)


# --- marking -----------------------------------------------------------------------------------

CHOICE = Choice(3, "Which layer turns a 28x28 image into a vector?", LAYERS, key="B",
                hint="only one of these layers has no weights and only rearranges values.")
NUMBER = Number(4, "Output width of a 3x3 convolution on 28x28?", key=26, example="30", square=True,
                hint="the filter cannot be centred on the border pixels.")


@pytest.mark.parametrize("question, value", [(CHOICE, " b) "), (CHOICE, "flatten"), (NUMBER, "26x26"),
                                             (NUMBER, 26.0), (NUMBER, (26, 26))])
def test_mark_accepts_right_answers_in_any_readable_form(question, value):
    assert mark(question, value) is None


def test_mark_wrong_choice_gives_hint_not_answer():
    message = mark(CHOICE, "a")
    assert message == (
        'Question 3: "A" is not the right choice. Hint: only one of these layers has no weights and '
        "only rearranges values."
    )


def test_mark_wrong_number_gives_hint():
    assert mark(NUMBER, "25") == (
        "Question 4: 25 is not right. Hint: the filter cannot be centred on the border pixels."
    )


def test_mark_bad_form_says_expected_form():
    assert mark(CHOICE, 2) == f"Question 3: 2 is a number, not a letter. {CHOICE_FORM}"
    message = mark(NUMBER, "(26, 26, 1)")
    assert message.startswith("Question 4: Could not read '(26, 26, 1)' as a number.")
    assert "Answer with a single number, e.g. 30" in message


@pytest.mark.parametrize("question, form", [(CHOICE, 'one letter in quotes ("A", "B", "C", "D")'),
                                            (NUMBER, "a single number")])
def test_mark_unanswered(question, form):
    message = mark(question, None)
    assert message.startswith(f"Question {question.number} is not answered yet")
    assert form in message and f"`{question.name} = ...`" in message


def test_number_tolerance():
    question = Number(1, "w*x+b?", key=7.13, tolerance=0.006, example="1.5", hint="compute it.")
    assert mark(question, "7.13") is None and mark(question, 7.134) is None
    assert mark(question, 7.2) is not None


def test_check_fails_with_the_learner_message():
    check(CHOICE, Learner({"q3_answer": "B"}))
    with pytest.raises(pytest.fail.Exception, match="is not answered yet"):
        check(CHOICE, Learner({"q3_answer": None}))
    with pytest.raises(pytest.fail.Exception, match="`q3_answer` is not defined"):
        check(CHOICE, Learner({}))


def test_questions_validates_the_key():
    assert list(questions(Choice(1, "?", LAYERS, key="A", hint="h"), NUMBER.__class__(
        2, "?", key=1, hint="h"))) == [1, 2]
    with pytest.raises(ValueError, match="listed at position"):
        questions(NUMBER)
    with pytest.raises(ValueError, match="is not an option"):
        questions(Choice(1, "?", LAYERS, key="E", hint="h"))
    with pytest.raises(ValueError, match="form example is the answer"):
        questions(Number(1, "?", key=12, hint="h"))
