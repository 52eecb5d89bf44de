"""`autograder grade`: one notebook through nbgrader in a temporary course, as a learner or CI uses it."""
import json

import nbformat
import pytest

from conftest import ROOT, run_autograder

pytestmark = pytest.mark.slow  # grades notebooks through the command line

W1 = "c1w1-housing-prices"
W2 = "c1w2-mnist-callback"


def starter(assignment_id):
    return ROOT / "assignments" / assignment_id / f"{assignment_id}.ipynb"


def master(assignment_id):
    return ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb"


def grade_json(path, *extra, env=None):
    done = run_autograder("grade", str(path), "--json", *extra, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_json_shape_for_a_blank_starter():
    result = grade_json(starter(W1))
    assert set(result) == {"assignment", "score", "max_score", "tests"}
    assert result["assignment"] == W1 and result["score"] == 0 and result["max_score"] == 5
    for test in result["tests"]:
        assert set(test) == {"grade_id", "points", "max_points", "passed", "message"}
        assert test["passed"] is False and test["points"] == 0
    first = result["tests"][0]
    assert first["grade_id"] == "test_create_training_data"
    assert "NotImplementedError" in first["message"]


def test_a_raising_cell_costs_only_the_parts_that_need_it(tmp_path):
    """W2 with the model done but the callback and training left as stubs: the model's points stay."""
    submission = nbformat.read(master(W2), as_version=4)
    stubs = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nbformat.read(starter(W2), as_version=4).cells
             if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in submission.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in ("EarlyStoppingCallback", "train_mnist"):
            cell.source = stubs[grade_id]
    path = tmp_path / "my-week-2.ipynb"
    nbformat.write(submission, path)
    result = grade_json(path)  # the assignment comes from the notebook's metadata
    passed = {t["grade_id"] for t in result["tests"] if t["passed"]}
    assert passed == {
        "test_create_and_compile_model_output_shape",
        "test_create_and_compile_model_compile",
        "test_create_and_compile_model_parameter_budget",
    }
    assert result["score"] == 3
    messages = {t["grade_id"]: t["message"] for t in result["tests"]}
    assert "not implemented yet" in messages["test_EarlyStoppingCallback_stops_at_threshold"]
    assert "history" in messages["test_train_mnist_stops_early"]


def test_feedback_html_is_written(tmp_path):
    out = tmp_path / "feedback.html"
    done = run_autograder("grade", str(starter(W1)), "--feedback", str(out))
    assert done.returncode == 0, done.stderr
    assert "test_create_training_data" in done.stdout
    assert out.is_file() and "<html" in out.read_text().lower()


@pytest.mark.parametrize(
    "content, expected",
    [
        ("this is not json", "not a valid Jupyter notebook"),
        ('{"cells": "nope"}', "not a valid Jupyter notebook"),
    ],
)
def test_a_file_that_is_not_a_notebook_is_refused(tmp_path, content, expected):
    path = tmp_path / f"{W1}.ipynb"
    path.write_text(content)
    done = run_autograder("grade", str(path))
    assert done.returncode == 2
    assert expected in done.stderr and str(path) in done.stderr


def test_missing_file_and_unknown_assignment(tmp_path):
    done = run_autograder("grade", str(tmp_path / "nowhere.ipynb"))
    assert done.returncode == 2 and "no such file" in done.stderr
    path = tmp_path / "homework.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), path)
    done = run_autograder("grade", str(path))
    assert done.returncode == 2
    assert "--assignment" in done.stderr and W1 in done.stderr


def test_missing_data_is_a_clear_error(tmp_path):
    empty_mirror = tmp_path / "mirror"
    empty_mirror.mkdir()
    env = {"AUTOGRADER_DATA_MIRROR": str(empty_mirror), "AUTOGRADER_CACHE_DIR": str(tmp_path / "cache")}
    done = run_autograder("grade", str(starter(W2)), env=env)
    assert done.returncode == 2
    for expected in ("mnist.npz", "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
                     "AUTOGRADER_DATA_MIRROR"):
        assert expected in done.stderr
    assert not any((tmp_path / "cache").glob("mnist*")), "nothing half-written in the cache"


def test_a_kernel_that_died_on_its_own_gets_one_more_try(monkeypatch):
    from autograder.pipeline import jobs
    from autograder.sandbox.execute import UNEXPECTED_DEATH

    runs = []

    def run_once(job, threads):
        runs.append(job)
        text = f'{{"evalue": "{UNEXPECTED_DEATH} while running this cell"}}' if len(runs) == 1 else "{}"
        return jobs.GradedJob(job, {"nb.ipynb": text}, seconds=2.0)

    monkeypatch.setattr(jobs, "_run_job_once", run_once)
    graded = jobs.run_job("a job")
    assert len(runs) == 2 and graded.notebooks == {"nb.ipynb": "{}"} and graded.seconds == 4.0

    runs.clear()
    monkeypatch.setattr(jobs, "_run_job_once", lambda job, threads: runs.append(job) or jobs.GradedJob(
        job, {"nb.ipynb": '{"evalue": "This cell used more than the memory limit"}'}, seconds=1.0))
    jobs.run_job("a job")
    assert len(runs) == 1, "a grading limit is not retried: it would trip again"
