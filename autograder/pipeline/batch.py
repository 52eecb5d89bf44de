"""`autograder batch`: grading on Dask distributed; workers execute submissions, one writer records them.

Each submission becomes a `GradingJob` (plain data) that a worker grades with
`autograder.pipeline.jobs.run_job` in its own scratch course. Results flow back to this process, the only
writer: a `Recorder` checks each executed notebook against its submission and saves the grades
nbgrader's autograde would have saved, all results that finished meanwhile in one gradebook
session, so the gradebook holds what a sequential `nbgrader autograde` would have written. A
ledger of content hashes makes a re-run grade only new or changed submissions.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
from tqdm import tqdm

from autograder import console
from autograder.course import CONFIG_FILE, assignments
from autograder.feedback.report import report_for, report_path
from autograder.intake.notebook import InvalidSubmission, parse_notebook
from autograder.pipeline.course_folder import Course, write_atomically
from autograder.pipeline.jobs import GradedJob, GradingJob, remove_abandoned, run_job
from autograder.pipeline.ledger import Ledger
from autograder.pipeline.recorder import Recorder
from autograder.results import SubmissionResult
from autograder.sandbox.policy import hidden_paths

GIB = 1 << 30
MEMORY_PER_JOB = 3 * GIB  # measured peak per grading job stays below this (see README)


@dataclass
class BatchResult:
    graded: list[tuple[SubmissionResult, float]] = field(default_factory=list)  # (result, seconds)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # unchanged since the last run
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (assignment, student, reason)


def default_workers() -> int:
    """One worker per core, as many as fit in memory at MEMORY_PER_JOB each."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, psutil.virtual_memory().total // MEMORY_PER_JOB))


def collect_jobs(course: Course, assignment_id: str | None = None, student: str | None = None):
    """A job for every submitted/<student>/<assignment>/ folder (optionally just one of them).

    Returns (jobs, refused): a submission whose notebook is missing or not a valid notebook is
    refused with the reason, and the batch goes on. Only the assignment's notebook is taken:
    files a learner adds beside it (helper modules, saved models, data) are not graded.
    """
    known = assignments(course.root)
    config = (course.root / CONFIG_FILE).read_text()
    hide = tuple(hidden_paths(course.root))  # masters, other learners' work, grades
    jobs, refused = [], []
    for student_dir in sorted(p for p in course.folder("submitted").glob("*") if p.is_dir()):
        if student and student_dir.name != student:
            continue
        for folder in sorted(p for p in student_dir.glob("*") if p.is_dir()):
            if assignment_id and folder.name != assignment_id:
                continue
            if folder.name not in known:
                refused.append((folder.name, student_dir.name, f"no assignment {folder.name!r} in this course"))
                continue
            assignment = known[folder.name]
            notebook = folder / assignment.notebook_name
            try:
                if not notebook.is_file():
                    raise InvalidSubmission(f"no {assignment.notebook_name} in {folder}")
                parsed = parse_notebook(notebook.read_bytes(), notebook.name)
            except InvalidSubmission as error:
                refused.append((assignment.id, student_dir.name, str(error)))
                continue
            files = {assignment.notebook_name: nbformat.writes(parsed).encode()}
            jobs.append(GradingJob(assignment.id, student_dir.name, assignment.master.read_text(), files,
                                   assignment.datasets, config, hide))
    return jobs, refused


def feedback_page(course: Course, assignment: str, student: str) -> Path:
    return course.folder("feedback") / student / assignment / f"{assignment}.html"


def as_feedback_page(course: Course, assignment: str, student: str) -> None:
    """Our report, which holds nbgrader's feedback below its own, becomes the feedback page that
    `nbgrader release_feedback` hands to the learner (`generate_feedback --force` would restore
    nbgrader's own page)."""
    report = report_path(course.root, student, assignment)
    page = feedback_page(course, assignment, student)
    if report.is_file() and page.parent.is_dir():
        write_atomically(page, report.read_text())


