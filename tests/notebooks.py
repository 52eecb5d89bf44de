"""Notebooks for tests: the masters as learners would hand them in, and short training runs."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
W2 = "c1w2-mnist-callback"

# A W2 training run short enough for tests that must train for real.
W2_SMALL_FIT = """
def train_mnist(training_images, training_labels):
    model = create_and_compile_model()
    return model.fit(training_images[:2000], training_labels[:2000], epochs=10,
                     callbacks=[EarlyStoppingCallback()], verbose=0)
"""


def master(assignment: str):
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def cell(notebook, grade_id: str):
    return next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def plain(source: str) -> str:
    return re.sub(r"(?m)^\s*### (BEGIN|END) SOLUTION\n", "", source)


def gradebook_rows(folder):
    """Every grade and comment nbgrader recorded, read through its own API."""
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        for student in gradebook.students:
            for submission in student.submissions:
                for notebook in submission.notebooks:
                    rows += [(student.id, submission.name, g.name, g.auto_score, g.needs_manual_grade)
                             for g in notebook.grades]
                    rows += [(student.id, submission.name, c.name, c.auto_comment, None)
                             for c in notebook.comments]
    return sorted(rows, key=repr)
