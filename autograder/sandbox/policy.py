"""The one list of what no grading kernel may read.

Of this package: the hidden checks (thresholds, quiz answer keys), with their compiled copies.
Of the checkout it runs from (an editable install): the masters, the tests, the benchmarks, the
git history and a gradebook. Of the course being graded: the masters, every learner's
submission, graded notebook, feedback and report, the similarity reports (every learner's code),
the grader's state, the gradebook and grades (nbgrader's CSV and the Canvas export).
Each is covered in the kernel's own mount namespace (autograder.sandbox.kernel).
"""
from __future__ import annotations

from pathlib import Path

from autograder.course import CANVAS_FILE, CHECKOUT_DIR, CHECKS_DIR, SIMILARITY_DIR, SOURCE_DIR

CHECKOUT_PATHS = (SOURCE_DIR, "tests", ".git", "benchmarks", "gradebook.db")
COURSE_PATHS = (SOURCE_DIR, "submitted", "autograded", "feedback", "reports", "downloaded", ".autograder",
                SIMILARITY_DIR, "gradebook.db", "grades.csv", CANVAS_FILE)


def hidden_paths(course: Path | None = None) -> list[str]:
    """What a kernel grading a submission of `course` must not see (only what exists)."""
    hidden = [CHECKS_DIR]
    if (CHECKOUT_DIR / "pyproject.toml").is_file():
        hidden += [CHECKOUT_DIR / name for name in CHECKOUT_PATHS]
    if course is not None:
        hidden += [Path(course) / name for name in COURSE_PATHS]
    return sorted({str(path) for path in hidden if path.exists()})
