"""Grading through nbgrader: one course folder, its gradebook, and what a learner scored.

`Course` drives nbgrader's own API (generate_assignment, autograde, generate_feedback, CSV
export) on a course folder configured by the project's `nbgrader_config.py`. Grading a
single notebook builds a throw-away course folder around it, so the instructor's gradebook
is never touched.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.plugins import CsvExportPlugin
from nbgrader.preprocessors import Execute
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader
from traitlets.utils.importstring import import_item

from autograder import course as course_layout
from autograder import data
from autograder.cell_failures import error_text, failed_cells, why_undefined
from autograder.submission import InvalidSubmission, parse_notebook
from autograder.verify import ARTIFACTS_DIR

# Keep TensorFlow's C++ start-up chatter out of graded notebooks and feedback.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# nbgrader runs `alembic` (its gradebook migrations) as a command: make this environment's
# scripts findable even when it was not activated (e.g. `.venv/bin/autograder ...`).
_scripts = str(Path(sys.executable).parent)
if _scripts not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _scripts + os.pathsep + os.environ.get("PATH", "")


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

    def folder(self, kind: str) -> Path:
        """The course's `source`, `release`, `submitted`, `autograded` or `feedback` folder."""
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

    def autograde(self, assignment_id: str, student: str) -> SubmissionResult:
        self._run(f"autograde {assignment_id} for {student}", self.api.autograde(assignment_id, student))
        return self.result(assignment_id, student)

    def result(self, assignment_id: str, student: str) -> SubmissionResult:
        autograded = self.folder("autograded") / student / assignment_id / f"{assignment_id}.ipynb"
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
                    message=messages.get(grade.name, MISSING_CELL),
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
        return self.folder("feedback")

    def export_csv(self, path: Path) -> Path:
        with Gradebook(self.db_url, self.course_id) as gradebook:
            CsvExportPlugin(to=str(path)).export(gradebook)
        return path


def _test_messages(notebook) -> dict[str, str]:
    """grade_id -> the error a test cell ended with ('' when it passed), in notebook order.

    A test that failed only because a name was never defined says which earlier cell failed to
    define it, and why (its error, a time limit, a dead kernel, …).
    """
    messages = {}
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        message = error_text(errors[-1]) if errors else ""
        undefined = re.match(r"NameError: name '(\w+)' is not defined", message)
        failures = failed_cells(notebook, before=index) if undefined else []
        if failures:
            message = why_undefined(undefined.group(1), failures)
        messages[meta["grade_id"]] = message
    return messages


MISSING_CELL = ("This test cell is missing from your notebook, so its part could not be graded. Start "
                "again from the starter notebook and copy your answers into it.")


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one (a crash mid-write included)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def read_submission(path: Path):
    """The notebook at `path`, or a SubmissionError saying why it cannot be graded."""
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file. Pass the path of a .ipynb notebook.")
    try:
        return parse_notebook(path.read_bytes(), str(path))
    except InvalidSubmission as error:
        raise SubmissionError(str(error)) from None


def identify_assignment(notebook, path: Path, assignment_id: str | None, root: Path) -> course_layout.Assignment:
    known = course_layout.assignments(root)
    candidate = assignment_id or notebook.metadata.get("autograder", {}).get("assignment") or Path(path).stem
    if candidate not in known:
        raise SubmissionError(
            f"Cannot tell which assignment {path} is for (got {candidate!r}); pass "
            f"--assignment with one of: {', '.join(known)}."
        )
    return known[candidate]


@dataclass(frozen=True)
class GradingJob:
    """Everything needed to grade one submission anywhere: plain data, so it travels to Dask workers."""

    assignment_id: str
    student: str
    master: str  # the master notebook (JSON text)
    files: dict[str, bytes]  # the submission folder: relative path -> content
    datasets: tuple[str, ...]
    config: str  # the course's nbgrader_config.py
    hide: tuple[str, ...] = ()  # paths the learner's kernel must not see (other submissions, gradebook)

    @property
    def digest(self) -> str:
        """Changes whenever the submission, its master or the grading configuration does."""
        digest = hashlib.sha256()
        for part in (self.assignment_id, self.student, self.master, self.config):
            digest.update(part.encode() + b"\0")
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()


@dataclass
class GradedJob:
    """What a worker hands back: executed notebooks, not a grade. Only a Recorder writes grades."""

    job: GradingJob
    notebooks: dict[str, str]  # autograded notebooks (JSON text) by file name
    seconds: float
    artifacts: dict[str, dict] = field(default_factory=dict)  # verification records (autograder.verify)


def run_job(job: GradingJob) -> GradedJob:
    """Grade one submission; a kernel that died on its own (not by a grading limit) gets one
    more try, since the machine may have been short of memory rather than the code wrong."""
    graded = _run_job_once(job)
    if _died_unexpectedly(graded):
        retried = _run_job_once(job)
        retried.seconds += graded.seconds
        return retried
    return graded


def _died_unexpectedly(graded: "GradedJob") -> bool:
    from autograder.execute import UNEXPECTED_DEATH

    return any(UNEXPECTED_DEATH in text for text in graded.notebooks.values())


