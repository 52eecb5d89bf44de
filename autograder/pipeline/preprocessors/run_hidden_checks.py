"""RunHiddenChecks: runs the hidden checks in a fresh process, outside the learner's kernel (autograder.checking.verify)."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from autograder.artifacts import ARTIFACTS_DIR
from autograder.artifacts.spec import verify_spec
from autograder.checking.server import verify_outside
from autograder import timing
from autograder.results import failed_cells


class RunHiddenChecks(NbGraderPreprocessor):
    """Runs the hidden checks in a fresh process, outside the learner's kernel (autograder.checking.verify).

    In the kernel a hidden test cell only saved the objects its check reads. Each test cell that
    ran without error there is checked here; one whose check fails gets an error output with the
    check's message, so SaveAutoGrades gives it no points and the feedback says why. A test cell
    of this assignment that has no check to run is a course bug and stops grading loudly.
    """

    needs_worker_files = True  # reads the artifacts beside the executed notebook: not replayed

    def preprocess(self, nb, resources):
        assignment = resources["nbgrader"]["assignment"]
        spec = verify_spec(assignment)
        cells = {}
        for cell in nb.cells:
            if cell.cell_type != "code" or not is_grade(cell) or "run_check(" not in cell.source:
                continue
            grade_id = cell.metadata.nbgrader["grade_id"]
            if grade_id not in spec:
                raise ValueError(f"{assignment}: hidden test cell {grade_id!r} has no entry in its check module's VERIFY")
            if not any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
                cells[grade_id] = cell
        if cells:
            folder = Path(resources["metadata"]["path"]) / ARTIFACTS_DIR
            with timing.phase("verification"):
                outcomes = verify_outside(assignment, folder, sorted(cells), failed_cells(nb))
            for grade_id, message in outcomes.items():
                if message:
                    cells[grade_id].outputs.append(nbformat.v4.new_output(
                        "error", ename="CheckFailed", evalue=message,
                        traceback=[f"CheckFailed: {message}"],
                    ))
        return nb, resources
