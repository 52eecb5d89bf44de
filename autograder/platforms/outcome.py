"""One submission graded on a hosted grader: its result, or why it has none."""
from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.course import CourseError
from autograder.data import DataError
from autograder.pipeline.course_folder import GradingError
from autograder.pipeline.grade import SubmissionError, grade_notebook
from autograder.platforms.submission import SetupError, Unreadable
from autograder.results import SubmissionResult

GRADER_FAILED = ("Your submission was not graded because of a problem in the grader, not in your notebook. "
                 "Submit it again later; if this message comes back, tell the course staff.")


@dataclass
class Outcome:
    result: SubmissionResult | None = None
    problem: str = ""  # why there is no result, for the learner
    grader_failed: bool = False  # the grader is at fault, not the submission
    seconds: float = 0.0

    @property
    def graded(self) -> bool:
        return self.result is not None

    @property
    def fraction(self) -> float:
        """The score as a fraction of the maximum, in [0, 1] (0 when not graded)."""
        if self.result is None or self.result.max_score <= 0:
            return 0.0
        return min(1.0, max(0.0, self.result.score / self.result.max_score))

    @property
    def exit_code(self) -> int:
        """0 whenever the platform has a result to read; 1 marks a run the instructor should look at."""
        return 1 if self.grader_failed else 0


def grade(locate: Callable[[], tuple[Path, str]], report_to: Path | None = None) -> Outcome:
    """Find the submission with `locate` and grade it as `autograder grade` does; every failure
    becomes an Outcome, since the platform needs a results file whatever happened."""
    started = time.monotonic()
    path = None
    try:
        path, assignment_id = locate()
        result = grade_notebook(path, assignment_id, report_to=report_to)
    except (Unreadable, SubmissionError) as error:
        return Outcome(problem=_for_learner(str(error), path), seconds=time.monotonic() - started)
    except (SetupError, GradingError, CourseError, DataError) as error:  # their messages say what to do
        print(f"autograder: {error}", file=sys.stderr)
        return _grader_failed(started)
    except Exception:  # noqa: BLE001 (any other grader fault: the traceback is for the instructor's log only)
        traceback.print_exc(file=sys.stderr)
        return _grader_failed(started)
    return Outcome(result, seconds=time.monotonic() - started)


def _grader_failed(started: float) -> Outcome:
    return Outcome(problem=GRADER_FAILED, grader_failed=True, seconds=time.monotonic() - started)


def _for_learner(message: str, path: Path | None) -> str:
    """The container's paths mean nothing to the learner: name their file only."""
    return message.replace(str(path), path.name) if path is not None else message
