"""`autograder export --format canvas`: a gradebook built with nbgrader's API, exported, read back."""
import csv
import shutil
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from autograder.pipeline import export_cli
from autograder.pipeline.course_folder import Course
from autograder.pipeline.export import IDENTITY, POINTS_POSSIBLE

QUIZ, W2 = "c1w1-quiz", "c1w2-mnist-callback"
CELLS = {QUIZ: {"q1": 4, "q2": 4}, W2: {"model": 2, "fit": 3}}
SCORES = {("alice", QUIZ): {"q1": 4, "q2": 2}, ("alice", W2): {"model": 2, "fit": 3}, ("bob", QUIZ): {"q1": 4, "q2": 4}}


@pytest.fixture(scope="module")
def gradebook_file(tmp_path_factory):
    """A gradebook with two assignments and three learners: alice submitted both (week 2 one
    point late), bob the quiz, carol nothing. Built once: a new gradebook runs nbgrader's alembic."""
    course = Course(tmp_path_factory.mktemp("gradebook"))
    with Gradebook(course.db_url, course.course_id) as gradebook:
        for assignment, cells in CELLS.items():
            gradebook.add_assignment(assignment)
            gradebook.add_notebook(assignment, assignment)
            for name, points in cells.items():
                gradebook.add_grade_cell(name, assignment, assignment, max_score=points, cell_type="code")
        gradebook.add_student("alice", first_name="Alice", last_name="Smith", lms_user_id="101")
        gradebook.add_student("bob", lms_user_id="lti-3f9a")  # not a Canvas user id
        gradebook.add_student("carol", first_name="Carol", last_name="Doe, Jr.")
        for (student, assignment), scores in SCORES.items():
            _submit(gradebook, assignment, student, scores)
        gradebook.find_submission_notebook(W2, W2, "alice").late_submission_penalty = 1.0
        gradebook.db.commit()
    return course.root / "gradebook.db"


@pytest.fixture
def course(tmp_path, gradebook_file):
    """A course folder holding a copy of that gradebook."""
    shutil.copyfile(gradebook_file, tmp_path / "gradebook.db")
    return tmp_path


def _submit(gradebook, assignment, student, scores):
    gradebook.add_submission(assignment, student)
    for cell, score in scores.items():
        gradebook.find_grade(cell, assignment, assignment, student).auto_score = score


def read(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as file:
        return list(csv.reader(file))


def export(course, *options) -> list[list[str]]:
    assert export_cli.main(["--course", str(course), *options]) == 0
    return read(course / "canvas_grades.csv")


def test_canvas_csv_has_the_identity_columns_points_and_scores(course):
    rows = export(course)
    assert rows[0] == IDENTITY + [QUIZ, W2]
    assert rows[1] == [POINTS_POSSIBLE, "", "", "", "", "8", "5"]
    assert rows[2:] == [  # by name
        ["bob", "", "", "bob", "", "8", ""],  # an LTI id is not Canvas's ID; no submission: empty
        ["Doe, Jr., Carol", "", "", "carol", "", "", ""],
        ["Smith, Alice", "101", "", "alice", "", "6", "4"],  # late penalty taken off
    ]


def test_options_name_canvas_assignments_sections_and_missing_work(course):
    rows = export(course, "--canvas-id", f"{QUIZ}=5501", "--section", "Spring", "--id-column", "SIS User ID",
                  "--missing-as-zero", "--assignment", QUIZ)
    assert rows[0] == IDENTITY + [f"{QUIZ} (5501)"]
    assert rows[3] == ["Doe, Jr., Carol", "", "carol", "", "Spring", "0"]


def test_a_canvas_roster_gives_canvas_ids_and_sections(course, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Homework 0 (77)\n"
                      "    Points Possible,,,,,10\n"
                      "\"Smith, Alice\",9001,S-17,alice,Section A,9\n", encoding="utf-8")
    rows = export(course, "--roster", str(roster))
    assert rows[4] == ["Smith, Alice", "9001", "S-17", "alice", "Section A", "6", "4"]
    assert rows[2][:5] == ["bob", "", "", "bob", ""]  # not on the roster: written as the gradebook knows him


def test_a_roster_without_the_id_column_is_refused(course, tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("Name,Email\nAlice,alice@example.org\n")
    assert export_cli.main(["--course", str(course), "--roster", str(roster)]) == 2
    assert "has no 'SIS Login ID' column" in capsys.readouterr().err


def test_no_gradebook_says_to_grade_first(tmp_path, capsys):
    assert export_cli.main(["--course", str(tmp_path)]) == 2
    assert "No gradebook at" in capsys.readouterr().err and not (tmp_path / "gradebook.db").exists()


def test_csv_format_is_nbgraders_own(course):
    assert export_cli.main(["--course", str(course), "--format", "csv"]) == 0
    rows = read(course / "grades.csv")
    assert rows[0][:4] == ["assignment", "duedate", "timestamp", "student_id"] and len(rows) == 7


@pytest.mark.slow
def test_nbgrader_export_uses_the_plugin(course):
    """The plugin route: `nbgrader export` with the plugin class, in the course folder."""
    course_id = Course(course).course_id
    (course / "nbgrader_config.py").write_text(f'c = get_config()\nc.CourseDirectory.course_id = "{course_id}"\n')
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--exporter",
                           "autograder.pipeline.export.CanvasExportPlugin", "--to", "from-nbgrader.csv"],
                          cwd=course, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert read(course / "from-nbgrader.csv") == export(course)
