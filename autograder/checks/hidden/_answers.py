"""Quiz answers: read what a learner wrote, mark it, and word the result for the learner.

A quiz question is answered by assigning a variable in its graded cell, `q3_answer = "B"` or
`q5_answer = 26`. Learners write answers in many shapes ("b", " b) ", "26x26", 26.0), so the
readers here accept every form whose meaning is unambiguous and otherwise raise `BadForm`
with a message that says which form is expected. `None` (the starter's value) or an empty
string is `NotAnswered`.

Check modules describe their questions with `Choice` and `Number` (key and hint live only in
the check module, never in the released notebook) and call `check(question, learner)`.
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass

import pytest

__all__ = [
    "BadForm", "NotAnswered", "Choice", "Number",
    "read_choice", "read_number", "mark", "check", "questions", "quiz_tests",
]


class NotAnswered(Exception):
    """The learner left the starter's `None` (or an empty string) in place."""


class BadForm(ValueError):
    """The answer cannot be read unambiguously; the message says which form is expected."""


# ---------------------------------------------------------------------------------------------
# Multiple choice

_QUOTES = "'\"`‘’“”"
_OPEN = r"[\s(\[{'\"`‘“]*"
_CLOSE = r"[\s)\]}'\"`’”.:,;!]*"
_LONE_LETTER = re.compile(rf"^{_OPEN}([A-Za-z]){_CLOSE}$")
# "option b", "answer: B", "the answer is (c)", "choice=D"
_LEAD_WORDS = re.compile(r"^(?:the\s+)?(?:answer|option|choice|letter)\b(?:\s+is)?\s*[:=\-]?\s*", re.I)
# "B) Flatten", "(b) flatten", "C. Conv2D", "D: Dropout" (a lone letter needs a delimiter, so
# "a dense layer" is text, not choice A)
_LETTER_AND_TEXT = re.compile(r"^[(\[]?([A-Za-z])[)\].:]\s*(\S.*)$", re.S)
# between letters in "A and C", "b, d", "A/B", "a or b"
_LETTER_SEPARATOR = re.compile(r"\s*(?:,|;|/|&|\+|\band\b|\bor\b|\s)\s*", re.I)


def letters_text(letters: str) -> str:
    return f"{letters[0]}–{letters[-1]}" if len(letters) > 2 else " or ".join(letters)


def choice_form(letters: str) -> str:
    quoted = ", ".join(f'"{letter}"' for letter in letters)
    return f"Answer with one letter {letters_text(letters)}, in quotes: one of {quoted}."


def _normal_text(text: str) -> str:
    """Case, spacing, quotes and final punctuation do not matter when comparing option texts."""
    text = text.replace("`", "").strip().strip(_QUOTES).strip().rstrip(".!;:").strip()
    return " ".join(text.casefold().split())


def read_choice(value, letters: str = "ABCD", options: dict[str, str] | None = None) -> str:
    """The upper-case letter the learner chose, or NotAnswered / BadForm."""
    letters = letters.upper()
    form = choice_form(letters)
    if value is None:
        raise NotAnswered()
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if len(items) == 1:
            return read_choice(items[0], letters, options)
        if not items:
            raise NotAnswered()
        raise BadForm(f"Pick exactly one choice, not {len(items)}. {form}")
    if isinstance(value, bool):
        raise BadForm(f"{value!r} is not a letter. {form}")
    if isinstance(value, numbers.Number):
        raise BadForm(f"{value!r} is a number, not a letter. {form}")
    if not isinstance(value, str):
        raise BadForm(f"Got a {type(value).__name__}, not a letter. {form}")

    text = value.strip()
    if not text.strip(_QUOTES + " ()[]{}.,"):
        raise NotAnswered()
    by_text = _option_by_text(text, options)
    if by_text:
        return by_text
    text = _LEAD_WORDS.sub("", text, count=1).strip()

    match = _LONE_LETTER.match(text)
    if match:
        return _in_range(match.group(1).upper(), letters, form)

    by_text = _option_by_text(text, options)
    if by_text:
        return by_text

    match = _LETTER_AND_TEXT.match(text)
    if match:
        letter = _in_range(match.group(1).upper(), letters, form)
        named = _option_by_text(match.group(2), options)
        if named and named != letter:
            raise BadForm(
                f"{value!r} gives the letter {letter} but the text of another choice, so it is "
                f"ambiguous. {form}"
            )
        return letter

    if _several_letters(text, letters):
        raise BadForm(f"{value!r} names more than one choice: pick exactly one. {form}")
    raise BadForm(f"{value!r} is not one of the choices. {form}")


