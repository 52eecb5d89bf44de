"""`autograder`: the course's command line (data, release, grade, batch, demo, similarity,
platform, export)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder import startup  # noqa: F401  (first: before anything imports nbformat)
from autograder import api, console, data
from autograder.course import STATE_DIR, CourseError, assignments, course_root
from autograder.environment import find_scripts
from autograder.pipeline.course_folder import GradingError
from autograder.sandbox.namespaces import kernel_isolation
from autograder.pipeline.export_cli import add_parser as add_export
from autograder.platforms.cli import add_parser as add_platform
from autograder.similarity.cli import add_parser as add_similarity


def _data_fetch(args) -> int:
    root = course_root()
    for name, path, placed in api.fetch_data(args.datasets, mirror=args.mirror, reduced=args.reduced or None):
        print(f"{name}: verified ({data.variant(name)}) in {path}")
        for destination in placed:
            print(f"  -> {destination.relative_to(root)}")
    return 0


def _release(args) -> int:
    root = course_root()
    ids = args.assignments or list(assignments(root))
    if args.check:
        outdated = api.stale(root, ids)
        if outdated:
            print(
                "Stale starters in assignments/: " + ", ".join(outdated)
                + ". Run `autograder release` and commit the result.",
                file=sys.stderr,
            )
            return 1
        print(f"Starters are up to date: {', '.join(ids)}")
        return 0
    for folder in api.release(root, ids):
        print(f"released {folder.relative_to(root)}")
    return 0


def _grade(args) -> int:
    result = api.grade_notebook(Path(args.notebook), args.assignment, feedback_to=args.feedback, report_to=args.report)
    if args.json:
        print(result.to_json())
    else:
        print(format_result(result))
    return 0


def format_result(result) -> str:
    lines = [f"{result.assignment}: {result.score:g} / {result.max_score:g}"]
    for test in result.tests:
        mark = "✓" if test.passed else "✗"
        lines.append(f"  {mark} {test.grade_id:<50} {test.points:g}/{test.max_points:g}")
        if test.message:
            lines += [f"      {line}" for line in test.message.splitlines()]
    return "\n".join(lines)


def _batch(args) -> int:
    root = Path(args.course).resolve() if args.course else course_root()
    outcome = api.grade_course(root, args.assignment, args.student, sequential=args.sequential,
                               workers=args.workers, scheduler=args.scheduler, force=args.force)
    return 1 if outcome.failed else 0


def _demo(args) -> int:
    if args.mirror:  # for this run and the grading workers it starts
        os.environ[data.MIRROR_ENV] = str(Path(args.mirror).resolve())
    reduced, missing = api.prepare_demo_data()
    if reduced:  # the official images are not to be had here: the demo grades on the reduced copy
        os.environ[data.ALLOW_REDUCED_ENV] = "1"
        console.say(f"{', '.join(reduced)}: the official data could not be fetched; the demo grades on the reduced "
                    "copy from the mirror (not the course's own figures).")
    for name, reason in missing.items():
        console.say(f"{name}: not available, so the demo leaves out {', '.join(api.demo_left_out([name]))}. {reason}")
    outcome = api.demo(Path(args.dir).resolve(), without=frozenset(missing), workers=args.workers)
    return 1 if outcome.failed else 0


# Commands that grade: their noise goes to a log file unless --verbose.
_LOGGED = {"grade", "batch", "demo"}


def _log_folder(args) -> Path | None:
    if args.command == "batch":
        return (Path(args.course).resolve() if args.course else course_root()) / STATE_DIR
    if args.command == "demo":
        return Path(args.dir).resolve().parent
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    logged = argparse.ArgumentParser(add_help=False)
    logged.add_argument("--verbose", action="store_true",
                        help="show nbgrader's, TensorFlow's and Dask's own output instead of logging it to a file")
    commands = parser.add_subparsers(dest="command", required=True)

    data_parser = commands.add_parser("data", help="course data sets")
    data_commands = data_parser.add_subparsers(dest="data_command", required=True)
    fetch = data_commands.add_parser(
        "fetch", help="download (or copy from a mirror), verify, and place into the assignments' data/ folders"
    )
    fetch.add_argument("datasets", nargs="*", help="data sets to fetch (default: all the assignments use)")
    fetch.add_argument("--mirror", metavar="DIR", help="copy from this folder instead of downloading "
                       "(default: $AUTOGRADER_DATA_MIRROR)")
    fetch.add_argument("--reduced", action="store_true", help="accept a reduced horse-or-human copy "
                       "from the mirror (not the official data; also AUTOGRADER_ALLOW_REDUCED=1)")
    fetch.set_defaults(run=_data_fetch)

    release = commands.add_parser("release", help="generate the starters in assignments/ from solutions/")
    release.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    release.add_argument("--check", action="store_true", help="exit 1 if a committed starter is stale")
    release.set_defaults(run=_release)

    grade = commands.add_parser("grade", parents=[logged], help="grade one notebook with nbgrader autograde")
    grade.add_argument("notebook", help="the submitted .ipynb file")
    grade.add_argument("--assignment", help="assignment id (default: from the notebook)")
    grade.add_argument("--json", action="store_true", help="print the result as JSON")
    grade.add_argument("--feedback", metavar="FILE.html", help="also write nbgrader's feedback HTML here")
    grade.add_argument("--report", metavar="FILE.html", help="also write the feedback report here: points, "
                       "messages and fixes per part, training curves, your model beside the task's")
    grade.set_defaults(run=_grade)

    batch = commands.add_parser("batch", parents=[logged], help="autograde submitted/ on Dask, write feedback and grades.csv")
    batch.add_argument("--course", metavar="DIR", help="course folder (default: this checkout)")
    batch.add_argument("--assignment", help="only this assignment")
    batch.add_argument("--student", help="only this learner")
    batch.add_argument("--workers", type=int, help="local Dask workers (default: one per core that fits in memory)")
    batch.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="use a running Dask cluster instead")
    batch.add_argument("--force", action="store_true", help="regrade submissions that did not change")
    batch.add_argument("--sequential", action="store_true", help="plain nbgrader autograde, one after another")
    batch.set_defaults(run=_batch)

    demo = commands.add_parser("demo", parents=[logged], help="data, release, and grade the reference and a blank starter")
    demo.add_argument("--dir", default="demo-course", help="where to build the demo course (default: demo-course)")
    demo.add_argument("--mirror", metavar="DIR", help="data mirror folder (default: $AUTOGRADER_DATA_MIRROR)")
    demo.add_argument("--workers", type=int, help="local Dask workers (default: one per core that fits in memory)")
    demo.set_defaults(run=_demo)

    add_similarity(commands)
    add_platform(commands)
    add_export(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    find_scripts()
    log = None
    if args.command in _LOGGED and not args.verbose:
        log = console.log_path(_log_folder(args), args.command)
    try:
        with console.quiet(log):
            if args.command in _LOGGED:
                _warn_without_root()
            return args.run(args)
    except (data.DataError, GradingError, CourseError) as error:
        print(f"autograder: {error}", file=sys.stderr)
        return 2
    finally:
        if log is not None:
            print(f"log: {log}", file=sys.stderr, flush=True)


def _warn_without_root() -> None:
    if not kernel_isolation():
        console.say("warning: grading kernels cannot run as their own user here (the grader is not root, or "
                    "unshare/setpriv are refused): hiding the hidden checks from learner code is best effort. "
                    "See the README's threat model.")


if __name__ == "__main__":
    sys.exit(main())
