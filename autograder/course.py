"""Where the course lives and which assignments it has.

An assignment is a folder `solutions/<id>/` holding the master notebook `<id>.ipynb`;
its notebook metadata `autograder.data` lists the data sets it reads from `data/`.
Adding a week means adding such a folder and a check module `autograder/checks/<id>.py`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

SOURCE_DIR = "solutions"
RELEASE_DIR = "assignments"


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
    candidates += [cwd, *cwd.parents, Path(__file__).resolve().parent.parent]
    for path in candidates:
        if (path / "nbgrader_config.py").is_file() and (path / SOURCE_DIR).is_dir():
            return path.resolve()
    raise CourseError(
        "No course folder found: run this inside the project checkout (the folder with "
        "nbgrader_config.py and solutions/), or set AUTOGRADER_COURSE_ROOT to it."
    )


@dataclass(frozen=True)
class Assignment:
    id: str
    master: Path  # solutions/<id>/<id>.ipynb
    datasets: tuple[str, ...]

    @property
    def notebook_name(self) -> str:
        return self.master.name

    @property
    def check_module(self) -> str:
        return "autograder.checks." + self.id.replace("-", "_")


def assignments(root: Path | None = None) -> dict[str, Assignment]:
    root = root or course_root()
    found = {}
    for folder in sorted((root / SOURCE_DIR).iterdir()):
        master = folder / f"{folder.name}.ipynb"
        if not master.is_file():
            continue
        meta = nbformat.read(master, as_version=4).metadata.get("autograder", {})
        found[folder.name] = Assignment(folder.name, master, tuple(meta.get("data", ())))
    return found


def assignment(assignment_id: str, root: Path | None = None) -> Assignment:
    known = assignments(root)
    if assignment_id not in known:
        raise CourseError(
            f"Unknown assignment {assignment_id!r}. Known assignments: {', '.join(known)}."
        )
    return known[assignment_id]