def _run_job_once(job: GradingJob) -> GradedJob:
    """nbgrader autograde of one submission in a throw-away course folder with its own gradebook.

    This is where learner code runs. Nothing it can reach decides the grade: the caller
    records the returned notebooks through a `Recorder` into a gradebook the kernel never saw.
    """
    from autograder.execute import KernelAccount, kernel_isolation

    started = time.perf_counter()
    account = None
    try:
        with tempfile.TemporaryDirectory(prefix="autograder-") as tmp:
            work = Path(tmp)
            config = _scratch_config(work, job.config)
            limits = nbformat.reads(job.master, as_version=4).metadata.get("autograder", {}).get("limits", {})
            for name, value in limits.items():
                setattr(config.GuardedExecute, name, value)
            config.GuardedExecute.hidden_paths = list(job.hide)
            if str(config.GuardedExecute.get("kernel_user", "auto")).strip().lower() == "auto" and kernel_isolation():
                # This job's kernel runs as its own uid, the only one besides root that may enter
                # this folder (group uid, mode 0710): no other job's kernel can read this submission.
                account = KernelAccount.reserve()
                os.chown(work, os.geteuid(), account.uid)
                os.chmod(work, 0o710)
                config.GuardedExecute.kernel_user = account.uid
            course = Course(work, config)
            source = course.folder("source") / job.assignment_id
            source.mkdir(parents=True)
            master = source / f"{job.assignment_id}.ipynb"
            master.write_text(job.master)
            course.release(job.assignment_id)
            master.unlink()  # the learner's kernel must not find the solutions
            course.place_data(job.assignment_id, job.datasets)  # after release: starters need no data
            course.submit_files(job.assignment_id, job.student, job.files)
            course.autograde(job.assignment_id, job.student)  # its gradebook is within the kernel's reach: unused
            autograded = course.folder("autograded") / job.student / job.assignment_id
            notebooks = {path.name: path.read_text() for path in autograded.glob("*.ipynb")}
            artifacts = {path.stem: json.loads(path.read_text())
                         for path in (autograded / ARTIFACTS_DIR).glob("*.json")}
            return GradedJob(job, notebooks, time.perf_counter() - started, artifacts)
    finally:
        if account is not None:
            account.release()  # only once the folder is gone: the next holder of this uid must not enter it


STATE_DIR = ".autograder"  # inside a course folder: what the Recorder keeps


class Recorder:
    """The single writer: puts a worker's executed notebooks into the course through nbgrader.

    nbgrader's own autograde runs as usual, on the submission as the worker graded it (checked
    and normalised, kept under .autograder/normalized; submitted/ stays as handed in), with
    ReplayExecution in place of Execute: grades, comments and late penalties are nbgrader's.
    """

    def __init__(self, course: Course):
        self.course = course
        self.executed = course.root / STATE_DIR / "executed"
        self.normalized = course.root / STATE_DIR / "normalized"
        config = copy.deepcopy(course.config)
        config.CourseDirectory.submitted_directory = str(self.normalized.relative_to(course.root))
        config.Autograde.autograde_preprocessors = [
            "autograder.preprocessors.ReplayExecution" if _is_execute(step) else step
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
    from nbgrader.converters import Autograde

    return Autograde.class_traits()["autograde_preprocessors"].default_value


def grade_notebook(path: Path, assignment_id: str | None = None, student: str = "learner",
                   feedback_to: Path | None = None, report_to: Path | None = None) -> SubmissionResult:
    """Grade one notebook file with nbgrader autograde in a temporary course folder.

    `feedback_to`: write nbgrader's feedback page there; `report_to`: the feedback report
    built on it (autograder.report)."""
    root = course_layout.course_root()
    notebook = read_submission(path)
    assignment = identify_assignment(notebook, path, assignment_id, root)
    job = GradingJob(
        assignment_id=assignment.id,
        student=student,
        master=assignment.master.read_text(),
        files={assignment.notebook_name: nbformat.writes(notebook).encode()},
        datasets=assignment.datasets,
        config=(root / "nbgrader_config.py").read_text(),
    )
    graded = run_job(job)
    with tempfile.TemporaryDirectory(prefix="autograder-record-") as tmp:
        course = Course(Path(tmp), _scratch_config(Path(tmp), job.config))
        source = course.folder("source") / assignment.id
        source.mkdir(parents=True)
        (source / assignment.notebook_name).write_text(job.master)
        course.submit_files(assignment.id, student, job.files)
        result = Recorder(course).record(graded)
        if feedback_to is not None or report_to is not None:
            html = course.feedback(assignment.id, student) / student / assignment.id / f"{assignment.id}.html"
        if feedback_to is not None:
            write_atomically(feedback_to, html.read_text())
        if report_to is not None:
            from autograder.report import report_for

            write_atomically(report_to, report_for(graded, result, html.read_text()))
    return result


def _scratch_config(work: Path, config_text: str) -> Config:
    (work / "nbgrader_config.py").write_text(config_text)
    config = load_config(work)
    config.CourseDirectory.db_url = f"sqlite:///{work / 'gradebook.db'}"  # never a real gradebook
    return config
