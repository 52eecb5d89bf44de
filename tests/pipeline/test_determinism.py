"""The same submission graded twice: the same score and, on the CPU, the same per-epoch accuracies."""

import nbformat
import pytest

from autograder import course as course_layout
from autograder.pipeline.jobs import GradingJob, run_job
from notebooks import ROOT, W2, W2_SMALL_FIT, cell, master, plain

pytestmark = pytest.mark.slow  # trains W2 twice


def test_grading_twice_gives_identical_training(tmp_path):
    notebook = master(W2)
    for c in notebook.cells:
        c.source = plain(c.source)
    cell(notebook, "train_mnist").source = W2_SMALL_FIT  # a short real training run
    assignment = course_layout.assignment(W2, ROOT)
    job = GradingJob(W2, "twice", assignment.master.read_text(), {f"{W2}.ipynb": nbformat.writes(notebook).encode()},
                     assignment.datasets, (ROOT / "nbgrader_config.py").read_text())
    first, second = run_job(job), run_job(job)
    histories = [graded.artifacts["history"]["history"] for graded in (first, second)]
    assert len(histories[0]["accuracy"]) >= 2
    assert histories[0] == histories[1]
    outputs = [[c.get("outputs") for c in nbformat.reads(g.notebooks[f"{W2}.ipynb"], as_version=4).cells
                if c.metadata.get("nbgrader", {}).get("grade")] for g in (first, second)]
    errors = [[[o.get("ename") for o in cell_outputs if o.get("output_type") == "error"] for cell_outputs in run]
              for run in outputs]
    assert errors[0] == errors[1], "the same parts pass and fail"
