"""Grading a whole course folder: `autograder batch` (on Dask, or plain nbgrader one after another)."""
from __future__ import annotations

import time
from pathlib import Path

from autograder import data
from autograder.course import assignments
from autograder.feedback.report import REPORTS_DIR, report_from_course, report_path
from autograder.pipeline.batch import BatchResult, as_feedback_page, grade_batch
from autograder.pipeline.course_folder import Course, write_atomically
from autograder.results import SubmissionResult

GRADES_CSV = "grades.csv"


def submissions(course: Course, assignment_id: str | None = None, student: str | None = None):
    """(assignment id, student) for every notebook folder under submitted/."""
    found = []
    for student_dir in sorted(course.folder("submitted").glob("*")):
        if student and student_dir.name != student:
            continue
        for assignment_dir in sorted(student_dir.glob("*")):
            if assignment_dir.is_dir() and (assignment_id is None or assignment_dir.name == assignment_id):
                found.append((assignment_dir.name, student_dir.name))
    return found


def grade_sequentially(root: Path, assignment_id: str | None = None, student: str | None = None) -> BatchResult:
    """Plain `nbgrader autograde`, one submission after another, in this process."""
    course = Course(root)
    known = assignments(course.root)
    report = BatchResult()
    todo = submissions(course, assignment_id, student)
    for assignment in sorted({a for a, _ in todo}):
        if not course.has_assignment(assignment):
            course.release(assignment)  # the gradebook needs the master's cells first
        course.place_data(assignment, known[assignment].datasets)
        for learner in [s for a, s in todo if a == assignment]:
            started = time.perf_counter()
            report.graded.append((course.autograde(assignment, learner), time.perf_counter() - started))
        course.feedback(assignment, student)
        for result, _ in report.graded:
            if result.assignment == assignment:
                _write_report(course, result)
                as_feedback_page(course, result.assignment, result.student)
    if report.graded:
        course.export_csv(course.root / GRADES_CSV)
    return report


def _write_report(course: Course, result: SubmissionResult) -> None:
    write_atomically(report_path(course.root, result.student, result.assignment), report_from_course(course, result))


def grade_course(root: Path, assignment_id: str | None = None, student: str | None = None, *,
                 sequential: bool = False, **options) -> BatchResult:
    """Autograde submitted/ into the gradebook, write feedback and grades.csv, print a summary."""
    course = Course(root)
    if not submissions(course, assignment_id, student):
        print(f"Nothing to grade under {course.folder('submitted')}: expected submitted/<student>/<assignment>/.")
        return BatchResult()
    started = time.perf_counter()
    if sequential:
        report = grade_sequentially(root, assignment_id, student)
    else:
        report = grade_batch(root, assignment_id, student, **options)
    print(summary(report, time.perf_counter() - started, _reduced_data(course)))
    print(f"feedback: {course.folder('feedback')}\nreports:  {course.root / REPORTS_DIR}\n"
          f"grades:   {course.root / GRADES_CSV}")
    return report


def _reduced_data(course: Course) -> dict[str, str]:
    """assignment -> the data set it was graded on a reduced copy of."""
    found = {}
    for assignment in assignments(course.root).values():
        for name in assignment.datasets:
            try:
                if data.variant(name) == "reduced":
                    found[assignment.id] = name
            except data.DataError:  # not fetched: nothing was graded on it
                pass
    return found


def summary(report: BatchResult, seconds: float, reduced: dict[str, str] | None = None) -> str:
    rows = [("assignment", "learner", "score", "tests passed", "seconds")]
    for result, took in sorted(report.graded, key=lambda item: (item[0].assignment, item[0].student)):
        passed = sum(test.passed for test in result.tests)
        rows.append((result.assignment, result.student, f"{result.score:g}/{result.max_score:g}",
                     f"{passed}/{len(result.tests)}", f"{took:.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows]
    lines.append(f"graded {len(report.graded)}, unchanged {len(report.skipped)}, failed "
                 f"{len(report.failed)} in {seconds:.1f} s")
    lines += [f"FAILED {assignment} for {student}: {reason}" for assignment, student, reason in report.failed]
    graded = {result.assignment for result, _ in report.graded}
    lines += [f"note: {assignment} was graded on the reduced copy of {name} (not the official images; its "
              "thresholds are those measured on that copy)" for assignment, name in sorted((reduced or {}).items())
              if assignment in graded]
    return "\n".join(lines)
