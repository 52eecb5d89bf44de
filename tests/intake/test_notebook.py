"""Intake rules: what a submitted file must be before any of it runs (notebooks under tests/files/)."""
from pathlib import Path

import pytest

from autograder.intake.notebook import MAX_NOTEBOOK_BYTES, InvalidSubmission, parse_notebook

FILES = Path(__file__).resolve().parent.parent / "files"


@pytest.mark.parametrize("name, reason", [
    ("empty.ipynb", "is empty"),
    ("truncated.ipynb", "not JSON"),
    ("not-utf8.ipynb", "not UTF-8"),
    ("format-5.ipynb", "notebook format 5"),
    ("no-cells.ipynb", "it has no cells"),
])
def test_an_unreadable_file_is_refused_saying_what_to_do(name, reason):
    with pytest.raises(InvalidSubmission, match=reason) as refused:
        parse_notebook((FILES / name).read_bytes(), name)
    assert "save it (File → Save)" in str(refused.value) or "is empty" in str(refused.value)


def test_a_notebook_over_the_size_limit_is_refused():
    with pytest.raises(InvalidSubmission, match="Clear its outputs"):
        parse_notebook(b" " * (MAX_NOTEBOOK_BYTES + 1), "big.ipynb")


def test_an_old_format_is_converted():
    notebook = parse_notebook((FILES / "format-3.ipynb").read_bytes(), "old.ipynb")
    assert notebook.nbformat == 4 and notebook.cells[0].source == "x = 1"


def test_duplicated_and_broken_cell_ids_are_renewed():
    notebook = parse_notebook((FILES / "duplicate-ids.ipynb").read_bytes(), "ids.ipynb")
    ids = [cell.id for cell in notebook.cells]
    assert len(set(ids)) == 3 and ids[0] == "same" and "bad id!" not in ids
