"""`autograder release`: starters come from the masters, and a stale starter is caught."""
import shutil

import nbformat
import pytest

from conftest import ROOT, run_autograder

pytestmark = pytest.mark.slow  # runs nbgrader generate_assignment


def copy_course(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", course / "solutions", ignore=shutil.ignore_patterns("data"))
    shutil.copytree(ROOT / "assignments", course / "assignments", ignore=shutil.ignore_patterns("data"))
    shutil.copy(ROOT / "nbgrader_config.py", course)
    return course


def test_check_catches_an_edited_master_until_released(tmp_path):
    course = copy_course(tmp_path)
    env = {"AUTOGRADER_COURSE_ROOT": str(course)}
    master = course / "solutions" / "c1w1-housing-prices" / "c1w1-housing-prices.ipynb"
    notebook = nbformat.read(master, as_version=4)
    notebook.cells[0].source += "\n\nA sentence the instructor added."
    nbformat.write(notebook, master)

    done = run_autograder("release", "--check", env=env)
    assert done.returncode == 1
    assert "c1w1-housing-prices" in done.stderr and "autograder release" in done.stderr

    assert run_autograder("release", "c1w1-housing-prices", env=env).returncode == 0
    starter = (course / "assignments" / "c1w1-housing-prices" / "c1w1-housing-prices.ipynb").read_text()
    assert "A sentence the instructor added." in starter
    assert run_autograder("release", "--check", env=env).returncode == 0


def test_check_catches_a_missing_starter(tmp_path):
    course = copy_course(tmp_path)
    shutil.rmtree(course / "assignments" / "c1w2-mnist-callback")
    done = run_autograder("release", "--check", env={"AUTOGRADER_COURSE_ROOT": str(course)})
    assert done.returncode == 1 and "c1w2-mnist-callback" in done.stderr
