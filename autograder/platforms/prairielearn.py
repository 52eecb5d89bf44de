"""PrairieLearn external grading: the question's data in /grade/data/data.json, the submitted
files in /grade/student/, the results in /grade/results/results.json, at most 1 MB
(https://prairielearn.readthedocs.io/en/latest/externalGrading/; schema:
schemas/prairielearn.schema.json).

The assignment is `--assignment`, else the question's `params.assignment` (set in its
server.py), else what the notebook says.
"""
from __future__ import annotations

import json
from pathlib import Path

from autograder.platforms.outcome import Outcome, grade
from autograder.platforms.output import fit_json, message, summary, write_json
from autograder.platforms.submission import locate

ROOT = Path("/grade")
MAX_BYTES = 1_000_000
NOT_COUNTED = "Not graded, and no attempt was used."
FIX_IT = " Fix what the message above says and submit again."


def run(root: Path = ROOT, assignment_id: str | None = None) -> int:
    configured = assignment_id or params(root).get("assignment")
    outcome = grade(lambda: locate(root / "student", configured))
    write_json(root / "results" / "results.json", fit_json(results(outcome), MAX_BYTES))
    return outcome.exit_code


def params(root: Path) -> dict:
    """The question's `params` from data.json ({} when there is none to read)."""
    try:
        data = json.loads((root / "data" / "data.json").read_text())
    except (OSError, ValueError):
        return {}
    found = data.get("params") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


def results(outcome: Outcome) -> dict:
    if not outcome.graded:  # "invalid, not gradable": no points awarded or lost, no attempt used
        advice = NOT_COUNTED if outcome.grader_failed else NOT_COUNTED + FIX_IT
        return {"gradable": False, "format_errors": [outcome.problem], "message": advice}
    result = outcome.result
    return {"gradable": True, "score": outcome.fraction, "message": summary(result),
            "tests": [_test(test) for test in result.tests]}


def _test(test) -> dict:
    # `message` is one line above the test; `output` a <pre> block, which keeps a message's lines.
    return {"name": test.grade_id, "points": test.points, "max_points": test.max_points,
            "message": "Passed." if test.passed else "Not passed: see below.", "output": message(test)}
