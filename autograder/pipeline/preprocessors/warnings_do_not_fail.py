"""WarningsDoNotFail: relabel stderr output of test cells as stdout."""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
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
