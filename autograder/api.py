"""The package's facade: what the command line (and a Python user) can ask of it."""
from __future__ import annotations

from pathlib import Path

from autograder import data
from autograder.course import RELEASE_DIR, SOURCE_DIR, assignments, course_root
from autograder.pipeline.batch import BatchResult
from autograder.pipeline.course_grading import grade_course
from autograder.pipeline.demo import demo, prepare_demo_data
from autograder.pipeline.demo import left_out as demo_left_out
from autograder.pipeline.grade import grade_notebook
from autograder.pipeline.release import release, stale

__all__ = ["BatchResult", "fetch_data", "grade_course", "grade_notebook", "demo", "demo_left_out", "prepare_demo_data",
           "release", "stale"]


def fetch_data(names: list[str] | None = None, mirror: str | None = None,
               reduced: bool | None = None) -> list[tuple[str, Path, list[Path]]]:
    """Fetch the data sets the assignments read (or `names`) and place them in every
    assignment's `data/` folders: (data set, cache path, placed folders) for each."""
    root = course_root()
    unknown = set(names or ()) - set(data.DATASETS)
    if unknown:
        raise data.DataError(f"Unknown data set(s) {', '.join(sorted(unknown))}; known: {', '.join(data.DATASETS)}.")
    needed: dict[str, list[str]] = {}  # data set -> assignments that read it
    for assignment in assignments(root).values():
        for name in assignment.datasets:
            needed.setdefault(name, []).append(assignment.id)
    done = []
    for name in names or sorted(needed):
        path = data.fetch(name, mirror=mirror, allow_reduced=reduced)
        placed = [root / folder / assignment_id / "data"
                  for assignment_id in needed.get(name, []) for folder in (SOURCE_DIR, RELEASE_DIR)]
        for destination in placed:
            data.place(name, destination)
        done.append((name, path, placed))
    return done
