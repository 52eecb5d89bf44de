"""RepairGraderMetadata: rewrites every cell's nbgrader metadata from the gradebook before nbgrader checks it."""
from __future__ import annotations

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor


def master_metadata(master) -> dict[str, dict]:
    """The nbgrader metadata of each of the master's cells, by grade_id (`master`: the
    gradebook's Notebook)."""
    points = {cell.name: cell.max_score for cell in master.grade_cells}
    solutions = {cell.name for cell in master.solution_cells}
    tasks = {cell.name for cell in master.task_cells}
    metadata = {}
    for cell in master.source_cells:
        grade_id = cell.name
        meta = {"grade_id": grade_id, "schema_version": 3, "grade": grade_id in points,
                "solution": grade_id in solutions, "locked": cell.locked}
        if grade_id in points:
            meta["points"] = points[grade_id]
        if grade_id in tasks:
            meta["task"] = True
        metadata[grade_id] = meta
    return metadata


class RepairGraderMetadata(NbGraderPreprocessor):
    """Rewrites every cell's nbgrader metadata from the gradebook before nbgrader checks it.

    nbgrader restores test and locked cells' sources, but a cell whose metadata was edited
    (`grade` switched off, a renamed or duplicated grade_id, a half-deleted entry) makes it
    stop with "inconsistent checksums" or "metadata may be corrupted" and grade nothing.
    Here a cell the master knows gets the master's flags back, and any other cell becomes
    an ordinary cell, so only the parts the learner broke are lost.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"], info.get("course_id", "")) as gradebook:
            known = master_metadata(gradebook.find_notebook(info["notebook"], info["assignment"]))
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata:
                continue
            meta = cell.metadata["nbgrader"]
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id not in known:
                del cell.metadata["nbgrader"]
                continue
            cell.metadata["nbgrader"] = dict(known[grade_id])
        return nb, resources
