"""`autograder similarity`: the class-wide similarity report, for the instructor only.

Wired into `autograder` with `similarity.cli.add_parser(commands)`; also runs on its own as
`python -m autograder.similarity`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.similarity import layout
from autograder.similarity.settings import DEFAULT_THRESHOLD

DEFAULT_MAX_PAIRS = 100
OUT_DIR = layout.SIMILARITY_DIR


class UsageError(Exception):
    """Bad input: the message says what is wrong and what to do."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "similarity", help="report learners whose graded cells share code (informs; never changes a grade)",
        description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", metavar="ID", help="only this assignment (default: every one with submissions)")
    parser.add_argument("--course", metavar="DIR", help="course folder (default: this checkout)")
    parser.add_argument("--reference", metavar="DIR", help="also compare with known published solutions "
                        "(.ipynb or .py files, searched recursively)")
    parser.add_argument("--threshold", type=_threshold, default=DEFAULT_THRESHOLD,
                        help=f"flag pairs scoring this or more, 0-1 (default: {DEFAULT_THRESHOLD})")
    parser.add_argument("--out", metavar="DIR", help=f"output folder (default: <course>/{OUT_DIR}/<assignment>; "
                        "without --assignment, DIR/<assignment>)")
    parser.add_argument("--max-pairs", type=_positive, default=DEFAULT_MAX_PAIRS,
                        help=f"pairs shown side by side in the report (default: {DEFAULT_MAX_PAIRS}; the CSV has all)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    from autograder.similarity.run import run_assignment  # copydetect loads matplotlib: only when used

    try:
        root = _course(args.course)
        ids = _assignment_ids(root, args.assignment)
        reference = _reference(args.reference)
        for assignment_id in ids:
            print(run_assignment(root, assignment_id, _out(root, args, assignment_id), reference,
                                 args.threshold, args.max_pairs), flush=True)
    except (UsageError, layout.CourseError) as error:
        print(f"autograder similarity: {error}", file=sys.stderr)
        return 2
    return 0


def _course(folder: str | None) -> Path:
    if folder is None:
        return layout.course_root()
    root = Path(folder).resolve()
    if not (root / "nbgrader_config.py").is_file() or not (root / "solutions").is_dir():
        raise UsageError(f"{root} is not a course folder: it needs nbgrader_config.py and solutions/. "
                         "Give the folder that holds them with --course.")
    return root


def _assignment_ids(root: Path, assignment_id: str | None) -> list[str]:
    known = layout.assignments(root)
    if assignment_id is not None and assignment_id not in known:
        raise UsageError(f"Unknown assignment {assignment_id!r}. Known assignments: {', '.join(known)}.")
    ids = [assignment_id] if assignment_id else layout.assignments_submitted(root)
    if assignment_id and not layout.submitted_notebooks(root, assignment_id):
        raise UsageError(f"No submissions of {assignment_id} in {root / layout.SUBMITTED_DIR}: put each learner's "
                         f"notebook at submitted/<learner>/{assignment_id}/{assignment_id}.ipynb (nbgrader's layout).")
    if not ids:
        raise UsageError(f"No submissions in {root / layout.SUBMITTED_DIR}: put each learner's notebook at "
                         "submitted/<learner>/<assignment>/<assignment>.ipynb (nbgrader's layout).")
    return ids


def _reference(folder: str | None) -> Path | None:
    if folder is None:
        return None
    path = Path(folder).resolve()
    if not path.is_dir():
        raise UsageError(f"--reference folder {path} does not exist: give the folder holding the published "
                         "solutions you collected (.ipynb or .py files).")
    from autograder.similarity.collect import reference_files

    if not reference_files(path):
        raise UsageError(f"No .ipynb or .py files in --reference folder {path}: put the published solutions there.")
    return path


def _out(root: Path, args, assignment_id: str) -> Path:
    if args.out is None:
        return root / OUT_DIR / assignment_id
    out = Path(args.out).resolve()
    return out if args.assignment else out / assignment_id


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a score between 0 and 1 (e.g. {DEFAULT_THRESHOLD})")
    return value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["similarity", *(sys.argv[1:] if argv is None else argv)])
    return args.run(args)
