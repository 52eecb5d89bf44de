"""A course folder graded with nbgrader's own API (generate_assignment, autograde,
generate_feedback, CSV export), configured by the project's `nbgrader_config.py`."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Grade, Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.plugins import CsvExportPlugin
from sqlalchemy.orm import selectinload
from traitlets.config import Config

from autograder import data, scratch
from autograder.course import Assignment, load_config
from autograder.results import MISSING_CELL, SubmissionResult, TestResult, test_messages


class GradingError(Exception):
    """nbgrader could not grade (not: the learner scored low)."""


class Course:
    """A course folder graded with nbgrader (source = solutions/, release = assignments/)."""

    def __init__(self, root: Path, config: Config | None = None):
        self.root = Path(root).resolve()
        self.config = config or load_config(self.root)
        self.api = NbGraderAPI(config=self.config)
        self.db_url = self.api.coursedir.db_url
        self.course_id = self.api.coursedir.course_id

    def folder(self, kind: str) -> Path:
        """The course's `source`, `release`, `submitted`, `autograded` or `feedback` folder."""
        return self.root / getattr(self.api.coursedir, f"{kind}_directory")

    def _run(self, what: str, result: dict) -> None:
        if not result.get("success"):
            raise GradingError(f"nbgrader {what} failed:\n{result.get('error') or ''}\n{result.get('log') or ''}")

    def gradebook(self) -> Gradebook:
        with scratch.temporary_files():  # creating one makes a folder, left if the process is killed
            return Gradebook(self.db_url, self.course_id)

    def has_assignment(self, assignment_id: str) -> bool:
        """Whether the assignment is released into the gradebook (not only added, e.g. with a due date)."""
        with self.gradebook() as gradebook:
            try:
                return bool(gradebook.find_assignment(assignment_id).notebooks)
            except MissingEntry:
                return False

    def add_master(self, assignment_id: str, master_text: str) -> Path:
        """Put a master notebook (JSON text) into the source folder, as solutions/<id>/<id>.ipynb."""
        master = self.folder("source") / assignment_id / f"{assignment_id}.ipynb"
        master.parent.mkdir(parents=True, exist_ok=True)
        master.write_text(master_text)
        return master

    def release(self, assignment_id: str) -> Path:
        """nbgrader generate_assignment: starter into the release folder, cells into the gradebook."""
        with scratch.temporary_files():  # a gradebook's creation leaves a folder if killed
            self._run(f"generate_assignment {assignment_id}", self.api.generate_assignment(assignment_id))
        return self.folder("release") / assignment_id

    def place_data(self, assignment_id: str, datasets: tuple[str, ...]) -> None:
        """Put the data sets into the assignment's source folder; autograde copies them beside submissions."""
        for name in datasets:
            data.fetch(name)
            data.place(name, self.folder("source") / assignment_id / "data")

    def submit(self, assignment_id: str, student: str, notebook: Path) -> None:
        folder = self.folder("submitted") / student / assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, folder / f"{assignment_id}.ipynb")

    def submit_files(self, assignment_id: str, student: str, files: dict[str, bytes]) -> None:
        folder = self.folder("submitted") / student / assignment_id
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)

    def autograde(self, assignment_id: str, student: str, limits: dict | None = None) -> SubmissionResult:
        """nbgrader autograde, with the grading limits of the assignment's master (`limits`, for
        a course whose master is no longer there: the grading kernel must not find it)."""
        if limits is None:
            master = self.folder("source") / assignment_id / f"{assignment_id}.ipynb"
            limits = Assignment.from_master(master).limits if master.is_file() else {}
        for name, value in limits.items():
            setattr(self.config.GuardedExecute, name, value)
        self._run(f"autograde {assignment_id} for {student}", self.api.autograde(assignment_id, student))
        return self.result(assignment_id, student)

    def result(self, assignment_id: str, student: str, gradebook: Gradebook | None = None,
               autograded=None) -> SubmissionResult:
        """The recorded grades of a submission (read through `gradebook` if one is open; the
        messages from the `autograded` notebook if it is at hand, else from its file)."""
        if autograded is None:
            path = self.folder("autograded") / student / assignment_id / f"{assignment_id}.ipynb"
            autograded = nbformat.read(path, as_version=4)
        messages = test_messages(autograded)
        if gradebook is None:
            with self.gradebook() as gradebook:
                return self._result(gradebook, assignment_id, student, messages)
        return self._result(gradebook, assignment_id, student, messages)

    @staticmethod
    def _result(gradebook: Gradebook, assignment_id: str, student: str, messages: dict) -> SubmissionResult:
        notebook = gradebook.find_submission_notebook(assignment_id, assignment_id, student)
        # One query for all its grades and their cells, not two per grade.
        grades = (gradebook.db.query(Grade).filter(Grade.notebook_id == notebook.id)
                  .options(selectinload(Grade.cell)).all())
        order = {cell_id: i for i, cell_id in enumerate(messages)}
        tests = [
            TestResult(
                grade_id=grade.name,
                points=float(grade.score),
                max_points=float(grade.max_score),
                passed=grade.score >= grade.max_score,
                message=messages.get(grade.name, MISSING_CELL),
            )
            for grade in grades
            if grade.cell_type == "code"
        ]
        tests.sort(key=lambda t: order.get(t.grade_id, len(order)))
        return SubmissionResult(
            assignment=assignment_id,
            student=student,
            score=float(notebook.score),
            max_score=float(notebook.max_score),
            tests=tests,
            late_penalty=float(notebook.late_submission_penalty or 0),
        )

    def feedback(self, assignment_id: str, student: str | None = None) -> Path:
        self._run(f"generate_feedback {assignment_id}", self.api.generate_feedback(assignment_id, student))
        return self.folder("feedback")

    def export_csv(self, path: Path) -> Path:
        with self.gradebook() as gradebook:
            CsvExportPlugin(to=str(path)).export(gradebook)
        return path


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one (a crash mid-write included)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)
