"""Gradescope: the submission in /autograder/submission/, the results in
/autograder/results/results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/;
schema: schemas/gradescope.schema.json)."""
from __future__ import annotations

from pathlib import Path

from autograder.platforms.outcome import Outcome, grade
from autograder.platforms.output import message, summary, write_json
from autograder.platforms.submission import locate

ROOT = Path("/autograder")


def run(root: Path = ROOT, assignment_id: str | None = None) -> int:
    outcome = grade(lambda: locate(root / "submission", assignment_id))
    write_json(root / "results" / "results.json", results(outcome))
    return outcome.exit_code


def results(outcome: Outcome) -> dict:
    seconds = round(outcome.seconds)
    if not outcome.graded:  # Gradescope has no "not gradable": a 0 with the reason as the output
        return {"score": 0.0, "execution_time": seconds, "output": outcome.problem}
    result = outcome.result
    return {"score": result.score, "execution_time": seconds, "output": summary(result),
            "tests": [_test(test) for test in result.tests]}


def _test(test) -> dict:
    return {"name": test.grade_id, "score": test.points, "max_score": test.max_points,
            "status": "passed" if test.passed else "failed", "output": message(test), "visibility": "visible"}
