"""Grading through nbgrader: one course folder, its gradebook, and what a learner scored.

`Course` drives nbgrader's own API (generate_assignment, autograde, generate_feedback, CSV
export) on a course folder configured by the project's `nbgrader_config.py`. Grading a
single notebook builds a throw-away course folder around it, so the instructor's gradebook
is never touched.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.plugins import CsvExportPlugin
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from autograder import course as course_layout
from autograder import data

# Keep TensorFlow's C++ start-up chatter out of graded notebooks and feedback.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class GradingError(Exception):
    """nbgrader could not grade (not: the learner scored low)."""


class SubmissionError(GradingError):
    """The file handed in cannot be graded as it is; the message says why and what to do."""


@dataclass
class TestResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str = ""


@dataclass
class SubmissionResult:
    assignment: str
    student: str
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)

    def to_json(self) -> str:
        result = asdict(self)
        del result["student"]
        return json.dumps(result, indent=2)


def load_config(root: Path, config_file: Path | None = None) -> Config:
    """The course's nbgrader configuration, rooted at `root`."""
    config_file = config_file or root / "nbgrader_config.py"
    if not config_file.is_file():
        config_file = course_layout.course_root() / "nbgrader_config.py"
    config = PyFileConfigLoader(config_file.name, str(config_file.parent)).load_config()
    config.CourseDirectory.root = str(root)
    return config


class Course:
    """A course folder graded with nbgrader (source = solutions/, release = assignments/)."""

    def __init__(self, root: Path, config: Config | None = None):
        self.root = Path(root).resolve()
        self.config = config or load_config(self.root)
        self.api = NbGraderAPI(config=self.config)
        self.db_url = self.api.coursedir.db_url
        self.course_id = self.api.coursedir.course_id

    def _folder(self, kind: str) -> Path:
        return self.root / getattr(self.api.coursedir, f"{kind}_directory")

    def _run(self, what: str, result: dict) -> None:
        if not result.get("success"):
            raise GradingError(f"nbgrader {what} failed:\n{result.get('error') or ''}\n{result.get('log') or ''}")

    def has_assignment(self, assignment_id: str) -> bool:
        with Gradebook(self.db_url, self.course_id) as gradebook:
            try:
                gradebook.find_assignment(assignment_id)
                return True
            except MissingEntry:
                return False

    def release(self, assignment_id: str) -> Path:
        """nbgrader generate_assignment: starter into the release folder, cells into the gradebook."""
        self._run(f"generate_assignment {assignment_id}", self.api.generate_assignment(assignment_id))
        return self._folder("release") / assignment_id

    def place_data(self, assignment: course_layout.Assignment) -> None:
        """Put the assignment's data sets into its source folder; autograde copies them beside submissions."""
        for name in assignment.datasets:
            data.fetch(name)
            data.place(name, self._folder("source") / assignment.id / "data")

    def submit(self, assignment_id: str, student: str, notebook: Path) -> None:
        folder = self._folder("submitted") / student / assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, folder / f"{assignment_id}.ipynb")

    def autograde(self, assignment_id: str, student: str) -> SubmissionResult:
        self._run(f"autograde {assignment_id} for {student}", self.api.autograde(assignment_id, student))
        return self.result(assignment_id, student)

    def result(self, assignment_id: str, student: str) -> SubmissionResult:
        autograded = self._folder("autograded") / student / assignment_id / f"{assignment_id}.ipynb"
        messages = _test_messages(nbformat.read(autograded, as_version=4))
        with Gradebook(self.db_url, self.course_id) as gradebook:
            notebook = gradebook.find_submission_notebook(assignment_id, assignment_id, student)
            order = {cell_id: i for i, cell_id in enumerate(messages)}
            tests = [
                TestResult(
                    grade_id=grade.name,
                    points=float(grade.score),
                    max_points=float(grade.max_score),
                    passed=grade.score >= grade.max_score,
                    message=messages.get(grade.name, ""),
                )
                for grade in notebook.grades
                if grade.cell_type == "code"
            ]
            tests.sort(key=lambda t: order.get(t.grade_id, len(order)))
            return SubmissionResult(
                assignment=assignment_id,
                student=student,
                score=float(notebook.score),
                max_score=float(notebook.max_score),
                tests=tests,
            )

    def feedback(self, assignment_id: str, student: str | None = None) -> Path:
        self._run(f"generate_feedback {assignment_id}", self.api.generate_feedback(assignment_id, student))
        return self._folder("feedback")

    def export_csv(self, path: Path) -> Path:
        with Gradebook(self.db_url, self.course_id) as gradebook:
            CsvExportPlugin(to=str(path)).export(gradebook)
        return path


def _test_messages(notebook) -> dict[str, str]:
    """grade_id -> the error a test cell ended with ('' when it passed), in notebook order."""
    messages = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        messages[meta["grade_id"]] = _error_text(errors[-1]) if errors else ""
    return messages


def _error_text(error) -> str:
    if error.get("ename") == "CheckFailed":
        return error.get("evalue", "")
    return f"{error.get('ename')}: {error.get('evalue')}"


def read_submission(path: Path):
    """The notebook at `path`, or a SubmissionError saying why it cannot be graded."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file. Pass the path of a .ipynb notebook.")
    try:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several types for the same problem
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SubmissionError(
            f"{path} is not a valid Jupyter notebook ({reason}). Submit the .ipynb file saved "
            "from Jupyter, not an export or a copy of its text."
        ) from None
    return notebook


def identify_assignment(notebook, path: Path, assignment_id: str | None, root: Path) -> course_layout.Assignment:
    known = course_layout.assignments(root)
    candidate = assignment_id or notebook.metadata.get("autograder", {}).get("assignment") or Path(path).stem
    if candidate not in known:
        raise SubmissionError(
            f"Cannot tell which assignment {path} is for (got {candidate!r}); pass "
            f"--assignment with one of: {', '.join(known)}."
        )
    return known[candidate]


def grade_notebook(path: Path, assignment_id: str | None = None, student: str = "learner",
                   feedback_to: Path | None = None) -> SubmissionResult:
    """Grade one notebook file with nbgrader autograde in a temporary course folder."""
    root = course_layout.course_root()
    notebook = read_submission(path)
    assignment = identify_assignment(notebook, path, assignment_id, root)
    with tempfile.TemporaryDirectory(prefix="autograder-") as tmp:
        work = Path(tmp)
        source = work / course_layout.SOURCE_DIR / assignment.id
        source.mkdir(parents=True)
        shutil.copyfile(assignment.master, source / assignment.notebook_name)
        config = load_config(work, root / "nbgrader_config.py")
        config.CourseDirectory.db_url = f"sqlite:///{work / 'gradebook.db'}"  # never the real gradebook
        course = Course(work, config)
        course.release(assignment.id)
        course.place_data(assignment)  # after release: the starter copy needs no data
        course.submit(assignment.id, student, Path(path))
        result = course.autograde(assignment.id, student)
        if feedback_to is not None:
            html = course.feedback(assignment.id, student) / student / assignment.id / f"{assignment.id}.html"
            Path(feedback_to).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(html, feedback_to)
        return result
