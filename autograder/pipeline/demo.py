"""`autograder demo`: a course built from the reference solutions, graded as two learners."""
from __future__ import annotations

import shutil
from pathlib import Path

from autograder import data
from autograder.course import SOURCE_DIR, assignments, course_root
from autograder.pipeline.batch import BatchResult
from autograder.pipeline.course_folder import Course
from autograder.pipeline.course_grading import grade_course


def demo(folder: Path, without: frozenset[str] = frozenset(), **options) -> BatchResult:
    """Build a course from the reference solutions and grade two sample learners.

    `reference` submits the master notebooks (full marks expected) and `blank` the untouched
    starters (zero expected, and the run must not fail). Assignments that read a data set in
    `without` (one that could not be had) are left out.
    """
    project = course_root()
    if folder.exists():
        shutil.rmtree(folder)
    (folder / SOURCE_DIR).mkdir(parents=True)
    shutil.copyfile(project / "nbgrader_config.py", folder / "nbgrader_config.py")
    course = Course(folder)
    skipped = set(left_out(without))
    for assignment in assignments(project).values():
        if assignment.id in skipped:
            continue
        course.add_master(assignment.id, assignment.master.read_text())
        starter = course.release(assignment.id) / assignment.notebook_name
        course.submit(assignment.id, "reference", assignment.master)
        course.submit(assignment.id, "blank", starter)
    return grade_course(folder, **options)


def prepare_demo_data() -> tuple[list[str], dict[str, str]]:
    """Fetch what the course reads; where only a mirror's reduced copy is to be had, take it.
    Returns the data sets the demo grades on a reduced copy, and those it cannot have at all
    with the reason (the demo leaves their assignments out)."""
    reduced, missing = [], {}
    for name in sorted({name for assignment in assignments(course_root()).values() for name in assignment.datasets}):
        try:
            _fetch_for_demo(name)
        except data.DataError as error:
            missing[name] = str(error)
            continue
        if data.variant(name) == "reduced":
            reduced.append(name)
    return reduced, missing


def _fetch_for_demo(name: str) -> None:
    try:
        data.fetch(name)
    except data.DataError:
        if data.DATASETS[name].reduced is None:
            raise
        data.fetch(name, allow_reduced=True)


def left_out(missing) -> list[str]:
    """The assignments the demo leaves out for want of the data sets in `missing`."""
    return [a.id for a in assignments(course_root()).values() if set(missing) & set(a.datasets)]
