"""Batch grading on a real Dask LocalCluster: same gradebook as sequential nbgrader, nothing lost or doubled."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import psutil
import pytest

from conftest import ROOT, run_autograder
from notebooks import gradebook_rows

pytestmark = pytest.mark.slow  # grades batches on a Dask cluster

W1 = "c1w1-housing-prices"
SOLVED = {  # which graded cells each learner solved (no training finishes, so this stays fast)
    "ada": (), "ben": ("create_training_data",), "cem": ("create_training_data", "define_and_compile_model"),
    "dia": (), "eli": ("define_and_compile_model",), "fay": ("create_training_data",),
}


def make_course(folder):
    (folder / "solutions" / W1).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / W1 / f"{W1}.ipynb", folder / "solutions" / W1)
    shutil.copy(ROOT / "nbgrader_config.py", folder)
    master = nbformat.read(ROOT / "solutions" / W1 / f"{W1}.ipynb", as_version=4)
    starter = nbformat.read(ROOT / "assignments" / W1 / f"{W1}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in master.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    for learner, solved in SOLVED.items():
        notebook = nbformat.from_dict(starter)
        for cell in notebook.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solved:
                cell.source = re.sub(r"(?m)^\s*### (BEGIN|END) SOLUTION\n", "", solutions[grade_id])
        target = folder / "submitted" / learner / W1
        target.mkdir(parents=True)
        nbformat.write(notebook, target / f"{W1}.ipynb")
    return folder


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """The same six submissions graded on Dask (2 workers) and by sequential nbgrader autograde."""
    base = tmp_path_factory.mktemp("batch")
    parallel, sequential = make_course(base / "parallel"), make_course(base / "sequential")
    done = run_autograder("batch", "--course", str(parallel), "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    reference = run_autograder("batch", "--course", str(sequential), "--sequential")
    assert reference.returncode == 0, reference.stdout + reference.stderr
    return parallel, sequential, done


def test_dask_gradebook_equals_sequential_nbgrader(courses):
    parallel, sequential, _ = courses
    rows = gradebook_rows(parallel)
    assert len(rows) == 6 * (4 + 3)  # 4 graded tests and 3 solution cells each
    assert rows == gradebook_rows(sequential)
    scores = {}
    for student, _, name, score, _ in rows:
        if name.startswith("test_"):
            scores[student] = scores.get(student, 0) + score
    assert scores == {"ada": 0, "ben": 1, "cem": 3, "dia": 0, "eli": 2, "fay": 1}


def test_batch_writes_feedback_csv_and_a_summary(courses):
    parallel, _, done = courses
    assert len(list((parallel / "feedback").rglob("*.html"))) == 6
    csv = (parallel / "grades.csv").read_text().splitlines()
    assert len(csv) == 7 and csv[0].startswith("assignment,")
    assert "graded 6, unchanged 0, failed 0" in done.stdout
    assert "seconds" in done.stdout and "100%" in done.stderr  # per-submission times and progress bar


def test_rerun_grades_only_what_changed(courses):
    parallel, _, _ = courses
    page, report = parallel / "feedback" / "ada" / W1 / f"{W1}.html", parallel / "reports" / "ada" / f"{W1}.html"
    page.unlink()  # as a batch killed right after its last record leaves them
    (parallel / "grades.csv").unlink()
    again = run_autograder("batch", "--course", str(parallel), "--workers", "1")
    assert "graded 0, unchanged 6" in again.stdout, again.stdout + again.stderr
    assert page.read_text() == report.read_text() and (parallel / "grades.csv").is_file()
    notebook = parallel / "submitted" / "ada" / W1 / f"{W1}.ipynb"
    notebook.write_text(notebook.read_text().replace("raise NotImplementedError()", "raise NotImplementedError('todo')", 1))
    changed = run_autograder("batch", "--course", str(parallel), "--workers", "1")
    assert "graded 1, unchanged 5" in changed.stdout, changed.stdout + changed.stderr
    forced = run_autograder("batch", "--course", str(parallel), "--workers", "1", "--student", "ben", "--force")
    assert "graded 1, unchanged 0" in forced.stdout, forced.stdout + forced.stderr
    assert len(gradebook_rows(parallel)) == 6 * 7


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(tmp_path):
    course = make_course(tmp_path / "course")
    batch = subprocess.Popen(
        [sys.executable, "-m", "autograder.cli", "batch", "--course", str(course), "--workers", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    killed = None
    deadline = time.monotonic() + 300
    while killed is None and time.monotonic() < deadline and batch.poll() is None:
        for process in psutil.Process(batch.pid).children(recursive=True):
            try:  # a worker busy grading: it has a kernel running below it
                busy = any("ipykernel" in " ".join(c.cmdline()) for c in process.children())
                if busy and "ipykernel" not in " ".join(process.cmdline()):
                    os.kill(process.pid, signal.SIGKILL)
                    killed = process.pid
                    break
            except psutil.Error:
                continue
        time.sleep(0.2)
    out, err = batch.communicate(timeout=1200)
    assert killed, "no busy worker was found to kill"
    assert batch.returncode == 0, out + err
    assert "graded 6, unchanged 0, failed 0" in out, out + err
    rows = gradebook_rows(course)
    assert len(rows) == 6 * 7 and len({(r[0], r[2]) for r in rows}) == 6 * 7
