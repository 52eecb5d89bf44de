"""What a submission must be before nbgrader sees it, with a message that says what to do.

Every check happens on the bytes, before any learner code runs: size, encoding, JSON, the
notebook format. A notebook in an older format is converted; broken or duplicated cell ids
are renewed (Jupyter does the same when it opens such a file).
"""
from __future__ import annotations

import json
import uuid

import nbformat

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024  # a course notebook with outputs is well under 5 MB
SAVE_AGAIN = "Open it in Jupyter, check it shows your work, save it (File → Save) and submit that file."


class InvalidSubmission(ValueError):
    """The file cannot be graded as it is; the message is for the learner."""


def parse_notebook(content: bytes, origin: str):
    """The submission as a valid nbformat-4 notebook, or InvalidSubmission."""
    if len(content) > MAX_NOTEBOOK_BYTES:
        raise InvalidSubmission(
            f"{origin} is {len(content) / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB limit for a "
            "notebook. Clear its outputs (Kernel → Restart & Clear Output), save, and submit it again."
        )
    if not content.strip():
        raise InvalidSubmission(f"{origin} is empty. {SAVE_AGAIN}")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidSubmission(
            f"{origin} is not a valid Jupyter notebook (not UTF-8 text: byte {error.start} cannot be read). "
            f"It may be a different kind of file renamed to .ipynb. {SAVE_AGAIN}"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidSubmission(
            f"{origin} is not a valid Jupyter notebook (not JSON: {error.msg} at line {error.lineno}). "
            f"It may be cut short or edited as text. {SAVE_AGAIN}"
        ) from None
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        raise InvalidSubmission(f"{origin} is not a valid Jupyter notebook (JSON, but it has no cells). {SAVE_AGAIN}")
    major = data.get("nbformat")
    if major not in (3, 4):
        raise InvalidSubmission(
            f"{origin} is not a valid Jupyter notebook (notebook format {major!r}; this grader reads formats "
            f"3 and 4). {SAVE_AGAIN}"
        )
    try:
        notebook = nbformat.reads(text, as_version=4)
        _renew_bad_cell_ids(notebook)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several types for the same problem
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InvalidSubmission(f"{origin} is not a valid Jupyter notebook ({reason[:200]}). {SAVE_AGAIN}") from None
    return notebook


def _renew_bad_cell_ids(notebook) -> None:
    seen = set()
    for cell in notebook.get("cells", []):
        if not isinstance(cell, dict):
            continue
        cell_id = cell.get("id")
        valid = isinstance(cell_id, str) and 0 < len(cell_id) <= 64 and all(c.isalnum() or c in "-_" for c in cell_id)
        if not valid or cell_id in seen:
            cell["id"] = uuid.uuid4().hex[:8]
        seen.add(cell["id"])
