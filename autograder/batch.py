"""Grading a whole course folder, and the demo that builds one from the reference solutions."""
from __future__ import annotations

import shutil
from pathlib import Path

from autograder import course as course_layout
from autograder.grading import Course, SubmissionResult

GRADES_CSV = "grades.csv"


def submissions(course: Course, assignment_id: str | None = None, student: str | None = None):
    """(assignment id, student) for every notebook folder under submitted/."""
    found = []
    for student_dir in sorted((course.root / course.api.coursedir.submitted_directory).glob("*")):
        if student and student_dir.name != student:
            continue
        for assignment_dir in sorted(student_dir.glob("*")):
            if assignment_dir.is_dir() and (assignment_id is None or assignment_dir.name == assignment_id):
                found.append((assignment_dir.name, student_dir.name))
    return found


def grade_course(root: Path, assignment_id: str | None = None, student: str | None = None) -> list[SubmissionResult]:
    """Autograde submitted/ into the gradebook, then write feedback and grades.csv."""
    course = Course(root)
    todo = submissions(course, assignment_id, student)
    if not todo:
        print(f"Nothing to grade under {course.root / 'submitted'}: expected submitted/<student>/<assignment>/.")
        return []
    known = course_layout.assignments(course.root)
    results = []
    for assignment in sorted({a for a, _ in todo}):
        if not course.has_assignment(assignment):
            course.release(assignment)  # the gradebook needs the master's cells first
        if assignment in known:
            course.place_data(known[assignment])
        for assignment_now, learner in todo:
            if assignment_now != assignment:
                continue
            print(f"autograding {assignment} for {learner} …", flush=True)
            result = course.autograde(assignment, learner)
            results.append(result)
            print(f"  {result.score:g} / {result.max_score:g}")
        course.feedback(assignment, student)
    csv = course.export_csv(course.root / GRADES_CSV)
    print(grade_table(results))
    print(f"feedback: {course.root / course.api.coursedir.feedback_directory}\ngrades:   {csv}")
    return results


def grade_table(results: list[SubmissionResult]) -> str:
    rows = [("assignment", "learner", "score", "passed")]
    for result in results:
        passed = sum(test.passed for test in result.tests)
        rows.append((result.assignment, result.student, f"{result.score:g}/{result.max_score:g}",
                     f"{passed}/{len(result.tests)} tests"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) for row in rows)


def demo(folder: Path, mirror: str | None = None) -> list[SubmissionResult]:
    """Build a course from the reference solutions and grade two sample learners.

    `reference` submits the master notebooks (full marks expected) and `blank` the untouched
    starters (zero expected, and the run must not fail).
    """
    import os

    if mirror:
        os.environ["AUTOGRADER_DATA_MIRROR"] = str(Path(mirror).resolve())
    project = course_layout.course_root()
    if folder.exists():
        shutil.rmtree(folder)
    (folder / course_layout.SOURCE_DIR).mkdir(parents=True)
    shutil.copyfile(project / "nbgrader_config.py", folder / "nbgrader_config.py")
    course = Course(folder)
    for assignment in course_layout.assignments(project).values():
        source = folder / course_layout.SOURCE_DIR / assignment.id
        source.mkdir()
        shutil.copyfile(assignment.master, source / assignment.notebook_name)
        starter = course.release(assignment.id) / assignment.notebook_name
        course.submit(assignment.id, "reference", assignment.master)
        course.submit(assignment.id, "blank", starter)
    return grade_course(folder)
