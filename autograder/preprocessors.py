"""nbgrader preprocessors this course adds to the autograde pipeline (see nbgrader_config.py)."""
import json
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode
from nbgrader.utils import is_grade


class WarningsDoNotFail(NbGraderPreprocessor):
    """Relabel stderr output of test cells as stdout.

    nbgrader scores a test cell 0 when it wrote anything to stderr. TensorFlow writes warnings
    there (retracing, deprecated arguments, start-up logs), which would cost a learner points
    for code that works. A test cell fails by raising, and its error output is kept as is.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources


class ReplayExecution(NbGraderPreprocessor):
    """Stand-in for Execute: take each code cell's outputs from a notebook already executed elsewhere.

    Batch grading executes submissions on Dask workers, each in its own scratch course; the
    one process that writes the gradebook then runs nbgrader's ordinary autograde with this
    preprocessor in Execute's place, so grades, comments and late penalties are recorded by
    nbgrader itself, exactly as a sequential `nbgrader autograde` would record them.
    """

    executed_directory = Unicode(
        "", help="Folder holding <student>/<assignment>/<notebook>.ipynb as executed by a worker"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.executed_directory) / info["student"] / info["assignment"] / f"{info['notebook']}.ipynb"
        executed = nbformat.read(path, as_version=4)
        if len(executed.cells) != len(nb.cells):
            raise ValueError(f"{path} does not match the sanitized submission ({len(executed.cells)} vs {len(nb.cells)} cells)")
        for cell, done in zip(nb.cells, executed.cells):
            if cell.source != done.source or cell.cell_type != done.cell_type:
                raise ValueError(f"{path}: cell {cell.get('id')} differs from the sanitized submission")
            if cell.cell_type == "code":
                cell.outputs = done.outputs
                cell.execution_count = done.execution_count
        return nb, resources


class ClearArtifacts(NbGraderPreprocessor):
    """Removes saved learner objects left beside the notebook (e.g. handed in with it), so the
    hidden checks only ever see what this run's kernel saved."""

    needs_worker_files = True  # works on the folder the notebook runs in: not replayed

    def preprocess(self, nb, resources):
        import shutil

        from autograder.verify import ARTIFACTS_DIR

        folder = Path(resources["metadata"]["path"]) / ARTIFACTS_DIR
        if folder.is_symlink() or folder.is_file():
            folder.unlink()
        elif folder.is_dir():
            shutil.rmtree(folder)
        return nb, resources


class RunHiddenChecks(NbGraderPreprocessor):
    """Runs the hidden checks in a fresh process, outside the learner's kernel (autograder.verify).

    In the kernel a hidden test cell only saved the objects its check reads. Each test cell that
    ran without error there is checked here; one whose check fails gets an error output with the
    check's message, so SaveAutoGrades gives it no points and the feedback says why. A test cell
    of this assignment that has no check to run is a course bug and stops grading loudly.
    """

    needs_worker_files = True  # reads the artifacts beside the executed notebook: not replayed

    def preprocess(self, nb, resources):
        from autograder.cell_failures import failed_cells
        from autograder.verify import ARTIFACTS_DIR, verify_in_fresh_process, verify_spec

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
            outcomes = verify_in_fresh_process(assignment, folder, sorted(cells), failed_cells(nb))
            for grade_id, message in outcomes.items():
                if message:
                    cells[grade_id].outputs.append(nbformat.v4.new_output(
                        "error", ename="CheckFailed", evalue=message,
                        traceback=[f"CheckFailed: {message}"],
                    ))
        return nb, resources


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
            master = gradebook.find_notebook(info["notebook"], info["assignment"])
            points = {cell.name: cell.max_score for cell in master.grade_cells}
            solutions = {cell.name for cell in master.solution_cells}
            tasks = {cell.name for cell in master.task_cells}
            locked = {cell.name: cell.locked for cell in master.source_cells}
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata:
                continue
            meta = cell.metadata["nbgrader"]
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if grade_id not in locked:
                del cell.metadata["nbgrader"]
                continue
            repaired = {"grade_id": grade_id, "schema_version": 3, "grade": grade_id in points,
                        "solution": grade_id in solutions, "locked": locked[grade_id]}
            if grade_id in points:
                repaired["points"] = points[grade_id]
            if grade_id in tasks:
                repaired["task"] = True
            cell.metadata["nbgrader"] = repaired
        return nb, resources


class LimitOutputSize(NbGraderPreprocessor):
    """Caps what one output may hold. nbgrader's LimitOutput counts lines; a single huge line
    (or a huge image) would still flood the gradebook's notebook copy and the feedback page."""

    max_chars = Integer(20_000, help="Characters kept of one text output").tag(config=True)
    max_bytes = Integer(2_000_000, help="Largest rich output (image, HTML) kept").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code":
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and len(output.get("text", "")) > self.max_chars:
                dropped = len(output["text"]) - self.max_chars
                output["text"] = output["text"][: self.max_chars] + f"\n… output truncated: {dropped:,} more characters\n"
            if output.get("output_type") == "error" and len(output.get("evalue", "")) > self.max_chars:
                output["evalue"] = output["evalue"][: self.max_chars] + " … (truncated)"
            data = output.get("data", {})
            for mime in list(data):
                size = len(data[mime]) if isinstance(data[mime], str) else len(json.dumps(data[mime]))
                if size > self.max_bytes:
                    data.pop(mime)
                    data.setdefault("text/plain", f"[{mime} output of {size:,} bytes removed: over the size limit]")
        return cell, resources
