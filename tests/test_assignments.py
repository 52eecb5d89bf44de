"""Every assignment, end to end through real nbgrader: solutions earn full marks, starters zero."""
import csv
import importlib
import json
import os
from pathlib import Path

import nbformat
import pytest

from autograder import course as course_layout
from conftest import ROOT, run_autograder

ASSIGNMENTS = sorted(course_layout.assignments(ROOT))


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solution_earns_full_marks(demo_results, assignment_id):
    result = demo_results[(assignment_id, "reference")]
    failures = {t.grade_id: t.message for t in result.tests if not t.passed}
    assert result.max_score > 0
    assert result.score == result.max_score, f"reference solution lost points: {failures}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_starter_earns_zero_and_says_why(demo_results, assignment_id):
    result = demo_results[(assignment_id, "blank")]
    assert result.score == 0, [t for t in result.tests if t.passed]
    assert all(t.message for t in result.tests), "every failed test should tell the learner why"


def test_demo_prints_only_its_own_lines(demo_run):
    """nbgrader's and SQLAlchemy's warnings, TensorFlow's logs and Dask's noise go to the log file."""
    folder, done = demo_run
    output = done.stdout + done.stderr
    assert "Warning" not in output and "Traceback" not in output and "I0000" not in output, output
    assert "graded 18, unchanged 0, failed 0" in done.stdout
    log = Path(output.split("log: ")[-1].strip())
    assert log.is_file() and log.parent == folder.parent / "logs"


def test_demo_writes_gradebook_feedback_and_csv(demo_course, demo_results):
    feedback = sorted(p.relative_to(demo_course / "feedback") for p in (demo_course / "feedback").rglob("*.html"))
    expected = sorted(
        (demo_course / "feedback" / learner / a / f"{a}.html").relative_to(demo_course / "feedback")
        for a in ASSIGNMENTS for learner in ("reference", "blank")
    )
    assert feedback == expected
    with open(demo_course / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores = {(row["assignment"], row["student_id"]): float(row["score"]) for row in rows}
    for (assignment_id, learner), result in demo_results.items():
        assert scores[(assignment_id, learner)] == result.score


@pytest.mark.slow
def test_released_starters_are_up_to_date():
    done = run_autograder("release", "--check")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_starter_reveals_no_solution_or_hidden_check(assignment_id):
    master = nbformat.read(ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    starter_path = ROOT / "assignments" / assignment_id / f"{assignment_id}.ipynb"
    text = starter_path.read_text()
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "run_check"):
        assert marker not in text, f"{starter_path} contains {marker!r}"
    starter_cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nbformat.reads(text, as_version=4).cells}
    for cell in master.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            solution = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].strip()
            assert solution and solution not in starter_cells[meta["grade_id"]].source


def test_check_modules_match_test_cells():
    """A test cell's grade_id names the pytest check it runs (tools rely on these names)."""
    for assignment in course_layout.assignments(ROOT).values():
        master = nbformat.read(assignment.master, as_version=4)
        module = importlib.import_module(f"autograder.checks.hidden.{assignment.id.replace('-', '_')}")
        graded_names = {c.metadata["nbgrader"]["grade_id"] for c in master.cells
                        if c.metadata.get("nbgrader", {}).get("solution")}
        for cell in master.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                grade_id = meta["grade_id"]
                assert grade_id.startswith("test_"), grade_id
                assert any(grade_id == f"test_{n}" or grade_id.startswith(f"test_{n}_") for n in graded_names) \
                    or grade_id.startswith("test_training"), f"{grade_id} names no graded cell"
                assert f'run_check("{assignment.id}", "{grade_id}", globals())' in cell.source
                assert callable(getattr(module, grade_id, None)), f"{assignment.id}: no check named {grade_id}"


def test_every_check_says_what_the_kernel_saves_for_it():
    """Checks run outside the kernel only: each one needs a VERIFY entry naming what to save."""
    from autograder.artifacts.spec import verify_spec

    for assignment in course_layout.assignments(ROOT).values():
        module = importlib.import_module(f"autograder.checks.hidden.{assignment.id.replace('-', '_')}")
        checks = {name for name in vars(module) if name.startswith("test_") and callable(getattr(module, name))}
        spec = verify_spec(assignment.id)
        assert set(spec) == checks, f"{assignment.id}: VERIFY and the module's checks differ"
        for test, names in spec.items():
            assert names, f"{assignment.id}: {test} saves nothing"
            assert set(names.values()) <= {"value", "call", "source", "callback", "images-function"}


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_masters_set_grading_limits(assignment_id):
    master = nbformat.read(ROOT / "solutions" / assignment_id / f"{assignment_id}.ipynb", as_version=4)
    limits = master.metadata["autograder"]["limits"]
    assert 0 < limits["cell_timeout"] <= limits["notebook_timeout"] and 0 < limits["memory_gib"] <= 3


@pytest.mark.slow
def test_horse_or_human_on_the_official_images(tmp_path):
    """Runs wherever the official images can be fetched; here, only a reduced copy is mirrored."""
    from autograder import data

    env = {"AUTOGRADER_CACHE_DIR": str(tmp_path / "cache"), "AUTOGRADER_ALLOW_REDUCED": "0"}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        data.fetch("horse-or-human", allow_reduced=False, progress=False)
    except data.DataError as error:
        pytest.skip(f"the official horse-or-human images are not available here: {str(error).splitlines()[0]}")
    finally:
        for key, value in saved.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    assignment = "c1w4-horse-or-human"
    done = run_autograder("grade", str(ROOT / "solutions" / assignment / f"{assignment}.ipynb"), "--json", env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["score"] == result["max_score"], result