def _in_range(letter: str, letters: str, form: str) -> str:
    if letter not in letters:
        raise BadForm(f'"{letter}" is not one of the choices. {form}')
    return letter


def _several_letters(text: str, letters: str) -> bool:
    text = text.strip(_QUOTES + " ()[]{}.")
    tokens = [token for token in _LETTER_SEPARATOR.split(text) if token]
    if len(tokens) >= 2 and all(len(token) == 1 and token.upper() in letters for token in tokens):
        return True
    # "AC": upper case only, so that a word like "bad" is not read as three choices
    return 2 <= len(text) <= len(letters) and text.isupper() and all(c in letters for c in text)


def _option_by_text(text: str, options: dict[str, str] | None) -> str | None:
    """The letter whose option text the answer spells out exactly (ignoring case and spacing)."""
    if not options:
        return None
    wanted = _normal_text(text)
    hits = [letter for letter, option in options.items() if _normal_text(option) == wanted]
    return hits[0].upper() if len(hits) == 1 else None


# ---------------------------------------------------------------------------------------------
# Numbers

_NUM = r"[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_THOUSANDS = re.compile(r"^([+-]?)(\d{1,3}(?:([, ])\d{3})(?:\3\d{3})*)(\.\d+)?$")
_PAIR = re.compile(rf"^[(\[{{]?\s*({_NUM})\s*(?:x|X|×|\*|,|;|by)\s*({_NUM})\s*[)\]}}]?$")
_FRACTION = re.compile(rf"^({_NUM})\s*/\s*({_NUM})$")
_UNIT = re.compile(r"(?<=[\d)\]])\s*[A-Za-z][A-Za-z ]*$")  # "26 pixels", "320 parameters", "26x26 px"
_MINUS = str.maketrans({"−": "-", "–": "-", "—": "-", "\u2009": " ", "\u00a0": " ", "\u202f": " "})


def number_form(example: str, square: bool = False) -> str:
    form = f"Answer with a single number, e.g. {example}"
    if square:
        form += " (width and height are equal here, so one number is enough)"
    return form + "."


def read_number(value, example: str = "12", square: bool = False) -> float:
    """The number the learner gave, or NotAnswered / BadForm.

    `square`: the question asks for the side of a square (an image size), so "26x26",
    "(26, 26)" and (26, 26) also mean 26; unequal sides are rejected.
    """
    form = number_form(example, square)
    if value is None:
        raise NotAnswered()
    if isinstance(value, bool):
        raise BadForm(f"{value!r} is not a number. {form}")
    if isinstance(value, numbers.Real):
        return _finite(float(value), value, form)
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy arrays and scalars
        return read_number(value.tolist(), example, square)
    if isinstance(value, (list, tuple)):
        items = list(value)
        if not items:
            raise NotAnswered()
        if len(items) == 1:
            return read_number(items[0], example, square)
        if square and len(items) == 2:
            return _square(*(read_number(item, example) for item in items), value=value, form=form)
        raise BadForm(f"{value!r} holds {len(items)} values. {form}")
    if not isinstance(value, str):
        raise BadForm(f"Got a {type(value).__name__}, not a number. {form}")

    text = value.translate(_MINUS).strip().strip(_QUOTES).strip()
    if not text:
        raise NotAnswered()
    text = _UNIT.sub("", text)
    thousands = _THOUSANDS.match(text)
    if thousands:  # "270,000" / "270 000"
        sign, digits, separator, decimals = thousands.groups()
        return float(sign + digits.replace(separator, "") + (decimals or ""))
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return _finite(number, value, form)
    pair = _PAIR.match(text)
    if pair:
        if not square:
            if re.fullmatch(r"[+-]?\d+,\d+", text):  # "0,2": a decimal comma or two numbers?
                raise BadForm(f"{value!r} is ambiguous: write decimals with a dot. {form}")
            raise BadForm(f"{value!r} gives two numbers. {form}")
        return _square(float(pair.group(1)), float(pair.group(2)), value=value, form=form)
    fraction = _FRACTION.match(text)
    if fraction:
        numerator, denominator = float(fraction.group(1)), float(fraction.group(2))
        if denominator == 0:
            raise BadForm(f"{value!r} divides by zero. {form}")
        return numerator / denominator
    raise BadForm(f"Could not read {value!r} as a number. {form}")


