"""The style corpus: learners' real ways of writing each task, each with the verdict it deserves.

A `Variant` replaces some solution cells of an assignment's master notebook with code written
the way learners write it (the lectures' `tf.nn.softmax`, `input_shape=`, the Functional API,
a subclassed model, `logs.get('acc') > 0.99`…). It says, for each hidden test it is judged on,
whether that part must pass or which reason its failure message must give, and why.

Most variants are judged directly: the notebook's cells (all but the training cell) run in this
process and each listed check runs twice, on the live objects and on what the grading kernel
would save of them (the `check` fixture). Variants marked `end_to_end` are also graded whole
with `autograder grade`, training included; parts they do not list must pass there.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.checking.plugin import working_directory

ROOT = Path(__file__).resolve().parents[2]
PASS = "pass"
SKIPPED_CELLS = ("training",)  # trains a model: judged end to end only


@dataclass(frozen=True)
class Variant:
    id: str
    assignment: str
    cells: dict[str, str]  # solution cell grade_id -> the learner's code
    expect: dict[str, str]  # hidden test -> PASS, or a phrase its failure message must contain
    why: str  # the idiom, and where learners get it from
    end_to_end: bool = False
    direct: bool = True  # False: judged only end to end (its parts need training)
    marks: tuple = field(default=())

    def __post_init__(self):
        object.__setattr__(self, "cells", {k: textwrap.dedent(v).strip() + "\n" for k, v in self.cells.items()})


def master(assignment: str):
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def starter(assignment: str):
    return nbformat.read(ROOT / "assignments" / assignment / f"{assignment}.ipynb", as_version=4)


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def submission(variant: Variant):
    """The starter notebook with the master's answers, except the cells the variant writes."""
    answers = {_grade_id(cell): cell.source for cell in master(variant.assignment).cells}
    notebook = starter(variant.assignment)
    unknown = set(variant.cells) - set(answers)
    if unknown:
        raise ValueError(f"{variant.id}: no solution cell {sorted(unknown)} in {variant.assignment}")
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            cell.source = variant.cells.get(meta["grade_id"], _without_solution_markers(answers[meta["grade_id"]]))
    return notebook


def _without_solution_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line) + "\n"


def namespace(variant: Variant) -> dict:
    """Run the variant's notebook in this process up to (not including) training, as a kernel would."""
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell
    names: dict = {"__name__": "__main__"}
    folder = ROOT / "solutions" / variant.assignment  # where `data/` is
    with working_directory(folder):
        for cell in submission(variant).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or meta.get("grade") or meta.get("grade_id") in SKIPPED_CELLS:
                continue
            try:
                exec(compile(transform(cell.source), f"<{meta.get('grade_id', 'cell')}>", "exec"), names)
            except Exception:  # as in a kernel: the cell fails, the checks of what it defines say so
                continue
    return names


def data_folder(variant: Variant) -> Path:
    """Where the notebook runs: `data/` is there."""
    return ROOT / "solutions" / variant.assignment


def variants() -> list[Variant]:
    from styles import c1w1, c1w2, c1w3, c1w4_happy_or_sad, c1w4_horse_or_human

    found = [v for module in (c1w1, c1w2, c1w3, c1w4_happy_or_sad, c1w4_horse_or_human) for v in module.VARIANTS]
    ids = [v.id for v in found]
    duplicated = {i for i in ids if ids.count(i) > 1}
    if duplicated:
        raise ValueError(f"variant ids used twice: {sorted(duplicated)}")
    return found
