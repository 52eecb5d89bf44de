"""Shared fixtures: the data mirror, and the demo course graded once per run.

Training is the expensive part, so every reference solution is trained exactly once: the
session's demo course grades all masters (learner `reference`) and all starters (learner
`blank`) through real nbgrader, and tests read its gradebook, feedback and CSV.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = [sys.executable, "-m", "autograder.cli"]

# nbgrader runs `alembic` as a command when it creates a gradebook: this environment's scripts
# must be on PATH even when the environment was not activated (`.venv/bin/python -m pytest`).
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
# CI points this at ../shared/data; a developer without it downloads from the official addresses.
if "AUTOGRADER_DATA_MIRROR" not in os.environ and (ROOT.parent / "shared" / "data").is_dir():
    os.environ["AUTOGRADER_DATA_MIRROR"] = str(ROOT.parent / "shared" / "data")
# A mirror with only the reduced horse-or-human copy: the tests grade on that stand-in.
_mirror = Path(os.environ.get("AUTOGRADER_DATA_MIRROR", "/nonexistent"))
if (_mirror / "horse-or-human-reduced").is_dir() and not (_mirror / "horse-or-human.zip").is_file():
    os.environ.setdefault("AUTOGRADER_ALLOW_REDUCED", "1")


# Fixtures that grade notebooks or train: a test that asks for one is slow.
SLOW_FIXTURES = {"demo_run", "demo_course", "demo_results", "corpus", "courses", "week1", "graded_end_to_end"}


def pytest_collection_modifyitems(config, items):
    soak_chosen = "soak" in (config.option.markexpr or "")
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("soak") and not soak_chosen:  # hours at full size: only when asked for
            item.add_marker(pytest.mark.skip(reason="the soak test runs alone: pytest -m soak"))


def run_autograder(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The real command line, in a child process (TensorFlow stays out of the test process)."""
    return subprocess.run(
        [*AUTOGRADER, *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=3600,
    )


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`autograder demo` as a newcomer runs it: every master and every starter autograded once, as
    two learners, with no request for the reduced horse-or-human copy (the demo takes it itself
    where the mirror has only that)."""
    folder = tmp_path_factory.mktemp("demo") / "course"
    done = run_autograder("demo", "--dir", str(folder), env={"AUTOGRADER_ALLOW_REDUCED": ""})
    assert done.returncode == 0, f"autograder demo failed:\n{done.stdout}\n{done.stderr}"
    return folder, done


@pytest.fixture(scope="session")
def demo_course(demo_run) -> Path:
    return demo_run[0]


@pytest.fixture(scope="session")
def demo_results(demo_course):
    """{(assignment, learner): SubmissionResult} read back from the demo's gradebook."""
    from autograder.pipeline.course_grading import submissions
    from autograder.pipeline.course_folder import Course

    course = Course(demo_course)
    return {(a, s): course.result(a, s) for a, s in submissions(course)}


@pytest.fixture
def check(tmp_path):
    """Run one hidden check on a namespace; return its failure message or None.

    It runs twice, and both must agree: on the live objects (as `pytest --submission` does)
    and as grading does, on what the kernel would save of them (autograder.kernel.save).
    """
    from autograder.artifacts.spec import export_spec
    from autograder.checking.verify import verify
    from autograder.checks import CheckFailed, run_check
    from autograder.kernel.save import save

    def run(assignment_id: str, test_name: str, namespace: dict) -> str | None:
        try:
            run_check(assignment_id, test_name, namespace)
            live = None
        except CheckFailed as failure:
            live = str(failure)
        folder = tmp_path / f"saved-{test_name}-{len(list(tmp_path.iterdir()))}"
        spec = export_spec(assignment_id)
        save(namespace, spec["tests"][test_name], folder, spec["input_shape"])
        saved = verify(assignment_id, folder, [test_name])[test_name]
        # Shuffled datasets and generated layer names may change numbers in a message, no more.
        assert (saved is None) == (live is None) and _words(saved) == _words(live), (
            f"checked on the saved objects: {saved!r}\non the live ones: {live!r}")
        return live

    return run


def _words(message: str | None) -> str | None:
    if message is None:
        return None
    message = re.sub(r"['`][a-z_]+\d*['`]", "<name>", message)  # generated names: 'input_layer_3', 'keras_tensor'
    return re.sub(r"\d+(\.\d+)?", "#", message)


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
