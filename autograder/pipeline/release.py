"""Starters from master notebooks: `nbgrader generate_assignment`, and a freshness check."""
from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat

from autograder import course as course_layout
from autograder.course import CONFIG_FILE
from autograder.pipeline.course_folder import Course
from autograder.pipeline.jobs import scratch_config


def release(root: Path, assignment_ids: list[str]) -> list[Path]:
    """Regenerate the starters in `assignments/` and record the assignments in the gradebook."""
    course = Course(root)
    return [course.release(assignment_id) for assignment_id in assignment_ids]


def stale(root: Path, assignment_ids: list[str]) -> list[str]:
    """The assignments whose committed starter differs from what their master generates now."""
    outdated = []
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as tmp:
        work = Path(tmp)
        scratch = Course(work, scratch_config(work, (root / CONFIG_FILE).read_text()))
        for assignment_id in assignment_ids:
            master = course_layout.assignment(assignment_id, root).master
            scratch.add_master(assignment_id, master.read_text())  # the notebook only, not data/
            fresh = scratch.release(assignment_id) / master.name
            committed = root / course_layout.RELEASE_DIR / assignment_id / master.name
            if not committed.is_file() or _canonical(committed) != _canonical(fresh):
                outdated.append(assignment_id)
    return outdated


def _canonical(path: Path) -> str:
    return nbformat.writes(nbformat.read(path, as_version=4))
