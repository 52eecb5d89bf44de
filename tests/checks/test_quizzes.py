"""Hidden checks of the four quizzes (c1w1-quiz … c1w4-quiz), run as the grading kernel runs them.

For every question: the key passes (also in another readable form), every wrong answer fails with
a hint that does not give the key away, an unanswered question fails with "not answered", and an
unreadable answer fails with the expected form. The masters and starters are checked against the
check modules, so the notebooks and the key cannot drift apart.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest

from autograder.checks.hidden._answers import Choice, Number, show_number

ROOT = Path(__file__).resolve().parents[2]
QUIZZES = ["c1w1-quiz", "c1w2-quiz", "c1w3-quiz", "c1w4-quiz"]


def _module(quiz):
    return importlib.import_module("autograder.checks.hidden." + quiz.replace("-", "_"))


QUESTIONS = [(quiz, q) for quiz in QUIZZES for q in _module(quiz).QUESTIONS.values()]
IDS = [f"{quiz}-q{q.number}" for quiz, q in QUESTIONS]
CHOICES = [(quiz, q) for quiz, q in QUESTIONS if isinstance(q, Choice)]
NUMBERS = [(quiz, q) for quiz, q in QUESTIONS if isinstance(q, Number)]

# Mistakes learners are likely to make, besides arbitrary wrong numbers.
TYPICAL_MISTAKES = {
    ("c1w1-quiz", 2): [3, 2, -2],        # the rule's sign dropped, or the weight
    ("c1w1-quiz", 5): [6, 3000],         # the examples, or examples x epochs
    ("c1w1-quiz", 8): [5.0, 7.05, 7.0],  # the rule's value, or a slip
    ("c1w2-quiz", 2): [9, 784],
    ("c1w2-quiz", 4): [51, 0.25, 5],
    ("c1w3-quiz", 3): [25, 27, 28, "25x25"],
    ("c1w3-quiz", 4): [14, 12, 26],
    ("c1w3-quiz", 5): [288, 9, 32, 321],  # weights without biases
    ("c1w3-quiz", 6): [6, 4, 7, 11],
    ("c1w4-quiz", 2): [0, 2],
    ("c1w4-quiz", 6): [90_000, 900, 300],
}


def _key_spellings(question) -> list[str]:
    if isinstance(question, Choice):
        return [question.key]
    key = float(question.key)
    spellings = {show_number(key), f"{key:g}", f"{key:,.0f}" if key.is_integer() else f"{key}"}
    if key.is_integer():
        spellings.add(str(int(key)))
    if key < 0:
        spellings |= {s.lstrip("-") for s in list(spellings)}
    if 0 < abs(key) < 1:
        spellings.add(f"{key:g}".lstrip("0"))  # ".2"
    return sorted(spellings)


def _reveals(message: str, question) -> str | None:
    """What in `message` gives the key away, or None."""
    if isinstance(question, Choice):
        key = question.key
        patterns = [
            rf"[\"'(\[]{key}[\"')\]]",                              # "B", (B), 'B'
            rf"(?<![A-Za-z]){key}\)",                               # B)
            rf"\b(?:option|choice|answer|letter)\s+(?:is\s+)?{key}\b",  # option B
        ]
        for pattern in patterns:
            found = re.search(pattern, message)
            if found:
                return found.group(0)
        option = question.options[key].replace("`", "").rstrip(".").casefold()
        if option in message.replace("`", "").casefold():
            return question.options[key]
        return None
    for spelling in _key_spellings(question):
        found = re.search(rf"(?<![\d.]){re.escape(spelling)}(?![\d])", message)
        if found:
            return found.group(0)
    return None


def _wrong_answers(quiz, question) -> list:
    if isinstance(question, Choice):
        return [letter for letter in question.options if letter != question.key]
    key = float(question.key)
    arbitrary = key + 7 if key.is_integer() else round(key + 7, 2)
    return [arbitrary, *TYPICAL_MISTAKES.get((quiz, question.number), [])]


def _another_form(question):
    """The key written the way a hurried learner might write it."""
    if isinstance(question, Choice):
        return f" {question.key.lower()}) "
    key = float(question.key)
    if question.square:
        return f"{key:g}x{key:g}"
    return f"{key:,.0f}" if key.is_integer() and abs(key) >= 1000 else f" {key:g} "


# --- every question --------------------------------------------------------------------------

@pytest.mark.parametrize("quiz, question", QUESTIONS, ids=IDS)
def test_right_answer_passes(check, quiz, question):
    name = question.name
    assert check(quiz, f"test_{name}", {name: question.key}) is None
    assert check(quiz, f"test_{name}", {name: _another_form(question)}) is None


@pytest.mark.parametrize("quiz, question", QUESTIONS, ids=IDS)
def test_wrong_answer_gets_a_hint_without_the_answer(check, quiz, question):
    name = question.name
    for wrong in _wrong_answers(quiz, question):
        message = check(quiz, f"test_{name}", {name: wrong})
        assert message is not None, f"{quiz} question {question.number}: {wrong!r} was accepted"
        assert message.startswith(f"Question {question.number}: ")
        assert "is not right" in message or "is not the right choice" in message
        hint = message.split("Hint: ", 1)[1]
        assert len(hint) > 30, f"{quiz} question {question.number}: the hint says too little: {hint!r}"
        leak = _reveals(hint, question)
        assert leak is None, f"{quiz} question {question.number}: the hint gives away the answer ({leak!r}): {hint}"


@pytest.mark.parametrize("quiz, question", QUESTIONS, ids=IDS)
def test_unanswered_question_fails(check, quiz, question):
    name = question.name
    for starter_value in (None, ""):
        message = check(quiz, f"test_{name}", {name: starter_value})
        assert message is not None and "not answered" in message
        assert f"`{name} = ...`" in message
        if isinstance(question, Number):  # (a choice's message lists all its letters, fairly)
            assert _reveals(message, question) is None
    # the learner deleted the line, or never ran the cell
    assert f"`{name}` is not defined" in check(quiz, f"test_{name}", {})


@pytest.mark.parametrize("quiz, question", CHOICES, ids=[f"{quiz}-q{q.number}" for quiz, q in CHOICES])
def test_unreadable_choice_says_the_expected_form(check, quiz, question):
    name = question.name
    for unreadable in (2, "E", "A or B", "not sure"):
        message = check(quiz, f"test_{name}", {name: unreadable})
        assert message.startswith(f"Question {question.number}: ") and "Hint" not in message
        assert 'Answer with one letter A–D, in quotes: one of "A", "B", "C", "D".' in message


@pytest.mark.parametrize("quiz, question", NUMBERS, ids=[f"{quiz}-q{q.number}" for quiz, q in NUMBERS])
def test_unreadable_number_says_the_expected_form(check, quiz, question):
    name = question.name
    for unreadable in ("a lot", (1, 2), "B"):
        message = check(quiz, f"test_{name}", {name: unreadable})
        assert message.startswith(f"Question {question.number}: ") and "Hint" not in message
        assert f"Answer with a single number, e.g. {question.example}" in message
        assert _reveals(message.replace(repr(unreadable), ""), question) is None


def test_sizes_accept_width_by_height():
    from autograder.checks.hidden.c1w3_quiz import QUESTIONS as W3

    assert W3[3].square and W3[4].square and W3[6].square
    assert not W3[5].square  # a parameter count is one number, not a size


# --- notebooks agree with the check modules ---------------------------------------------------

def _cells(path: Path) -> dict[str, nbformat.NotebookNode]:
    notebook = nbformat.read(path, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata}


def _run(source: str) -> dict:
    namespace: dict = {}
    try:
        exec(compile(source, "<answer cell>", "exec"), namespace)
    except NotImplementedError:  # the starter's stub, after the `None` line
        pass
    return namespace


@pytest.mark.parametrize("quiz", QUIZZES)
def test_master_matches_check_module(quiz):
    master = ROOT / "solutions" / quiz / f"{quiz}.ipynb"
    notebook = nbformat.read(master, as_version=4)
    meta = notebook.metadata["autograder"]
    assert meta["assignment"] == quiz and meta["data"] == [] and set(meta) <= {"assignment", "data", "limits"}
    module = _module(quiz)
    cells = _cells(master)
    checks = sorted(name for name in vars(module) if name.startswith("test_"))
    tests = sorted(gid for gid, c in cells.items() if c.metadata["nbgrader"].get("grade"))
    assert tests == checks, "every test cell has a check function of the same name, and back"
    assert 6 <= len(module.QUESTIONS) <= 10
    for question in module.QUESTIONS.values():
        answer = cells[question.name]
        assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["grade"]
        recorded = _run(answer.source)[question.name]
        assert question.read(recorded) == question.read(question.key), f"{quiz}: master key of {question.name}"
        test = cells[f"test_{question.name}"]
        assert test.metadata["nbgrader"]["points"] == 1
        assert f'run_check("{quiz}", "test_{question.name}", globals())' in test.source
        # the notebook shows the same question and options as the check module describes
        text = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        assert question.prompt in text
        for letter, option in getattr(question, "options", {}).items():
            assert f"**{letter})** {option}" in text


@pytest.mark.parametrize("quiz", QUIZZES)
def test_starter_has_no_key_and_records_none(quiz):
    starter = ROOT / "assignments" / quiz / f"{quiz}.ipynb"
    raw = starter.read_text()
    for marker in ("BEGIN SOLUTION", "HIDDEN TESTS", "run_check"):
        assert marker not in raw
    cells = _cells(starter)
    for question in _module(quiz).QUESTIONS.values():
        source = cells[question.name].source
        assert "raise NotImplementedError()" in source
        assert _run(source)[question.name] is None  # grades as "not answered", not as an error
    sources = "\n".join(cell.source for cell in nbformat.read(starter, as_version=4).cells)
    assigned = re.findall(r"^(q\d+_answer)\s*=\s*(.*?)\s*$", sources, re.M)
    assert sorted(name for name, _ in assigned) == sorted(q.name for q in _module(quiz).QUESTIONS.values())
    assert {value for _, value in assigned} == {"None"}, "the starter assigns something other than None"
