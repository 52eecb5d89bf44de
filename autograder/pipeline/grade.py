"""`autograder grade`: one notebook file graded exactly as the instructor's batch would grade it,
in throw-away course folders (the instructor's gradebook is never touched)."""
from __future__ import annotations

from pathlib import Path

import nbformat

from autograder import scratch
from autograder.course import CONFIG_FILE, Assignment, assignments, course_root
from autograder.feedback.report import report_for
from autograder.intake.notebook import InvalidSubmission, parse_notebook
from autograder.pipeline.course_folder import GradingError, write_atomically
from autograder.pipeline.jobs import (
    RECORD_FOLDER,
    GradingJob,
    released_course,
    run_job,
    scratch_config,
)
from autograder.pipeline.recorder import Recorder
from autograder.results import SubmissionResult
from autograder.sandbox.policy import hidden_paths


class SubmissionError(GradingError):
    """The file handed in cannot be graded as it is; the message says why and what to do."""


def grade_notebook(path: Path, assignment_id: str | None = None, student: str = "learner",
                   feedback_to: Path | None = None, report_to: Path | None = None) -> SubmissionResult:
    """Grade one notebook file. `feedback_to`: write nbgrader's feedback page there;
    `report_to`: the feedback report built on it (autograder.feedback.report)."""
    root = course_root()
    notebook = read_submission(path)
    assignment = identify_assignment(notebook, path, assignment_id, root)
    job = GradingJob(
        assignment_id=assignment.id,
        student=student,
        master=assignment.master.read_text(),
        files={assignment.notebook_name: nbformat.writes(notebook).encode()},
        datasets=assignment.datasets,
        config=(root / CONFIG_FILE).read_text(),
        hide=tuple(hidden_paths(root)),  # a course folder may hold a class: its work and grades
    )
    graded = run_job(job)
    with scratch.folder(RECORD_FOLDER) as tmp:
        work = Path(tmp)
        course = released_course(work, scratch_config(work, job.config), assignment.id, job.master, job.config,
                                 keep_master=True)
        course.submit_files(assignment.id, student, job.files)
        with Recorder(course) as recorder:
            result = recorder.record(graded)
        if feedback_to is not None or report_to is not None:
            html = course.feedback(assignment.id, student) / student / assignment.id / f"{assignment.id}.html"
        if feedback_to is not None:
            write_atomically(feedback_to, html.read_text())
        if report_to is not None:
            write_atomically(report_to, report_for(graded, result, html.read_text()))
    return result


def read_submission(path: Path):
    """The notebook at `path`, or a SubmissionError saying why it cannot be graded."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file. Pass the path of a .ipynb notebook.")
    try:
        return parse_notebook(path.read_bytes(), str(path))
    except InvalidSubmission as error:
        raise SubmissionError(str(error)) from None


def identify_assignment(notebook, path: Path, assignment_id: str | None, root: Path) -> Assignment:
    known = assignments(root)
    candidate = assignment_id or notebook.metadata.get("autograder", {}).get("assignment") or Path(path).stem
    if candidate not in known:
        raise SubmissionError(
            f"Cannot tell which assignment {path} is for (got {candidate!r}); pass "
            f"--assignment with one of: {', '.join(known)}."
        )
    return known[candidate]
