"""The single writer: puts a worker's executed notebooks into the course through nbgrader.

nbgrader's own autograde runs as usual, on the submission as the worker graded it (checked and
normalised, kept under .autograder/normalized; submitted/ stays as handed in), with
ReplayExecution in place of Execute: grades, comments and late penalties are nbgrader's.
"""
from __future__ import annotations

import copy
import shutil

from nbgrader.preprocessors import Execute

from autograder.course import STATE_DIR
from autograder.pipeline.course_folder import Course
from autograder.pipeline.jobs import GradedJob
from autograder.pipeline.steps import autograde_steps, is_step, step_class
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
            "autograder.pipeline.preprocessors.replay_execution.ReplayExecution" if is_step(step, Execute) else step
            for step in autograde_steps(course.config)
            if not getattr(step_class(step), "needs_worker_files", False)  # already done by the worker
        ]
        config.ReplayExecution.executed_directory = str(self.executed)
        self.replay = Course(course.root, config)
        self._released: set[str] = set()  # assignments known to be in the gradebook (releases are never undone)

    def record(self, graded: GradedJob) -> SubmissionResult:
        job = graded.job
        folder = self.executed / job.student / job.assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in graded.notebooks.items():
            (folder / name).write_text(text)
        self.replay.submit_files(job.assignment_id, job.student, job.files)
        for name in ("timestamp.txt", "submission_secret.txt"):  # lateness; the exchange's key to the feedback
            kept = self.course.folder("submitted") / job.student / job.assignment_id / name
            if kept.is_file():
                shutil.copyfile(kept, self.normalized / job.student / job.assignment_id / name)
        if job.assignment_id not in self._released:
            if not self.course.has_assignment(job.assignment_id):
                self.course.release(job.assignment_id)
            self._released.add(job.assignment_id)
        return self.replay.autograde(job.assignment_id, job.student)
