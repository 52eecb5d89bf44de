"""One submission graded anywhere: a `GradingJob` (plain data, so it travels to Dask workers)
becomes a `GradedJob` (executed notebooks and records, not a grade) in a throw-away course.

This is where learner code runs. Nothing it can reach decides the grade: the caller records
the returned notebooks through a `Recorder` into a gradebook the kernel never saw.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from nbgrader.preprocessors import AssignLatePenalties

from autograder import scratch, timing
from autograder.artifacts import ARTIFACTS_DIR
from autograder.checking.server import prewarm
from autograder.course import CONFIG_FILE, load_config, master_limits
from autograder.data import cache_dir
from autograder.environment import find_scripts
from autograder.pipeline.course_folder import Course
from autograder.pipeline.steps import autograde_steps, is_step
from autograder.sandbox.accounts import close_to_other_kernels, job_uids
from autograder.sandbox.cleanup import reclaim_abandoned_uids
from autograder.sandbox.execute import UNEXPECTED_DEATH
from autograder.sandbox.kernel import KERNEL_FOLDER

JOB_FOLDER = "autograder-"  # a job's throw-away course, in the temporary folder
RECORD_FOLDER = "autograder-record-"  # `autograder grade`: the course it records in
TEMPLATE_STAGING = ".tmp-"  # a released course being built, beside the cache's finished ones


@dataclass(frozen=True)
class GradingJob:
    """Everything needed to grade one submission anywhere."""

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
    artifacts: dict[str, dict] = field(default_factory=dict)  # the kernel's records (autograder.artifacts)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase (autograder.timing)
    isolated: bool = True  # the kernel ran as its own unprivileged user (autograder.sandbox)


def run_job(job: GradingJob, threads: int | None = None) -> GradedJob:
    """Grade one submission; a kernel that died on its own (not by a grading limit) gets one
    more try, since the machine may have been short of memory rather than the code wrong.
    `threads`: the CPU threads TensorFlow may use in the kernel (a worker's share of the cores)."""
    graded = _run_job_once(job, threads)
    if any(UNEXPECTED_DEATH in text for text in graded.notebooks.values()):
        retried = _run_job_once(job, threads)
        retried.seconds += graded.seconds
        return retried
    return graded


def remove_abandoned() -> None:
    """What killed jobs on this machine left: their folders, and their kernels' uids."""
    for prefix in (JOB_FOLDER, KERNEL_FOLDER, RECORD_FOLDER, scratch.FILES):
        scratch.remove_abandoned(prefix)
    scratch.remove_abandoned(TEMPLATE_STAGING, cache_dir() / "courses")
    reclaim_abandoned_uids()


def _run_job_once(job: GradingJob, threads: int | None) -> GradedJob:
    """nbgrader autograde of one submission in a throw-away course folder with its own gradebook."""
    started = time.perf_counter()
    find_scripts()  # on a Dask worker started without its environment activated
    prewarm(job.assignment_id)  # the checks' imports overlap the release and the notebook's run
    remove_abandoned()
    with job_uids() as take_uid, scratch.folder(JOB_FOLDER) as tmp:
        work = Path(tmp)
        config = scratch_config(work, job.config)
        # Late penalties need the timestamp, which only the recording course has: the Recorder
        # applies them (and the course's plugin for them need not be on the worker).
        config.Autograde.autograde_preprocessors = [
            step for step in autograde_steps(config) if not is_step(step, AssignLatePenalties)]
        config.GuardedExecute.hidden_paths = list(job.hide)
        if threads:
            config.GuardedExecute.kernel_env = thread_env(threads)
        wanted = str(config.GuardedExecute.get("kernel_user", "auto")).strip().lower()
        uid = take_uid() if wanted == "auto" else None
        if uid is not None:
            close_to_other_kernels(work, uid)
            config.GuardedExecute.kernel_user = uid
        timing.take()  # what an earlier job in this process left
        with timing.phase("release"):
            course = released_course(work, config, job.assignment_id, job.master, job.config)
        with timing.phase("data"):
            course.place_data(job.assignment_id, job.datasets)  # after release: starters need no data
        course.submit_files(job.assignment_id, job.student, job.files)
        # Its gradebook is within the kernel's reach: unused.
        with timing.phase("autograde"):
            course.autograde(job.assignment_id, job.student, limits=master_limits(job.master))
        autograded = course.folder("autograded") / job.student / job.assignment_id
        notebooks = {path.name: path.read_text() for path in autograded.glob("*.ipynb")}
        artifacts = {path.stem: json.loads(path.read_text()) for path in (autograded / ARTIFACTS_DIR).glob("*.json")}
        return GradedJob(job, notebooks, time.perf_counter() - started, artifacts, timing.take(),
                         isolated=uid is not None)


def released_course(work: Path, config, assignment_id: str, master: str, config_text: str,
                    keep_master: bool = False) -> Course:
    """A course at `work` in which the assignment is released (starter and gradebook), copied from
    a template released once per master and configuration. Without `keep_master` the master is
    not there: a grading kernel must not find the solutions."""
    for entry in _template(assignment_id, master, config_text).iterdir():  # `work` itself keeps its owner and mode
        copy = shutil.copytree if entry.is_dir() else shutil.copy2
        copy(entry, work / entry.name)
    course = Course(work, config)
    if keep_master:
        course.add_master(assignment_id, master)
    return course


def _template(assignment_id: str, master: str, config_text: str) -> Path:
    """The cached released course (built once: `nbgrader generate_assignment` takes seconds)."""
    key = hashlib.sha256("\0".join((assignment_id, master, config_text, _versions())).encode()).hexdigest()[:24]
    folder = cache_dir() / "courses" / key
    if not (folder / "gradebook.db").is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        with scratch.folder(TEMPLATE_STAGING, folder.parent) as tmp:
            staging = Path(tmp) / "course"
            staging.mkdir()
            course = Course(staging, scratch_config(staging, config_text))
            master_path = course.add_master(assignment_id, master)
            course.release(assignment_id)
            master_path.unlink()
            (staging / CONFIG_FILE).unlink()  # each job writes its own
            try:
                os.rename(staging, folder)
            except OSError:  # another job built it meanwhile: keep theirs
                pass
    return folder


def _versions() -> str:
    return "/".join(version(package) for package in ("tf-intro-autograder", "nbgrader"))


def thread_env(threads: int) -> dict[str, str]:
    """What tells TensorFlow in the kernel how many cores it may use."""
    return {"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": str(threads)}


def scratch_config(work: Path, config_text: str):
    """The course's configuration for a throw-away course folder `work`, with its own gradebook."""
    (work / CONFIG_FILE).write_text(config_text)
    config = load_config(work)
    config.CourseDirectory.db_url = f"sqlite:///{work / 'gradebook.db'}"  # never a real gradebook
    return config
