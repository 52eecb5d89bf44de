"""Where everything is: the course folder, its assignments, their masters and check modules.

An assignment is a folder `solutions/<id>/` holding the master notebook `<id>.ipynb`; its
notebook metadata `autograder` says which data sets it reads (`data`) and its grading limits
(`limits`), parsed once here. Its hidden checks are `autograder/checks/hidden/<id>.py`.
Adding a week means adding such a folder and such a module.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

SOURCE_DIR = "solutions"
RELEASE_DIR = "assignments"
CONFIG_FILE = "nbgrader_config.py"
STATE_DIR = ".autograder"  # in a course folder: what the grader keeps (ledger, executed notebooks)
SIMILARITY_DIR = "similarity"  # in a course folder: `autograder similarity`'s reports (every learner's code)
CANVAS_FILE = "canvas_grades.csv"  # in a course folder: `autograder export --format canvas` (every grade)
PACKAGE_DIR = Path(__file__).resolve().parent
CHECKS_DIR = PACKAGE_DIR / "checks" / "hidden"  # covered in every grading kernel (autograder.sandbox.policy)
CHECKOUT_DIR = PACKAGE_DIR.parent  # the project checkout, for an editable install


class CourseError(Exception):
    """The course folder or an assignment is missing or malformed."""


def course_root() -> Path:
    """The folder with `nbgrader_config.py` and `solutions/`.

    `$AUTOGRADER_COURSE_ROOT`, else the current folder or one above it, else the checkout
    this package was installed from (editable install).
    """
    candidates = []
    if os.environ.get("AUTOGRADER_COURSE_ROOT"):
        candidates.append(Path(os.environ["AUTOGRADER_COURSE_ROOT"]))
    cwd = Path.cwd()
    candidates += [cwd, *cwd.parents, CHECKOUT_DIR]
    for path in candidates:
        if (path / CONFIG_FILE).is_file() and (path / SOURCE_DIR).is_dir():
            return path.resolve()
    raise CourseError(
        "No course folder found: run this inside the project checkout (the folder with "
        "nbgrader_config.py and solutions/), or set AUTOGRADER_COURSE_ROOT to it."
    )


def check_module_path(assignment_id: str) -> Path:
    """The hidden checks of an assignment (the file may not exist: an assignment without checks)."""
    return CHECKS_DIR / (assignment_id.replace("-", "_") + ".py")


@dataclass(frozen=True)
class Assignment:
    id: str
    master: Path  # solutions/<id>/<id>.ipynb
    datasets: tuple[str, ...]
    limits: dict = field(default_factory=dict, compare=False)  # cell_timeout, notebook_timeout, memory_gib

    @property
    def notebook_name(self) -> str:
        return self.master.name

    @property
    def check_module(self) -> Path:
        return check_module_path(self.id)

    @classmethod
    def from_master(cls, master: Path) -> "Assignment":
        meta = _metadata(master.read_text())
        return cls(master.parent.name, master, tuple(meta.get("data", ())), dict(meta.get("limits", {})))


def assignments(root: Path | None = None) -> dict[str, Assignment]:
    root = root or course_root()
    found = {}
    for folder in sorted((root / SOURCE_DIR).iterdir()):
        master = folder / f"{folder.name}.ipynb"
        if master.is_file():
            found[folder.name] = Assignment.from_master(master)
    return found


def assignment(assignment_id: str, root: Path | None = None) -> Assignment:
    known = assignments(root)
    if assignment_id not in known:
        raise CourseError(
            f"Unknown assignment {assignment_id!r}. Known assignments: {', '.join(known)}."
        )
    return known[assignment_id]


def master_limits(master_text: str) -> dict:
    """The grading limits a master notebook (as JSON text) sets in its metadata."""
    return dict(_metadata(master_text).get("limits", {}))


def _metadata(master_text: str) -> dict:
    """A master's `autograder` metadata, read as JSON: importing nbformat costs seconds, and the
    grading kernel reads the course layout too."""
    return json.loads(master_text).get("metadata", {}).get("autograder", {})


def load_config(root: Path, config_file: Path | None = None):
    """The course's nbgrader configuration, rooted at `root` (the project's own file when
    `root` has none)."""
    config_file = config_file or root / CONFIG_FILE
    if not config_file.is_file():
        config_file = course_root() / CONFIG_FILE
    config = PyFileConfigLoader(config_file.name, str(config_file.parent)).load_config()
    config.CourseDirectory.root = str(root)
    return config
