"""More than one machine: `autograder batch --scheduler` on a real Dask cluster of separate processes.

A `dask scheduler` and two `dask worker` processes (one thread each, TCP on 127.0.0.1, this
environment's Python) stand in for a cluster; the grader is a third process that only connects to
it. Three learners hand in the week 1 quiz, one with a wrong answer: the gradebook and grades.csv
must be those a local run writes. The test stops exactly the processes it started and checks that
none of them, nor anything they started, is left.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import ROOT, run_autograder

pytestmark = pytest.mark.slow  # starts a Dask cluster and grades on it

QUIZ = "c1w1-quiz"
DASK = str(Path(sys.executable).parent / "dask")
LEARNERS = {"ana": {}, "ben": {"q3_answer": '"B"'}, "cem": {}}  # ben's answer to question 3 is wrong


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def quiz_answers(**wrong: str) -> dict[str, str]:
    key = {}
    for cell in nbformat.read(ROOT / "solutions" / QUIZ / f"{QUIZ}.ipynb", as_version=4).cells:
        found = re.search(r"### BEGIN SOLUTION\n(q\d+_answer) = (.+)\n", cell.source)
        if found:
            key[found.group(1)] = found.group(2)
    assert len(key) == 8 and set(wrong) <= set(key)
    return {**key, **wrong}


def make_course(folder: Path) -> Path:
    """nbgrader_config.py + solutions/c1w1-quiz + submitted/<learner>/c1w1-quiz/c1w1-quiz.ipynb."""
    (folder / "solutions" / QUIZ).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / QUIZ / f"{QUIZ}.ipynb", folder / "solutions" / QUIZ)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    starter = nbformat.read(ROOT / "assignments" / QUIZ / f"{QUIZ}.ipynb", as_version=4)
    for learner, wrong in LEARNERS.items():
        answers = quiz_answers(**wrong)
        notebook = nbformat.from_dict(starter)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = re.sub(rf"{grade_id} = None\n# YOUR CODE HERE\nraise NotImplementedError\(\)",
                                     f"{grade_id} = {answers[grade_id]}", cell.source)
                assert f"{grade_id} = {answers[grade_id]}" in cell.source
        target = folder / "submitted" / learner / QUIZ
        target.mkdir(parents=True)
        nbformat.write(notebook, target / f"{QUIZ}.ipynb")
    return folder


def gradebook_rows(folder: Path) -> list[tuple]:
    """Every grade and comment nbgrader recorded, read through its own API."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            for submission in student.submissions:
                for notebook in submission.notebooks:
                    rows += [(student.id, submission.name, g.name, g.auto_score, g.manual_score, g.needs_manual_grade)
                             for g in notebook.grades]
                    rows += [(student.id, submission.name, c.name, c.auto_comment, c.manual_comment, None)
                             for c in notebook.comments]
    return sorted(rows, key=repr)


def csv_rows(folder: Path) -> tuple[str, list[str]]:
    """grades.csv as (header, sorted rows): nbgrader lists learners without names in the order the
    gradebook got them, which on a cluster is the order in which their grading finished."""
    header, *rows = (folder / "grades.csv").read_text().splitlines()
    return header, sorted(rows)


class Cluster:
    """A scheduler and workers, each a process this test started; stop() ends exactly those."""

    def __init__(self, folder: Path, worker_env: dict[str, str] | None = None):
        self.folder = folder
        self.worker_env = worker_env or {}
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []
        self.seen: dict[int, psutil.Process] = {}  # every process they started, as last seen

    def _start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        with open(self.folder / f"{name}.log", "w") as log:  # the process keeps its own copy
            process = subprocess.Popen([DASK, *args], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                       env={**os.environ, **(env or {})})
        self.processes.append(process)
        return process

    def start(self, workers: int = 2) -> None:
        self._start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard")
        for number in range(workers):
            # Each worker as on a machine of its own: its own cache (released-course templates, data).
            env = {"AUTOGRADER_CACHE_DIR": str(self.folder / f"cache-{number}"), **self.worker_env}
            self._start(f"worker-{number}", "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                        "--name", f"worker-{number}", "--memory-limit", "0",
                        "--local-directory", str(self.folder / f"worker-{number}"), env=env)

    def wait_for_workers(self, count: int) -> None:
        from dask.distributed import Client

        try:
            with Client(self.address, timeout="60s") as client:
                client.wait_for_workers(count, timeout=180)
                assert len(client.scheduler_info()["workers"]) == count
        except (OSError, TimeoutError, AssertionError) as error:
            pytest.fail(f"the cluster did not come up: {error}\n{self.log()}")

    def log(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in sorted(self.folder.glob("*.log")))

    def remember_children(self) -> None:
        for process in self.processes:
            try:
                for child in psutil.Process(process.pid).children(recursive=True):
                    self.seen.setdefault(child.pid, child)
            except psutil.NoSuchProcess:
                pass

    def stop(self) -> list[str]:
        """SIGTERM each started process (workers first), SIGKILL what outlives 30 s; returns
        the processes (started or started by them) still running afterwards."""
        self.remember_children()
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in reversed(self.processes):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
        _, alive = psutil.wait_procs(list(self.seen.values()), timeout=20)
        left = [_describe(p) for p in alive if _running(p)]
        for stray in alive:  # started by our processes: ours to end, by pid
            try:
                stray.kill()
            except psutil.NoSuchProcess:
                pass
        return left