def _finite(number: float, value, form: str) -> float:
    if not math.isfinite(number):
        raise BadForm(f"{value!r} is not a finite number. {form}")
    return number


def _square(width: float, height: float, value, form: str) -> float:
    if width != height:
        raise BadForm(f"{value!r} gives two different sizes. {form}")
    return width


def show_number(number: float) -> str:
    return f"{number:g}" if abs(number) < 1e6 else f"{number:,.0f}"


# ---------------------------------------------------------------------------------------------
# Questions


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question. `options` maps letters to the texts the notebook shows."""

    number: int
    prompt: str
    options: dict[str, str]
    key: str
    hint: str  # shown after a wrong choice: points at the concept, never names the answer

    @property
    def name(self) -> str:
        return f"q{self.number}_answer"

    @property
    def letters(self) -> str:
        return "".join(self.options)

    @property
    def answer_form(self) -> str:
        return "one letter in quotes (" + ", ".join(f'"{letter}"' for letter in self.letters) + ")"

    def read(self, value) -> str:
        return read_choice(value, self.letters, self.options)

    def is_right(self, answer: str) -> bool:
        return answer == self.key

    def show(self, answer: str) -> str:
        return f'"{answer}"'

    def form(self) -> str:
        return choice_form(self.letters)


@dataclass(frozen=True)
class Number:
    """A question answered with one number, right within `tolerance`."""

    number: int
    prompt: str
    key: float
    hint: str
    tolerance: float = 1e-9
    example: str = "12"  # shown in form messages; must not be the key
    square: bool = False  # the answer is the side of a square: "26x26" and (26, 26) mean 26

    @property
    def name(self) -> str:
        return f"q{self.number}_answer"

    @property
    def answer_form(self) -> str:
        return "a single number"

    def read(self, value) -> float:
        return read_number(value, self.example, self.square)

    def is_right(self, answer: float) -> bool:
        return math.isclose(answer, self.key, rel_tol=0.0, abs_tol=self.tolerance)

    def show(self, answer: float) -> str:
        return show_number(answer)

    def form(self) -> str:
        return number_form(self.example, self.square)


def questions(*items: Choice | Number) -> dict[int, Choice | Number]:
    """Number -> question, checking that numbers are 1..n and keys/examples are consistent."""
    by_number = {}
    for position, question in enumerate(items, start=1):
        if question.number != position:
            raise ValueError(f"question {question.number} is listed at position {position}")
        if isinstance(question, Choice) and question.key not in question.options:
            raise ValueError(f"question {question.number}: key {question.key!r} is not an option")
        if isinstance(question, Number) and question.is_right(read_number(question.example)):
            raise ValueError(f"question {question.number}: the form example is the answer")
        by_number[question.number] = question
    return by_number


def mark(question: Choice | Number, value) -> str | None:
    """None when `value` answers the question; otherwise the message for the learner."""
    label = f"Question {question.number}"
    try:
        answer = question.read(value)
    except NotAnswered:
        return (
            f"{label} is not answered yet: in its cell, replace `None` with {question.answer_form} "
            f"(`{question.name} = ...`), delete the `raise NotImplementedError()` line and run the cell."
        )
    except BadForm as problem:
        return f"{label}: {problem}"
    if question.is_right(answer):
        return None
    verdict = "is not the right choice" if isinstance(question, Choice) else "is not right"
    return f"{label}: {question.show(answer)} {verdict}. Hint: {question.hint}"


def check(question: Choice | Number, learner) -> None:
    """The body of a quiz check: fail with the learner's message unless the answer is right."""
    __tracebackhide__ = True
    message = mark(question, learner.get(question.name))
    if message is not None:
        pytest.fail(message, pytrace=False)


def quiz_tests(questions: dict[int, Choice | Number]) -> dict:
    """The check of each question, `test_q<n>_answer`, for a quiz module to add to its globals
    (what each reads, `q<n>_answer`, is `autograder.artifacts.spec.quiz_verify`)."""
    tests = {}
    for number, question in questions.items():
        def test(learner, question=question):  # a default value is not a fixture
            check(question, learner)

        test.__name__ = test.__qualname__ = f"test_q{number}_answer"
        tests[test.__name__] = test
    return tests
