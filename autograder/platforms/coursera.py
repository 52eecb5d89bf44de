"""Coursera custom grader (v2): the submission in /shared/submission/, the part being graded in
the environment variable `partId`; the grade in /shared/feedback.json and, with
`"feedbackType": "HTML"`, the page learners see in /shared/htmlFeedback.html (our feedback report)
(https://github.com/coursera/programming-assignments-demo/blob/master/custom-graders/README.md and
custom-graders/v2/README.md; schema: schemas/coursera.schema.json).

Which assignment a part is: `--assignment`, else the `--part PARTID=ASSIGNMENT` mapping of the
part, else what the notebook says.
"""
from __future__ import annotations

import os
from pathlib import Path

from autograder.pipeline.course_folder import write_atomically
from autograder.platforms.outcome import Outcome, grade
from autograder.platforms.output import problem_page, text_report, truncate, write_json
from autograder.platforms.submission import SetupError, locate

ROOT = Path("/shared")
PART_ENV = "partId"
MAX_FEEDBACK_BYTES = 64 * 1024  # Coursera cuts the feedback text there itself


def run(root: Path = ROOT, assignment_id: str | None = None, part_id: str | None = None,
        parts: dict[str, str] | None = None) -> int:
    page = root / "htmlFeedback.html"
    part_id = part_id or os.environ.get(PART_ENV)
    outcome = grade(lambda: locate(root / "submission", configured(assignment_id, part_id, parts or {})),
                    report_to=page)
    if not outcome.graded:
        write_atomically(page, problem_page("Not graded", outcome.problem))
    write_json(root / "feedback.json", feedback(outcome))
    return outcome.exit_code


def configured(assignment_id: str | None, part_id: str | None, parts: dict[str, str]) -> str | None:
    """The assignment this part grades (None: the notebook says)."""
    if assignment_id or not parts:
        return assignment_id
    if part_id not in parts:
        raise SetupError(f"No assignment is mapped to Coursera part {part_id!r} (mapped: {', '.join(parts)}). "
                         f"Add --part {part_id}=ASSIGNMENT to the grader's command.")
    return parts[part_id]


def feedback(outcome: Outcome) -> dict:
    text = text_report(outcome.result) if outcome.graded else outcome.problem
    return {"fractionalScore": outcome.fraction, "feedback": truncate(text, MAX_FEEDBACK_BYTES),
            "feedbackType": "HTML"}
