"""Hosted graders: one submission graded inside Gradescope's, PrairieLearn's or Coursera's
container and written in that platform's results format.

`autograder platform gradescope|prairielearn|coursera` (cli.py) reads the submission where the
platform puts it (submission.py), grades it with `grade_notebook` — the path `autograder grade`
takes — (outcome.py) and writes the platform's files (one module per platform, shared text
handling in output.py). schemas/ holds a JSON Schema per platform, written from its published
documentation (each cites its source); the tests check every file written against it.

A submission that cannot be graded (no notebook, two notebooks, not a notebook, another
assignment's notebook) gets the platform's "not gradable" form with a message saying what to
submit, and the command exits 0: the platform reads the file. When the grader itself fails, the
learner reads that it was not their fault, the details go to stderr and the command exits 1.
"""
from __future__ import annotations

import json
from importlib import resources

PLATFORMS = ("gradescope", "prairielearn", "coursera")


def schema(platform: str) -> dict:
    """The JSON Schema of a platform's results file (package data)."""
    text = resources.files(__name__).joinpath("schemas", f"{platform}.schema.json").read_text()
    return json.loads(text)
