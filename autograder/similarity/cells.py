"""The code a notebook contributes: its graded solution cells, minus the starter's lines."""
from __future__ import annotations

import difflib


def solution_cells(notebook) -> dict[str, str]:
    """grade_id -> source of every code cell nbgrader marks as a solution (learners write these)."""
    cells = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and meta.get("grade_id"):
            cells[meta["grade_id"]] = cell.get("source", "")
    return cells


def code_cells(notebook) -> str:
    """All code of a notebook, for a reference solution whose cells are not ours."""
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


def blank_starter_lines(source: str, starter: str) -> str:
    """The source with the starter's lines (kept as they were) turned into spaces.

    The length and line breaks stay the same, so what copydetect finds in the blanked text
    highlights the original; scaffolding then neither matches nor counts, not even at its seams.
    """
    lines = source.splitlines(keepends=True)
    for index in _starter_line_indexes(lines, starter.splitlines()):
        text = lines[index].rstrip("\r\n")
        lines[index] = " " * len(text) + lines[index][len(text):]
    return "".join(lines)


def _starter_line_indexes(lines: list[str], starter_lines: list[str]) -> list[int]:
    # Compared stripped: re-indenting a scaffold line does not make it the learner's.
    matcher = difflib.SequenceMatcher(None, [s.strip() for s in starter_lines], [s.strip() for s in lines],
                                      autojunk=False)
    found = []
    for block in matcher.get_matching_blocks():
        found += [i for i in range(block.b, block.b + block.size) if lines[i].strip()]
    return found