def _write_report(root: Path, graded: GradedJob, result: SubmissionResult) -> None:
    """reports/<student>/<assignment>.html; a report that cannot be written costs no grade."""
    path = report_path(root, graded.job.student, graded.job.assignment_id)
    try:
        write_atomically(path, report_for(graded, result))
    except Exception as error:  # the grade is recorded; say which report is missing and why
        console.say(f"warning: no feedback report for {graded.job.student}/{graded.job.assignment_id}: "
                    f"{type(error).__name__}: {error}")


def grade_batch(root: Path, assignment_id: str | None = None, student: str | None = None, *,
                workers: int | None = None, scheduler: str | None = None, force: bool = False,
                progress: bool = True) -> BatchResult:
    """Grade submitted/ on Dask (a LocalCluster unless `scheduler` names a running one)."""
    # dask.distributed takes seconds to import: only for a batch, never for `autograder grade`.
    from dask.distributed import Client, LocalCluster, as_completed

    remove_abandoned()  # what a batch killed here before left, even if no job runs this time
    course = Course(root)
    jobs, refused = collect_jobs(course, assignment_id, student)
    ledger = Ledger(course.root)
    report = BatchResult(failed=list(refused))
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
        unisolated = 0
        try:
            futures = {
                client.submit(run_job, job, threads, retries=1, pure=False,
                              key=f"grade-{job.student}-{job.assignment_id}-{job.digest[:12]}"): job
                for job in todo
            }
            bar = tqdm(total=len(todo), unit="submission", disable=not progress, file=console.terminal())
            for done in as_completed(futures).batches():  # what finished meanwhile, recorded in one go
                unisolated += _record_finished(course, recorder, ledger, report, [(f, futures.pop(f)) for f in done])
                bar.update(len(done))
            bar.close()
            if unisolated:  # remote workers' own warnings stay in their logs
                console.say(f"warning: {unisolated} submission(s) were graded where the kernel could not run as its "
                            "own user (a worker without root): hiding the hidden checks from learner code was best "
                            "effort there. See the README's threat model.")
        finally:
            recorder.close()
            client.close()
            if cluster is not None:
                cluster.close()
    _finish(course, [(result.assignment, result.student) for result, _ in report.graded] + [
        done for done in report.skipped if not feedback_page(course, *done).is_file()])
    return report


def _record_finished(course: Course, recorder: Recorder, ledger: Ledger, report: BatchResult,
                     finished: list) -> int:
    """Records the finished (future, job) pairs; returns how many ran without a sandboxed kernel."""
    graded = []
    for future, job in finished:
        try:
            graded.append(future.result())
        except Exception as error:  # reported, and the batch goes on
            report.failed.append((job.assignment_id, job.student, f"{type(error).__name__}: {error}"))
        # Forgotten by the scheduler: a result held by a worker that dies later is not graded again.
        future.release()
    unisolated = 0
    for item, outcome in zip(graded, recorder.record_many(graded)):
        job = item.job
        if isinstance(outcome, Exception):
            report.failed.append((job.assignment_id, job.student, f"{type(outcome).__name__}: {outcome}"))
            continue
        _write_report(course.root, item, outcome)
        ledger.record(job)  # last: a batch killed before it grades the submission again
        report.graded.append((outcome, item.seconds))
        unisolated += not item.isolated
    return unisolated


def _finish(course: Course, recorded: list[tuple[str, str]]) -> None:
    """Feedback pages and grades.csv for what was recorded, here or by a batch killed before it
    wrote them."""
    for assignment in sorted({assignment for assignment, _ in recorded}):
        course.feedback(assignment)
    for assignment, student in recorded:
        as_feedback_page(course, assignment, student)
    if recorded or not (course.root / "grades.csv").is_file():
        course.export_csv(course.root / "grades.csv")
