"""Hidden checks run directly: `pytest <check module> --submission NOTEBOOK`."""
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # runs a notebook, training included

W1 = "c1w1-housing-prices"

WRONG_CELLS = {
    # Two units, and training cut short so this test stays fast.
    "define_and_compile_model": """
def define_and_compile_model():
    model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(units=2)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    return model
""",
    "train_model": """
def train_model():
    n_bedrooms, price = create_training_data()
    model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(units=1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    model.fit(n_bedrooms, price, epochs=3, verbose=0)
    return model
""",
}


def test_direct_run_reports_each_check(tmp_path):
    notebook = nbformat.read(ROOT / "solutions" / W1 / f"{W1}.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in WRONG_CELLS:
            cell.source = WRONG_CELLS[grade_id]
    submission = tmp_path / "submission.ipynb"
    nbformat.write(notebook, submission)

    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "autograder" / "checks" / "hidden" / "c1w1_housing_prices.py"),
         "--submission", str(submission), "-p", "no:cacheprovider", "-rA", "--assert=plain"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    for passed in ("test_create_training_data", "test_define_and_compile_model_compile"):
        assert re.search(rf"PASSED \S*::{passed}\b", out), out
    assert "The Dense layer should have 1 unit (one neuron), got 2." in out
    assert "The model made 3 training steps" in out


def test_without_a_submission_checks_are_skipped_with_a_reason(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "autograder" / "checks" / "hidden" / "c1w1_housing_prices.py"),
         "-p", "no:cacheprovider", "-rs"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout
    assert "pass --submission NOTEBOOK" in done.stdout
