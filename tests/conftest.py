"""Shared fixtures: the data mirror, and the demo course graded once per run.

Training is the expensive part, so every reference solution is trained exactly once: the
session's demo course grades all masters (learner `reference`) and all starters (learner
`blank`) through real nbgrader, and tests read its gradebook, feedback and CSV.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = [sys.executable, "-m", "autograder.cli"]

# CI points this at ../shared/data; a developer without it downloads from the official addresses.
if "AUTOGRADER_DATA_MIRROR" not in os.environ and (ROOT.parent / "shared" / "data").is_dir():
    os.environ["AUTOGRADER_DATA_MIRROR"] = str(ROOT.parent / "shared" / "data")
# A mirror with only the reduced horse-or-human copy: the tests grade on that stand-in.
_mirror = Path(os.environ.get("AUTOGRADER_DATA_MIRROR", "/nonexistent"))
if (_mirror / "horse-or-human-reduced").is_dir() and not (_mirror / "horse-or-human.zip").is_file():
    os.environ.setdefault("AUTOGRADER_ALLOW_REDUCED", "1")


def run_autograder(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The real command line, in a child process (TensorFlow stays out of the test process)."""
    return subprocess.run(
        [*AUTOGRADER, *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=3600,
    )


@pytest.fixture(scope="session")
def demo_course(tmp_path_factory) -> Path:
    """`autograder demo`: every master and every starter autograded once, as two learners."""
    folder = tmp_path_factory.mktemp("demo") / "course"
    done = run_autograder("demo", "--dir", str(folder))
    assert done.returncode == 0, f"autograder demo failed:\n{done.stdout}\n{done.stderr}"
    return folder


@pytest.fixture(scope="session")
def demo_results(demo_course):
    """{(assignment, learner): SubmissionResult} read back from the demo's gradebook."""
    from autograder.batch import submissions
    from autograder.grading import Course

    course = Course(demo_course)
    return {(a, s): course.result(a, s) for a, s in submissions(course)}


@pytest.fixture
def check():
    """Run one hidden check on a namespace as the grading kernel would; return its failure message or None."""
    from autograder.checks import CheckFailed, run_check

    def run(assignment_id: str, test_name: str, namespace: dict) -> str | None:
        try:
            run_check(assignment_id, test_name, namespace)
        except CheckFailed as failure:
            return str(failure)
        return None

    return run


def recorded(history, model=None, steps: int = 10):
    """Make a hand-built History look like the record of the fit that trained `model`.

    The checks confirm that a model's optimizer made `epochs x steps` steps (a made-up History
    does not); tests of the other rules need histories that pass that first.
    """
    import tensorflow as tf

    if model is None:
        model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
    if getattr(model, "optimizer", None) is None:
        model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_variables)
    model.optimizer.iterations.assign(len(history.epoch) * steps)
    history.params = {"verbose": 0, "epochs": len(history.epoch), "steps": steps}
    history.set_model(model)
    return history
