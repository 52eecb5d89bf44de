"""`autograder platform {gradescope,prairielearn,coursera}`: grade the one submission of a hosted
grader's container and write that platform's results files.

Wired into `autograder` with `platforms.cli.add_parser(commands)`; also runs on its own as
`python -m autograder.platforms`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.environment import find_scripts
from autograder.platforms import coursera, gradescope, prairielearn

ROOT_HELP = "the platform's folder (default: {}); set it to run outside the platform's container"
ASSIGNMENT_HELP = "the assignment to grade submissions as (default: {})"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "platform", help="grade the submission in a Gradescope, PrairieLearn or Coursera grader container",
        description=__doc__.split("\n\n")[0])
    platforms = parser.add_subparsers(dest="platform", required=True, metavar="{gradescope,prairielearn,coursera}")
    _gradescope(platforms)
    _prairielearn(platforms)
    _coursera(platforms)
    return parser


def _gradescope(platforms) -> None:
    parser = _platform(platforms, "gradescope", gradescope.ROOT, "the notebook's metadata or file name",
                       "/autograder/submission/ → /autograder/results/results.json")
    parser.set_defaults(run=lambda args: gradescope.run(args.root, args.assignment))


def _prairielearn(platforms) -> None:
    parser = _platform(platforms, "prairielearn", prairielearn.ROOT,
                       "params.assignment in data.json, else the notebook's metadata or file name",
                       "/grade/student/ → /grade/results/results.json")
    parser.set_defaults(run=lambda args: prairielearn.run(args.root, args.assignment))


def _coursera(platforms) -> None:
    parser = _platform(platforms, "coursera", coursera.ROOT,
                       "the --part mapping of the partId, else the notebook's metadata or file name",
                       "/shared/submission/ → /shared/feedback.json + /shared/htmlFeedback.html")
    parser.add_argument("--part-id", help=f"the Coursera part being graded (default: ${coursera.PART_ENV})")
    parser.add_argument("--part", metavar="PARTID=ASSIGNMENT", action="append", type=_part, default=[],
                        help="the assignment a Coursera part grades (repeat for each part)")
    parser.set_defaults(run=lambda args: coursera.run(args.root, args.assignment, args.part_id, dict(args.part)))


def _platform(platforms, name: str, root: Path, assignment_default: str, layout: str) -> argparse.ArgumentParser:
    parser = platforms.add_parser(name, help=layout, description=f"{name}: {layout}")
    parser.add_argument("--root", type=Path, default=root, help=ROOT_HELP.format(root))
    parser.add_argument("--assignment", metavar="ID", help=ASSIGNMENT_HELP.format(assignment_default))
    return parser


def _part(text: str) -> tuple[str, str]:
    part_id, _, assignment_id = text.partition("=")
    if not part_id or not assignment_id:
        raise argparse.ArgumentTypeError(f"{text!r} is not PARTID=ASSIGNMENT (e.g. 5ShhY=c1w1-quiz)")
    return part_id, assignment_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["platform", *(sys.argv[1:] if argv is None else argv)])
    find_scripts()
    return args.run(args)
