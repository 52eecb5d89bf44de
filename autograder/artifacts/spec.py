"""Which learner objects each hidden test reads: a check module's `VERIFY`, read from its
source without importing it (the grader then needs no TensorFlow), and handed to the kernel.

    VERIFY = {"test_train_mnist_stops_early": {"history": "value", "train_mnist": "source"},
              "test_create_and_compile_model_compile": {"create_and_compile_model": "call"},
              "test_EarlyStoppingCallback_message": {"EarlyStoppingCallback": "callback"}}

"value": the object itself; "call": what calling it without arguments returns (or the error it
raises); "source": its source text; "callback": how a fresh instance of the class reacts to set
epoch logs; "images-function": what the function does with set image arrays. A quiz module
lists no VERIFY: question n's test `test_qn_answer` reads `qn_answer` (`quiz_verify`).
"""
from __future__ import annotations

import ast
import json
import os

from autograder.artifacts import EXPORTS_ENV
from autograder.course import check_module_path


def quiz_verify(numbers) -> dict[str, dict[str, str]]:
    """What the tests of a quiz with these question numbers read."""
    return {f"test_q{n}_answer": {f"q{n}_answer": "value"} for n in numbers}


def _module_constants(assignment_id: str) -> dict:
    """VERIFY and INPUT_SHAPE of a check module, and for a quiz the number of its questions."""
    path = check_module_path(assignment_id)
    if not path.is_file():
        return {}
    found = {}
    for node in ast.parse(path.read_text()).body:
        for target in getattr(node, "targets", []):
            name = getattr(target, "id", None)
            if name in ("VERIFY", "INPUT_SHAPE"):
                found[name] = ast.literal_eval(node.value)
            elif name == "QUESTIONS" and getattr(node.value, "func", None) is not None:
                found["QUESTIONS"] = len(node.value.args)  # questions(Choice(1, …), Number(2, …), …)
    return found


def verify_spec(assignment_id: str) -> dict[str, dict[str, str]]:
    """What each hidden test of the assignment reads ({} for an assignment without checks)."""
    constants = _module_constants(assignment_id)
    if "QUESTIONS" in constants and "VERIFY" not in constants:
        return quiz_verify(range(1, constants["QUESTIONS"] + 1))
    return constants.get("VERIFY", {})


def export_spec(assignment_id: str | None) -> dict:
    """What the kernel needs to save for the checks: each test's names (`tests`), and the input
    shape the task gives its model (`input_shape`, so a model built without one can be saved)."""
    if not assignment_id:
        return {}
    return {"tests": verify_spec(assignment_id), "input_shape": _module_constants(assignment_id).get("INPUT_SHAPE")}


def sealed_spec() -> dict | None:
    """In a grading kernel: the spec the grader passed in (None elsewhere: checks run in-process)."""
    if os.environ.get("NBGRADER_EXECUTION") != "autograde" or os.environ.get("AUTOGRADER_VERIFYING"):
        return None
    spec = os.environ.get(EXPORTS_ENV)
    return json.loads(spec) if spec else None
