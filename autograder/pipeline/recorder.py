"""The single writer: puts a worker's autograded notebooks into the course's gradebook.

Two ways, the same grades. For the course's own pipeline (nbgrader_config.py) the writer checks
the worker's notebook against the submission and saves its grades through one open Gradebook,
many results per session (autograder.pipeline.direct_record). A course that adds steps of its
own gets nbgrader's autograde re-run here on the submission as the worker graded it (kept under
.autograder/normalized; submitted/ stays as handed in), with ReplayExecution in place of Execute.
"""
from __future__ import annotations

import copy
import shutil

from nbgrader.preprocessors import Execute

from autograder.course import STATE_DIR
from autograder.pipeline import direct_record as direct
from autograder.pipeline.course_folder import Course
from autograder.pipeline.jobs import GradedJob
from autograder.pipeline.steps import autograde_steps, is_step, is_worker_step
from autograder.results import SubmissionResult


class Recorder:
    """Records GradedJobs into `course`'s gradebook. Close it (or use `with`) when done."""

    def __init__(self, course: Course, replay: bool = False):
        """`replay`: nbgrader's autograde even where the direct path would do (to compare them)."""
        self.course = course
        self.state = course.root / STATE_DIR
        self.direct = not replay and direct.records_directly(course.config)
        self._released: set[str] = set()  # assignments known to be in the gradebook (releases are never undone)
        self._gradebook = None
        self._masters: dict[tuple[str, str], direct.MasterCells] = {}
        self._notebooks: dict[str, list[str]] = {}  # assignment -> its notebooks' names
        self._students: set[str] = set()  # in the gradebook already
        self._plugin = direct.late_plugin(course.config) if direct.applies_late_penalties(course.config) else None
        self.replay = None if self.direct else _replay_course(course, self.state)

    def __enter__(self) -> "Recorder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._gradebook is not None:
            self._gradebook.close()
            self._gradebook = None

    def record(self, graded: GradedJob) -> SubmissionResult:
        outcome = self.record_many([graded])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def record_many(self, batch: list[GradedJob]) -> list[SubmissionResult | Exception]:
        """Each job's result, or the exception that kept it out of the gradebook (the others go on)."""
        outcomes = []
        for graded in batch:
            try:
                self._ensure_released(graded.job.assignment_id)
                outcomes.append(self._record_directly(graded) if self.direct else self._replay(graded))
            except Exception as error:
                if self._gradebook is not None:
                    self._gradebook.db.rollback()
                outcomes.append(error)
        return outcomes

    def _ensure_released(self, assignment_id: str) -> None:
        if assignment_id not in self._released:
            if not self.course.has_assignment(assignment_id):
                self.course.release(assignment_id)
            self._released.add(assignment_id)

    def gradebook(self):
        """One Gradebook for the recorder's life: its engine caches the compiled queries."""
        if self._gradebook is None:
            self._gradebook = self.course.gradebook()
        return self._gradebook

    def _record_directly(self, graded: GradedJob) -> SubmissionResult:
        job, gradebook = graded.job, self.gradebook()
        submitted = self.course.folder("submitted") / job.student / job.assignment_id
        executed = {name: direct.read_notebook(text) for name, text in graded.notebooks.items()}
        for name, notebook in executed.items():
            if name not in job.files:
                raise direct.NotebookMismatch(f"{job.student}/{job.assignment_id}: {name} was not handed in")
            given = direct.read_notebook(job.files[name].decode())
            check = self._master(job.assignment_id, name.removesuffix(".ipynb"))
            direct.check_sanitized(notebook, given, check, f"{job.student}/{job.assignment_id}/{name}")
        timestamp = direct.handed_in(submitted)  # before anything is written: it may be unreadable
        direct.write_autograded(self.course.folder("autograded") / job.student / job.assignment_id,
                                self.state / "staging" / job.student / job.assignment_id,
                                graded.notebooks, submitted, self._permissions())
        if job.student not in self._students:
            gradebook.update_or_create_student(job.student)
            self._students.add(job.student)
        extra = {"timestamp": timestamp} if timestamp else {}
        submission = gradebook.update_or_create_submission(job.assignment_id, job.student, **extra)
        rows = []
        for name in self._notebook_names(job.assignment_id):
            notebook = executed.get(f"{name}.ipynb")
            if notebook is None:
                direct.zero_missing(gradebook.find_submission_notebook(name, job.assignment_id, job.student))
                continue
            rows.append(direct.save_autogrades(gradebook, notebook, name, job.assignment_id, job.student))
        if self._plugin is not None:
            gradebook.db.flush()
            for row in rows:
                if submission.total_seconds_late > 0:
                    gradebook.db.refresh(row)  # its score, from the grades just saved
                row.late_submission_penalty = direct.late_penalty(self._plugin, submission, row, job.student)
        gradebook.db.commit()
        return self.course.result(job.assignment_id, job.student, gradebook,
                                  executed.get(f"{job.assignment_id}.ipynb"))

    def _master(self, assignment_id: str, notebook_id: str) -> "direct.MasterCells":
        key = (assignment_id, notebook_id)
        if key not in self._masters:
            self._masters[key] = direct.MasterCells.from_gradebook(
                self.gradebook().find_notebook(notebook_id, assignment_id))
        return self._masters[key]

    def _notebook_names(self, assignment_id: str) -> list[str]:
        if assignment_id not in self._notebooks:
            self._notebooks[assignment_id] = [
                notebook.name for notebook in self.gradebook().find_assignment(assignment_id).notebooks]
        return self._notebooks[assignment_id]

    def _permissions(self) -> int:
        """What nbgrader's autograde sets on the files it writes (its `permissions` option)."""
        default = 664 if self.course.api.coursedir.groupshared else 444
        return int(str(self.course.config.Autograde.get("permissions", default)), 8)

    def _replay(self, graded: GradedJob) -> SubmissionResult:
        job = graded.job
        folder = self.state / "executed" / job.student / job.assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in graded.notebooks.items():
            (folder / name).write_text(text)
        self.replay.submit_files(job.assignment_id, job.student, job.files)
        normalized = self.state / "normalized" / job.student / job.assignment_id
        for name in direct.SIDE_FILES:
            kept = self.course.folder("submitted") / job.student / job.assignment_id / name
            if kept.is_file():
                shutil.copyfile(kept, normalized / name)
        return self.replay.autograde(job.assignment_id, job.student)


def _replay_course(course: Course, state) -> Course:
    """The course seen through nbgrader's autograde with ReplayExecution in Execute's place."""
    config = copy.deepcopy(course.config)
    config.CourseDirectory.submitted_directory = str((state / "normalized").relative_to(course.root))
    config.Autograde.autograde_preprocessors = [
        "autograder.pipeline.preprocessors.replay_execution.ReplayExecution" if is_step(step, Execute) else step
        for step in autograde_steps(course.config)
        if not is_worker_step(step)  # already done by the worker
    ]
    config.ReplayExecution.executed_directory = str(state / "executed")
    return Course(course.root, config)
