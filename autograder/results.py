"""What a learner scored, and why: results per part, read from an executed notebook.

A part whose test reads a name that a failed cell never defined says which cell failed and
why (its error, the time limit it hit, the memory cap, a dead kernel), not
`NameError: name 'trained_model' is not defined`.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import asdict, dataclass, field

from autograder.feedback.diagnostics import explain


@dataclass
class TestResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    message: str = ""


@dataclass
class SubmissionResult:
    assignment: str
    student: str
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    late_penalty: float = 0.0  # taken off `score` by the course's late-submission plugin

    def to_json(self) -> str:
        result = asdict(self)
        del result["student"], result["late_penalty"]  # one notebook graded alone has no due date
        return json.dumps(result, indent=2)


MISSING_CELL = ("This test cell is missing from your notebook, so its part could not be graded. Start "
                "again from the starter notebook and copy your answers into it.")

NOT_IMPLEMENTED = "Part of your code is not implemented yet: replace `raise NotImplementedError()` with your code."
# Errors whose text the grader wrote for the learner: shown without their type name.
GRADER_ERRORS = {"CheckFailed", "CellTimeLimit", "NotebookTimeLimit", "KernelDied"}
MAX_ERROR_CHARS = 600


@dataclass(frozen=True)
class FailedCell:
    cell: str  # its grade_id, else "cell N"
    error: str  # what the learner reads
    defines: frozenset[str]

    def to_json(self) -> dict:
        return {"cell": self.cell, "error": self.error, "defines": sorted(self.defines)}

    @classmethod
    def from_json(cls, data: dict) -> "FailedCell":
        return cls(data["cell"], data["error"], frozenset(data.get("defines", ())))


def error_text(error: dict) -> str:
    """How an error output reads for the learner."""
    if error.get("ename") in GRADER_ERRORS:
        text = error.get("evalue", "")
    elif error.get("ename") == "NotImplementedError":
        text = NOT_IMPLEMENTED
    else:
        text = f"{error.get('ename')}: {error.get('evalue')}"
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS] + " …"


def defined_names(source: str) -> frozenset[str]:
    """Names a cell assigns at its top level (assignments, functions, classes, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name)) if target else None
    return frozenset(names)


def failed_cells(notebook, before: int | None = None) -> list[FailedCell]:
    """The code cells (test cells too: they may define names, e.g. `untrained_model`) that ended
    in an error, those before index `before`; a known mistake's error comes with its fix."""
    found = []
    for index, cell in enumerate(notebook.cells[:before]):
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        if cell.cell_type == "code" and errors:
            name = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
            found.append(FailedCell(name, _explained(errors[-1]), defined_names(cell.source)))
    return found


def _explained(error: dict) -> str:
    text = error_text(error)
    fix = None if error.get("ename") in GRADER_ERRORS else explain(f"{error.get('ename')}: {error.get('evalue')}")
    return f"{text}\n{fix}" if fix else text


def why_undefined(name: str, failures: list[FailedCell]) -> str:
    """Why `name` does not exist, in the learner's terms."""
    for failure in failures:
        if name in failure.defines:
            return f"`{name}` was never defined, because the cell that defines it (`{failure.cell}`) failed: {failure.error}"
    if failures:
        cells = "; ".join(f"`{f.cell}`: {f.error}" for f in failures)
        return f"`{name}` is not defined: a cell failed before defining it ({cells})."
    return f"`{name}` is not defined: run the cell that defines it."


def test_messages(notebook) -> dict[str, str]:
    """grade_id -> the error a test cell ended with ('' when it passed), in notebook order.

    A test that failed only because a name was never defined says which earlier cell failed to
    define it, and why (its error, a time limit, a dead kernel, …).
    """
    messages = {}
    for index, cell in enumerate(notebook.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        message = error_text(errors[-1]) if errors else ""
        undefined = re.match(r"NameError: name '(\w+)' is not defined", message)
        failures = failed_cells(notebook, before=index) if undefined else []
        if failures:
            message = why_undefined(undefined.group(1), failures)
        messages[meta["grade_id"]] = message
    return messages
