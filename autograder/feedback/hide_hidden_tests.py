"""HideHiddenTests: nbgrader's ClearHiddenTests for feedback pages (a GenerateFeedback step)."""
from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade


class HideHiddenTests(ClearHiddenTests):
    """nbgrader's ClearHiddenTests for feedback: removes the hidden region of every test cell,
    and cuts a failed test cell's traceback down to its last line ("Error: message"), since the
    traceback quotes the hidden lines and the grader's own code.

    Unlike ClearHiddenTests at release time, it only looks at test cells: any other cell is the
    learner's own text, which never raises here, whatever markers it holds.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type != "code" or not is_grade(cell):
            return cell, resources
        try:
            self._remove_hidden_test_region(cell)
        except RuntimeError:  # an unterminated region: drop everything from its start
            cell.source = cell.source.split(self.begin_test_delimeter)[0].rsplit("\n", 1)[0]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename')}: {output.get('evalue')}"]
        return cell, resources
