"""Shared by the hosted-grader tests: schema validation and hand-made results."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from autograder import results
from autograder.platforms import schema

ROOT = Path(__file__).resolve().parents[2]


def starter(assignment_id: str) -> Path:
    return ROOT / "assignments" / assignment_id / f"{assignment_id}.ipynb"


def put(folder: Path, name: str, source: Path | str | None = None) -> Path:
    """A submitted file: a copy of `source` (a path; default: the c1w1-quiz starter) or the text `source`."""
    source = starter("c1w1-quiz") if source is None else source
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        shutil.copyfile(source, path)
    else:
        path.write_text(source)
    return path


def assert_valid(platform: str, data) -> None:
    """`data` (a dict, or the JSON text of a written file) follows the platform's schema."""
    document = json.loads(data) if isinstance(data, str) else data
    jsonschema.Draft202012Validator(schema(platform)).validate(document)


def part(grade_id: str, passed: bool, message: str = "", points: float = 1.0):
    return results.TestResult(grade_id, points if passed else 0.0, points, passed, message)


def submission(*parts, assignment: str = "c1w1-quiz"):
    return results.SubmissionResult(assignment, "learner", sum(p.points for p in parts),
                                    sum(p.max_points for p in parts), list(parts))


def half_done():
    """One part passed, one failed with a two-line message."""
    return submission(part("test_q1_answer", True),
                      part("test_q2_answer", False, "Question 2: expected a number.\nfix: write one number"))
