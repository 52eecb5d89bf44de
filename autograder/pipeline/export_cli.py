"""`autograder export --format canvas|csv`: the course's gradebook as a CSV file for Canvas's
gradebook import (autograder.pipeline.export), or nbgrader's own CSV.

Wired into `autograder` with `pipeline.export_cli.add_parser(commands)`; also runs on its own as
`python -m autograder.pipeline.export_cli`.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbgrader.plugins import CsvExportPlugin

from autograder.course import CourseError, course_root
from autograder.pipeline.course_folder import Course
from autograder.pipeline.export import DEFAULT_FILE, IDENTITY, CanvasExportPlugin, ExportError

FORMATS = {"canvas": CanvasExportPlugin, "csv": CsvExportPlugin}
DEFAULT_FILES = {"canvas": DEFAULT_FILE, "csv": "grades.csv"}


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("export", help="write the gradebook's grades as a CSV file Canvas imports",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=FORMATS, default="canvas", help="canvas (default) or nbgrader's csv")
    parser.add_argument("--course", metavar="DIR", help="course folder (default: this checkout)")
    parser.add_argument("--output", metavar="FILE", help="where to write (default: <course>/canvas_grades.csv, "
                        "or <course>/grades.csv for csv)")
    parser.add_argument("--assignment", metavar="ID", action="append", default=[],
                        help="only this assignment (repeatable)")
    parser.add_argument("--student", metavar="ID", action="append", default=[], help="only this learner (repeatable)")
    canvas = parser.add_argument_group("canvas")
    canvas.add_argument("--roster", metavar="CANVAS.csv", help="a gradebook CSV exported from the Canvas course: "
                        "learners' Canvas ids and sections are copied from it (recommended)")
    canvas.add_argument("--id-column", choices=IDENTITY[2:4], default="SIS Login ID",
                        help="the Canvas column that holds the nbgrader student id (default: SIS Login ID)")
    canvas.add_argument("--section", default="", help="the Canvas section written for every learner")
    canvas.add_argument("--canvas-id", metavar="ASSIGNMENT=ID", action="append", type=_pair, default=[],
                        help="update the existing Canvas assignment with this id (repeatable; default: a column "
                        "named after the assignment, which Canvas creates)")
    canvas.add_argument("--missing-as-zero", action="store_true",
                        help="0 for an assignment not submitted (default: empty, which leaves Canvas's grade)")
    parser.set_defaults(run=run)
    return parser


def run(args) -> int:
    try:
        path = export(args)
    except (CourseError, ExportError, OSError) as error:
        print(f"autograder export: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0


def export(args) -> Path:
    course = Course(Path(args.course).resolve() if args.course else course_root())
    _check_gradebook(course)
    output = Path(args.output).resolve() if args.output else course.root / DEFAULT_FILES[args.format]
    plugin = FORMATS[args.format](to=str(output), assignment=args.assignment, student=args.student)
    if args.format == "canvas":
        _configure(plugin, args)
    with course.gradebook() as gradebook:
        plugin.export(gradebook)
    return output


def _configure(plugin: CanvasExportPlugin, args) -> None:
    plugin.roster = args.roster or ""
    plugin.id_column = args.id_column
    plugin.section = args.section
    plugin.canvas_ids = dict(args.canvas_id)
    plugin.missing_as_zero = args.missing_as_zero


def _check_gradebook(course: Course) -> None:
    """Opening a missing SQLite gradebook would create an empty one and export nothing."""
    prefix = "sqlite:///"
    if course.db_url.startswith(prefix) and not Path(course.db_url[len(prefix):]).is_file():
        raise ExportError(f"No gradebook at {course.db_url[len(prefix):]}: grade the submissions first "
                          "(`autograder batch`), or give the course folder with --course.")


def _pair(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    if not name or not value:
        raise argparse.ArgumentTypeError(f"{text!r} is not ASSIGNMENT=ID (e.g. c1w1-quiz=12345)")
    return name, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="autograder")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["export", *(sys.argv[1:] if argv is None else argv)])
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
