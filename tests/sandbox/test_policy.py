"""The one list of what a grading kernel may not read (autograder.sandbox.policy)."""
from pathlib import Path

from autograder.course import CHECKOUT_DIR, CHECKS_DIR
from autograder.sandbox.policy import COURSE_PATHS, hidden_paths


def test_the_hidden_checks_and_the_checkouts_masters_are_always_hidden():
    hidden = hidden_paths()
    assert str(CHECKS_DIR) in hidden, "one cover hides every check module and its compiled copies"
    assert str(CHECKOUT_DIR / "solutions") in hidden and str(CHECKOUT_DIR / "tests") in hidden
    assert str(CHECKS_DIR.parent / "__init__.py") not in hidden, "run_check itself stays importable"


def test_a_courses_work_and_grades_are_hidden(tmp_path):
    names = ("solutions", "submitted", "autograded", "feedback", "reports", ".autograder", "similarity",
             "gradebook.db", "grades.csv", "canvas_grades.csv")
    for name in names:
        (tmp_path / name).mkdir() if "." not in name or name.startswith(".") else (tmp_path / name).write_text("")
    hidden = hidden_paths(tmp_path)
    for name in names:
        assert str(tmp_path / name) in hidden, f"{name} holds other learners' work or grades"
    assert str(tmp_path / "downloaded") not in hidden, "only what exists is covered"
    assert set(COURSE_PATHS) >= {"submitted", "gradebook.db", "grades.csv"}


def test_every_hidden_check_module_lies_in_the_hidden_folder():
    modules = sorted(p.name for p in CHECKS_DIR.glob("*.py"))
    assert "c1w2_mnist_callback.py" in modules and "_answers.py" in modules
    assert not [p for p in (CHECKS_DIR.parent).glob("*.py") if p.name != "__init__.py"], (
        "a check module outside checks/hidden/ would be readable by the kernel")
    assert Path(hidden_paths()[0]).is_absolute()
