"""Batch grading on Dask distributed: workers execute submissions, one writer records them.

Each submission becomes a `GradingJob` (plain data) that a worker grades with
`grading.run_job` in its own scratch course. Results flow back to this process, the only
writer: it stores the executed notebook and has nbgrader's own autograde record it, with
`ReplayExecution` in place of `Execute`, so the gradebook holds what a sequential
`nbgrader autograde` would have written. A ledger of content hashes makes a re-run grade
only new or changed submissions.
"""
from __future__ import annotations

import copy
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from nbgrader.preprocessors import Execute
from tqdm import tqdm
from traitlets.utils.importstring import import_item

from autograder import course as course_layout
from autograder.grading import Course, GradedJob, GradingJob, SubmissionResult, run_job

STATE_DIR = ".autograder"  # inside the course folder: the ledger and the executed notebooks
GIB = 1 << 30
MEMORY_PER_JOB = 3 * GIB  # measured peak per grading job stays below this (see README)


@dataclass
class BatchReport:
    graded: list[tuple[SubmissionResult, float]] = field(default_factory=list)  # (result, seconds)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # unchanged since the last run
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (assignment, student, reason)


def default_workers() -> int:
    """One worker per core, as many as fit in memory at MEMORY_PER_JOB each."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, psutil.virtual_memory().total // MEMORY_PER_JOB))


def collect_jobs(course: Course, assignment_id: str | None = None, student: str | None = None) -> list[GradingJob]:
    """A job for every submitted/<student>/<assignment>/ folder (optionally just one of them)."""
    known = course_layout.assignments(course.root)
    config = (course.root / "nbgrader_config.py").read_text()
    jobs = []
    for student_dir in sorted(course.folder("submitted").glob("*")):
        if student and student_dir.name != student:
            continue
        for folder in sorted(p for p in student_dir.glob("*") if p.is_dir()):
            if assignment_id and folder.name != assignment_id:
                continue
            if folder.name not in known:
                raise course_layout.CourseError(
                    f"{folder} is a submission for {folder.name!r}, which has no master notebook in "
                    f"{course.root / course_layout.SOURCE_DIR}."
                )
            assignment = known[folder.name]
            files = {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
            jobs.append(GradingJob(assignment.id, student_dir.name, assignment.master.read_text(), files,
                                   assignment.datasets, config))
    return jobs


class Ledger:
    """submission -> digest of what was last graded and recorded; written atomically."""

    def __init__(self, root: Path):
        self.path = root / STATE_DIR / "graded.json"
        self.entries = json.loads(self.path.read_text()) if self.path.is_file() else {}

    @staticmethod
    def key(job: GradingJob) -> str:
        return f"{job.student}/{job.assignment_id}"

    def is_current(self, job: GradingJob) -> bool:
        return self.entries.get(self.key(job)) == job.digest

    def record(self, job: GradingJob) -> None:
        self.entries[self.key(job)] = job.digest
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.entries, indent=1, sort_keys=True))
        os.replace(temporary, self.path)


def execute(job: GradingJob, threads: int) -> GradedJob:
    """The task a worker runs. TensorFlow in the grading kernel gets this worker's share of cores."""
    os.environ.update(
        TF_NUM_INTRAOP_THREADS=str(threads), TF_NUM_INTEROP_THREADS="1", OMP_NUM_THREADS=str(threads)
    )
    return run_job(job)


class Recorder:
    """The single writer: puts a worker's executed notebooks into the course through nbgrader."""

    def __init__(self, course: Course):
        self.course = course
        self.executed = course.root / STATE_DIR / "executed"
        config = copy.deepcopy(course.config)
        config.Autograde.autograde_preprocessors = [
            "autograder.preprocessors.ReplayExecution" if _is_execute(step) else step
            for step in course.config.Autograde.get(
                "autograde_preprocessors", _default_pipeline())
        ]
        config.ReplayExecution.executed_directory = str(self.executed)
        self.replay = Course(course.root, config)

    def record(self, graded: GradedJob) -> SubmissionResult:
        job = graded.job
        folder = self.executed / job.student / job.assignment_id
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in graded.notebooks.items():
            (folder / name).write_text(text)
        if not self.course.has_assignment(job.assignment_id):
            self.course.release(job.assignment_id)
        return self.replay.autograde(job.assignment_id, job.student)


def _is_execute(step) -> bool:
    cls = import_item(step) if isinstance(step, str) else step
    return isinstance(cls, type) and issubclass(cls, Execute)


def _default_pipeline():
    from nbgrader.converters import Autograde

    return Autograde.class_traits()["autograde_preprocessors"].default_value


def grade_batch(root: Path, assignment_id: str | None = None, student: str | None = None, *,
                workers: int | None = None, scheduler: str | None = None, force: bool = False,
                progress: bool = True) -> BatchReport:
    """Grade submitted/ on Dask (a LocalCluster unless `scheduler` names a running one)."""
    from dask.distributed import Client, LocalCluster, as_completed

    course = Course(root)
    jobs = collect_jobs(course, assignment_id, student)
    ledger = Ledger(course.root)
    report = BatchReport()
    todo = []
    for job in jobs:
        if force or not ledger.is_current(job):
            todo.append(job)
        else:
            report.skipped.append((job.assignment_id, job.student))
    for assignment in sorted({job.assignment_id for job in todo}):
        if not course.has_assignment(assignment):
            course.release(assignment)  # the gradebook needs the master's cells first
    if todo:
        if scheduler:
            client, cluster = Client(scheduler), None
            threads = 1
        else:
            workers = workers or default_workers()
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, memory_limit=0)
            client = Client(cluster)
            threads = max(1, (os.cpu_count() or 1) // workers)
        recorder = Recorder(course)
        try:
            futures = {
                client.submit(execute, job, threads, retries=1, pure=False,
                              key=f"grade-{job.student}-{job.assignment_id}-{job.digest[:12]}"): job
                for job in todo
            }
            bar = tqdm(total=len(futures), unit="submission", disable=not progress, file=sys.stderr)
            for future in as_completed(futures):
                job = futures[future]
                try:
                    graded = future.result()
                    result = recorder.record(graded)
                except Exception as error:  # reported, and the batch goes on
                    report.failed.append((job.assignment_id, job.student, f"{type(error).__name__}: {error}"))
                else:
                    ledger.record(job)
                    report.graded.append((result, graded.seconds))
                bar.update()
            bar.close()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    for assignment in sorted({result.assignment for result, _ in report.graded}):
        course.feedback(assignment)
    if report.graded:
        course.export_csv(course.root / "grades.csv")
    return report
