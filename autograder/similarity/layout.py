"""The course layout this package reads: the one place it imports from the rest of `autograder`."""
from __future__ import annotations

from pathlib import Path

from autograder.course import RELEASE_DIR, SIMILARITY_DIR, CourseError, assignments, course_root
from autograder.intake.notebook import SAVE_AGAIN, InvalidSubmission, parse_notebook

__all__ = ["CourseError", "InvalidSubmission", "SAVE_AGAIN", "SIMILARITY_DIR", "assignments", "course_root", "parse_notebook",
           "starter_notebook", "submitted_notebooks", "assignments_submitted"]

SUBMITTED_DIR = "submitted"  # nbgrader: submitted/<learner>/<assignment>/<assignment>.ipynb


def starter_notebook(root: Path, assignment_id: str) -> Path:
    """The notebook handed to learners: its solution cells are the boilerplate."""
    path = root / RELEASE_DIR / assignment_id / f"{assignment_id}.ipynb"
    if not path.is_file():
        raise CourseError(f"No starter notebook {path}: run `autograder release {assignment_id}` first.")
    return path


def submitted_notebooks(root: Path, assignment_id: str) -> dict[str, Path]:
    """learner -> the notebook path nbgrader expects (it may be missing or broken)."""
    folders = sorted((root / SUBMITTED_DIR).glob(f"*/{assignment_id}"))
    return {folder.parent.name: folder / f"{assignment_id}.ipynb" for folder in folders if folder.is_dir()}


def assignments_submitted(root: Path) -> list[str]:
    """Known assignments with at least one submission folder."""
    return [a for a in assignments(root) if submitted_notebooks(root, a)]