def _describe(process: psutil.Process) -> str:
    try:
        return f"{process.pid} {' '.join(process.cmdline())}"
    except psutil.Error:
        return str(process.pid)


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture
def start_cluster(tmp_path):
    """start_cluster(workers, worker_env) -> a running Cluster; stopped after the test, failed or not."""
    started = []

    def start(workers: int = 2, worker_env: dict[str, str] | None = None) -> Cluster:
        cluster = Cluster(tmp_path / f"cluster-{len(started)}", worker_env)
        cluster.folder.mkdir()
        started.append(cluster)
        cluster.start(workers)
        cluster.wait_for_workers(workers)
        return cluster

    yield start
    for cluster in started:
        cluster.stop()  # the tests check themselves what a clean stop leaves


def test_a_real_dask_cluster_grades_like_a_local_run(start_cluster, tmp_path):
    from dask.distributed import Client

    remote, local = make_course(tmp_path / "remote"), make_course(tmp_path / "local")
    cluster = start_cluster(workers=2)
    done = run_autograder("batch", "--course", str(remote), "--scheduler", cluster.address)
    assert done.returncode == 0, done.stdout + done.stderr + cluster.log()
    assert "graded 3, unchanged 0, failed 0" in done.stdout, done.stdout + done.stderr

    with Client(cluster.address, timeout="60s") as client:  # the work was done by our two workers
        executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert len(executed) == 2 and sum(executed.values()) >= 3, executed
    cluster.remember_children()

    reference = run_autograder("batch", "--course", str(local), "--sequential")
    assert reference.returncode == 0, reference.stdout + reference.stderr

    rows = gradebook_rows(remote)
    assert len(rows) == 3 * (8 + 8)  # 8 graded test cells and 8 answer cells each
    assert rows == gradebook_rows(local)
    assert csv_rows(remote) == csv_rows(local)
    scores = {}
    for student, _, name, score, *_ in rows:
        if name.startswith("test_"):
            scores[student] = scores.get(student, 0) + score
    assert scores == {"ana": 8, "ben": 7, "cem": 8}
    for learner in LEARNERS:
        assert (remote / "feedback" / learner / QUIZ / f"{QUIZ}.html").is_file()
        assert (remote / "reports" / learner / f"{QUIZ}.html").is_file()

    left = cluster.stop()
    assert all(process.poll() is not None for process in cluster.processes)
    assert not left, f"still running after the cluster was stopped: {left}"


def test_workers_need_not_activate_their_environment(start_cluster, tmp_path):
    scripts = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != scripts)
    cluster = start_cluster(workers=1, worker_env={"PATH": path})
    course = make_course(tmp_path / "course")
    done = run_autograder("batch", "--course", str(course), "--scheduler", cluster.address, "--student", "ben")
    assert done.returncode == 0 and "graded 1, unchanged 0, failed 0" in done.stdout, (
        done.stdout + done.stderr[-3000:])
    assert not cluster.stop()


def test_the_course_late_penalty_plugin_need_not_be_on_the_workers(start_cluster, tmp_path):
    cluster = start_cluster(workers=1)
    course = make_course(tmp_path / "course")
    shutil.copy(ROOT / "tests" / "files" / "exchange" / "late_penalty.py", course)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write('\nc.AssignLatePenalties.plugin_class = "late_penalty.OnePointPenalty"\n')
    # Run in the course folder, as nbgrader finds the plugin: the grader imports it, the worker cannot.
    done = run_autograder("batch", "--course", str(course), "--scheduler", cluster.address, "--student", "ben",
                          cwd=course)
    assert done.returncode == 0 and "graded 1, unchanged 0, failed 0" in done.stdout, (
        done.stdout + done.stderr[-3000:])
    assert not cluster.stop()
