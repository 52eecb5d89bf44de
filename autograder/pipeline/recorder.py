"""The single writer: puts a worker's executed notebooks into the course through nbgrader.

nbgrader's own autograde runs as usual, on the submission as the worker graded it (checked and
normalised, kept under .autograder/normalized; submitted/ stays as handed in), with
ReplayExecution in place of Execute: grades, comments and late penalties are nbgrader's.
"""
from __future__ import annotations

import copy
import shutil

from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute
from traitlets.utils.importstring import import_item

from autograder.course import STATE_DIR
from autograder.pipeline.course_folder import Course
from autograder.pipeline.jobs import GradedJob
from autograder.results import SubmissionResult


class Recorder:
    """Records GradedJobs into `course`'s gradebook, one at a time."""

    def __init__(self, course: Course):
        self.course = course
        self.executed = course.root / STATE_DIR / "executed"
        self.normalized = course.root / STATE_DIR / "normalized"
        config = copy.deepcopy(course.config)
        config.CourseDirectory.submitted_directory = str(self.normalized.relative_to(course.root))
        config.Autograde.autograde_preprocessors = [
            "autograder.pipeline.preprocessors.replay_execution.ReplayExecution" if _is_execute(step) else step
            for step in course.config.Autograde.get("autograde_preprocessors", _default_pipeline())
            if not getattr(_step_class(step), "needs_worker_files", False)  # already done by the worker
        ]
        config.ReplayExecution.executed_directory = str(self.executed)
        self.replay = Course(course.root, config)

    def record(self, graded: GradedJob) -> SubmissionResult:
        job = graded.job
        folder = self.executed / job.student / job.assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in graded.notebooks.items():
            (folder / name).write_text(text)
        self.replay.submit_files(job.assignment_id, job.student, job.files)
        timestamp = self.course.folder("submitted") / job.student / job.assignment_id / "timestamp.txt"
        if timestamp.is_file():
            shutil.copyfile(timestamp, self.normalized / job.student / job.assignment_id / "timestamp.txt")
        if not self.course.has_assignment(job.assignment_id):
            self.course.release(job.assignment_id)
        return self.replay.autograde(job.assignment_id, job.student)


def _step_class(step):
    return import_item(step) if isinstance(step, str) else step


def _is_execute(step) -> bool:
    cls = _step_class(step)
    return isinstance(cls, type) and issubclass(cls, Execute)


def _default_pipeline():
    return Autograde.class_traits()["autograde_preprocessors"].default_value

