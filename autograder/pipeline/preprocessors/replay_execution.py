"""ReplayExecution: stand-in for Execute: take each code cell's outputs from a notebook already executed elsewhere."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


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
