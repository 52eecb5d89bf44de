"""Hand-written learner code (files/) turned into submissions in a temporary course.

files/<assignment>/independent/<learner>.py are honest solutions written separately;
files/<assignment>/copies/<original>--<edit>.py are near-copies of one of them. Each file
holds the graded cells as `# %% <grade_id>` sections.
"""
from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
FILES = Path(__file__).resolve().parent / "files"
SECTION = re.compile(r"^# %% (\S+)\n", re.M)


def variant_cells(path: Path) -> dict[str, str]:
    parts = SECTION.split(path.read_text(encoding="utf-8"))
    return {grade_id: source.rstrip("\n") for grade_id, source in zip(parts[1::2], parts[2::2])}


def variants(assignment_id: str, kind: str) -> dict[str, dict[str, str]]:
    """name -> cells, for kind "independent" or "copies"."""
    return {p.stem: variant_cells(p) for p in sorted((FILES / assignment_id / kind).glob("*.py"))}


def original_of(copy_name: str) -> str:
    return copy_name.split("--")[0]


def starter(assignment_id: str):
    return nbformat.read(REPO / "assignments" / assignment_id / f"{assignment_id}.ipynb", as_version=4)


def learner_notebook(assignment_id: str, cells: dict[str, str]):
    """The starter with these graded cells filled in, as a learner would save it."""
    notebook = copy.deepcopy(starter(assignment_id))
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in cells:
            cell.source = cells[grade_id]
    return notebook


def make_course(folder: Path, assignment_ids: list[str]) -> Path:
    """A course folder with the real config, masters and starters (no data)."""
    shutil.copy(REPO / "nbgrader_config.py", folder / "nbgrader_config.py")
    for kind in ("solutions", "assignments"):
        for assignment_id in assignment_ids:
            target = folder / kind / assignment_id
            target.mkdir(parents=True)
            shutil.copy(REPO / kind / assignment_id / f"{assignment_id}.ipynb", target)
    return folder


def submit(root: Path, learner: str, assignment_id: str, notebook=None, raw: bytes | None = None) -> Path:
    path = root / "submitted" / learner / assignment_id / f"{assignment_id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
    else:
        nbformat.write(notebook, path)
    return path


def class_of_variants(root: Path, assignment_id: str) -> dict[str, dict[str, str]]:
    """Submit every hand-written variant of the assignment as its own learner."""
    everyone = {**variants(assignment_id, "independent"), **variants(assignment_id, "copies")}
    for name, cells in everyone.items():
        submit(root, name, assignment_id, learner_notebook(assignment_id, cells))
    return everyone
