"""Recording a worker's autograded notebook straight into the gradebook, many results per session.

nbgrader's autograde re-run in the writer (with ReplayExecution) costs ~180 ms a result: two
converter passes, schema validation and a new database engine in each step. The worker has run
that same pipeline already, up to the steps that write the gradebook. So here the writer checks
that the worker's notebook is the sanitized submission (each cell's source, type and nbgrader
metadata as nbgrader's sanitizing leaves them), then saves what SaveAutoGrades and
AssignLatePenalties save: nbgrader's own `determine_grade` and the course's late-submission
plugin, through one open Gradebook. A course whose pipeline has other steps keeps the replay.
"""
from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader import utils
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearOutput,
    DeduplicateIds,
    Execute,
    IgnorePattern,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from autograder.pipeline.preprocessors.limit_output_size import LimitOutputSize
from autograder.pipeline.preprocessors.repair_grader_metadata import RepairGraderMetadata, master_metadata
from autograder.pipeline.preprocessors.warnings_do_not_fail import WarningsDoNotFail
from autograder.pipeline.steps import autograde_steps, is_step, is_worker_step, sanitize_steps, step_class

log = logging.getLogger(__name__)

SANITIZING = (ClearOutput, DeduplicateIds, RepairGraderMetadata, OverwriteKernelspec, OverwriteCells,
              CheckCellMetadata)
# Steps that change only the notebook, which the worker has applied already.
NOTEBOOK_ONLY = (IgnorePattern, ClearMetadataPreprocessor, LimitOutput, LimitOutputSize, WarningsDoNotFail,
                 CheckCellMetadata)
SIDE_FILES = ("timestamp.txt", "submission_secret.txt")  # lateness; the exchange's key to the feedback


class NotebookMismatch(ValueError):
    """The executed notebook is not the sanitized submission: it is not recorded."""


class UnreadableTimestamp(ValueError):
    """A submission's timestamp.txt is not a time: it is not recorded (its lateness is unknown)."""


def handed_in(folder: Path):
    """When the submission in `folder` was handed in, from its timestamp.txt as nbgrader reads
    it (None without one). nbgrader's own reader fails on a bad one with an AttributeError."""
    path = folder / "timestamp.txt"
    text = path.read_text().strip() if path.is_file() else ""
    if not text:
        return None
    try:
        return utils.parse_utc(text)
    except ValueError:
        raise UnreadableTimestamp(
            f"{path}: {text[:60]!r} is not a time. Write it as nbgrader's exchange does "
            "(e.g. 2026-12-01 12:00:00.000000 UTC), or remove the file if the submission has no "
            "hand-in time, then grade again.") from None


def records_directly(config) -> bool:
    """Whether this course's pipeline is one the direct path records exactly as nbgrader would:
    these very steps (a subclass may do more), and none that adds cells."""
    sanitizing = [step_class(step) for step in sanitize_steps(config)]
    if len(sanitizing) != len(SANITIZING) or set(sanitizing) != set(SANITIZING):
        return False
    if config.OverwriteCells.get("add_missing_cells", False):  # then not the submission's cells
        return False
    recording = {step_class(step) for step in autograde_steps(config)
                 if not is_worker_step(step) and not is_step(step, Execute)}  # the worker's
    return SaveAutoGrades in recording and recording <= {*NOTEBOOK_ONLY, SaveAutoGrades, AssignLatePenalties}


def applies_late_penalties(config) -> bool:
    return any(is_step(step, AssignLatePenalties) for step in autograde_steps(config))


@dataclass(frozen=True)
class MasterCells:
    """What sanitizing leaves in a submission's cells, from the gradebook's copy of the master."""

    metadata: dict[str, dict]  # grade_id -> nbgrader metadata, checksum included
    types: dict[str, str]  # grade_id -> cell type
    locked: dict[str, str]  # grade_id -> source, for locked cells (tests, read-only text)

    @classmethod
    def from_gradebook(cls, notebook) -> "MasterCells":
        metadata = master_metadata(notebook)
        for cell in notebook.source_cells:
            metadata[cell.name]["checksum"] = cell.checksum
        return cls(metadata, {c.name: c.cell_type for c in notebook.source_cells},
                   {c.name: c.source for c in notebook.source_cells if c.locked})


def check_sanitized(executed, submitted, master: MasterCells, where: str) -> None:
    """NotebookMismatch unless `executed` has the cells that sanitizing `submitted` gives."""
    if len(executed.cells) != len(submitted.cells):
        raise NotebookMismatch(f"{where}: {len(executed.cells)} cells, the submission has {len(submitted.cells)}")
    seen = set()
    for index, (done, given) in enumerate(zip(executed.cells, submitted.cells)):
        meta = done.metadata.get("nbgrader")
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if meta is not None:
            if grade_id in seen or master.metadata.get(grade_id) != meta:
                raise NotebookMismatch(f"{where}: cell {index} has nbgrader metadata the master does not give it")
            seen.add(grade_id)
        cell_type = master.types.get(grade_id, given.cell_type)
        source = master.locked.get(grade_id, given.source)
        if done.cell_type != cell_type or done.source != source:
            raise NotebookMismatch(f"{where}: cell {index} differs from the sanitized submission")


def save_autogrades(gradebook, executed, notebook_id: str, assignment: str, student: str):
    """What nbgrader's SaveAutoGrades saves for `executed`; returns the submitted notebook's row."""
    row = gradebook.find_submission_notebook(notebook_id, assignment, student)
    grades = {grade.name: grade for grade in row.grades}
    comments = {comment.name: comment for comment in row.comments}
    for cell in executed.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if utils.is_grade(cell):
            grade = grades[grade_id]
            grade.auto_score, _ = utils.determine_grade(cell, log)
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        if utils.is_solution(cell) or utils.is_task(cell):
            unanswered = cell.metadata.nbgrader.get("checksum") == utils.compute_checksum(cell)
            comments[grade_id].auto_comment = "No response." if unanswered and not utils.is_task(cell) else None
    return row


def zero_missing(row) -> None:
    """A master notebook that was not handed in scores zero (as in nbgrader's autograde)."""
    for grade in row.grades:
        grade.auto_score = 0
        grade.needs_manual_grade = False


def late_penalty(plugin, submission, row, student: str) -> float | None:
    """The course's late-submission plugin's penalty for `row`, kept within [0, score]."""
    if submission.total_seconds_late <= 0:
        return None
    penalty = plugin.late_submission_penalty(student, row.score, submission.total_seconds_late)
    if penalty is None:
        return None
    return min(max(penalty, 0), row.score)


def late_plugin(config):
    step = AssignLatePenalties(config=config)
    step.init_plugin()
    return step.plugin_inst


def read_notebook(text: str):
    """A v4 notebook from JSON text, without schema validation (nbgrader wrote or checked it)."""
    return nbformat.v4.reads(text)


def write_autograded(folder: Path, staging: Path, notebooks: dict[str, str], submitted: Path,
                     permissions: int) -> None:
    """autograded/<student>/<assignment>/ replaced whole, as `nbgrader autograde --force` does.
    The assignment's data sets are not copied beside it (nbgrader's would be, for every learner):
    the notebook ran already, and feedback needs only the notebook."""
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name, text in notebooks.items():
        (staging / name).write_text(text)
    for name in SIDE_FILES:
        if (submitted / name).is_file():
            shutil.copyfile(submitted / name, staging / name)
    for path in staging.iterdir():
        os.chmod(path, permissions)
    if folder.exists():
        shutil.rmtree(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, folder)
