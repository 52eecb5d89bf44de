"""The nbgrader exchange end to end, with the real commands, as a JupyterHub course runs it.

An instructor's course folder (the project's nbgrader_config.py plus the exchange settings) and two
learners' home folders share a temporary exchange. The instructor generates and releases the quiz;
ben fetches it, answers and submits on time; the due date passes; ana fetches it, submits a full
answer, changes her mind and submits again (the later submission must win, even though it scores
less). The instructor sets the due date in the gradebook, collects, grades with `autograder batch`,
generates and releases feedback; each learner fetches it. A one-point late-penalty plugin is
configured: ana's grade carries it, ben's does not.

One OS user plays every role here: each learner's identity is `CourseDirectory.student_id` in
their own nbgrader_config.py (on JupyterHub nbgrader takes it from the OS user), and each has their
own submission cache (`Exchange.cache`, on JupyterHub under the user's own home).
"""
from __future__ import annotations

import csv
import datetime
import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from conftest import ROOT, run_autograder

pytestmark = pytest.mark.slow  # grades with autograder batch on a Dask LocalCluster

QUIZ = "c1w1-quiz"
COURSE_ID = "tf-intro-c1"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
PLUGIN = Path(__file__).resolve().parent.parent / "files" / "exchange" / "late_penalty.py"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
WRONG_Q5 = "5"  # ana's second thought on question 5 (the key says 500)


def answer_key() -> dict[str, str]:
    """{"q1_answer": '"C"', ...}: the answers written in the master's solution regions."""
    key = {}
    for cell in nbformat.read(ROOT / "solutions" / QUIZ / f"{QUIZ}.ipynb", as_version=4).cells:
        found = re.search(r"### BEGIN SOLUTION\n(q\d+_answer) = (.+)\n", cell.source)
        if found:
            key[found.group(1)] = found.group(2)
    assert len(key) == 8, key
    return key


def answer(notebook: Path, answers: dict[str, str]) -> None:
    """What a learner does in Jupyter: replace each answer cell's `None` and stub with an answer."""
    fetched = nbformat.read(notebook, as_version=4)
    for cell in fetched.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = re.sub(rf"{grade_id} = .*\n(# YOUR CODE HERE\nraise NotImplementedError\(\)\n?)?",
                                 f"{grade_id} = {answers[grade_id]}\n", cell.source + "\n").rstrip("\n")
            assert STUB not in cell.source and f"{grade_id} = {answers[grade_id]}" in cell.source
    nbformat.write(fetched, notebook)


def visible_text(page: str) -> str:
    """A page's text as a reader sees it (no styles, scripts or tags), spaces collapsed."""
    page = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"(?s)<[^>]+>", " ", page)))


class Exchange(SimpleNamespace):
    """The temporary exchange, course, learners and what each command printed."""

    def run(self, step: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        done = subprocess.run([NBGRADER, *args], cwd=cwd, env=self.env, capture_output=True, text=True,
                              timeout=1800, check=False)
        self.steps[step] = done
        return done

    def must(self, step: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        done = self.run(step, *args, cwd=cwd)
        assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def learner(self, name: str) -> Path:
        return self.base / "home" / name

    def output(self, step: str) -> str:
        done = self.steps[step]
        return f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"


def write_learner_config(folder: Path, exchange: Path, name: str) -> None:
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(folder / '.nbgrader-cache')!r}\n"
        f"c.CourseDirectory.student_id = {name!r}  # JupyterHub: the OS user\n"
    )


@pytest.fixture(scope="module")
def exchange(tmp_path_factory) -> Exchange:
    base = tmp_path_factory.mktemp("exchange-cycle")
    ex = Exchange(base=base, root=base / "exchange", course=base / "course", steps={})
    jupyter = base / "jupyter"  # no user-wide Jupyter or nbgrader configuration applies
    ex.env = {**os.environ, "JUPYTER_CONFIG_DIR": str(jupyter / "config"), "JUPYTER_DATA_DIR": str(jupyter / "data")}

    course = ex.course
    (course / "solutions" / QUIZ).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / QUIZ / f"{QUIZ}.ipynb", course / "solutions" / QUIZ)
    shutil.copy(PLUGIN, course)
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + f"""

# ---- this course on JupyterHub's exchange ----
c.CourseDirectory.course_id = {COURSE_ID!r}
c.Exchange.root = {str(ex.root)!r}
# One OS user plays every learner in this test, so no submission is owned by its learner.
c.ExchangeCollect.check_owner = False
c.AssignLatePenalties.plugin_class = "late_penalty.OnePointPenalty"
""")
    for name in ("ana", "ben"):
        write_learner_config(ex.learner(name), ex.root, name)

    ex.must("generate_assignment", "generate_assignment", QUIZ, cwd=course)
    ex.must("release_assignment", "release_assignment", QUIZ, cwd=course)
    key = answer_key()

    ben = ex.learner("ben")
    ex.must("ben fetch_assignment", "fetch_assignment", QUIZ, cwd=ben)
    answer(ben / QUIZ / f"{QUIZ}.ipynb", key)
    ex.must("ben submit", "submit", QUIZ, cwd=ben)

    time.sleep(1.0)
    ex.duedate = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    time.sleep(1.0)

    ana = ex.learner("ana")
    ex.must("ana fetch_assignment", "fetch_assignment", QUIZ, cwd=ana)
    answer(ana / QUIZ / f"{QUIZ}.ipynb", key)
    ex.must("ana submit 1", "submit", QUIZ, cwd=ana)
    answer(ana / QUIZ / f"{QUIZ}.ipynb", {"q5_answer": WRONG_Q5})
    ex.must("ana submit 2", "submit", QUIZ, cwd=ana)

    ex.must("duedate", "db", "assignment", "add", QUIZ,
            f"--duedate={ex.duedate.strftime('%Y-%m-%d %H:%M:%S.%f')} UTC", cwd=course)
    ex.must("collect", "collect", QUIZ, cwd=course)
    ex.steps["batch"] = batch = run_autograder("batch", "--course", str(course), cwd=course)
    assert batch.returncode == 0, f"autograder batch failed:\n{batch.stdout}\n{batch.stderr}"
    assert "graded 2, unchanged 0, failed 0" in batch.stdout, batch.stdout + batch.stderr
    ex.must("generate_feedback", "generate_feedback", QUIZ, cwd=course)
    # Not asserted here: the tests below say what each of these must do.
    ex.run("release_feedback", "release_feedback", QUIZ, cwd=course)
    for name in ("ana", "ben"):
        ex.run(f"{name} fetch_feedback", "fetch_feedback", QUIZ, cwd=ex.learner(name))
    return ex


def collected_timestamp(ex: Exchange, student: str) -> str:
    return (ex.course / "submitted" / student / QUIZ / "timestamp.txt").read_text().strip()


def fetched_feedback(ex: Exchange, student: str) -> Path:
    """Where `nbgrader fetch_feedback` puts the feedback on the submission that was graded."""
    return ex.learner(student) / QUIZ / "feedback" / collected_timestamp(ex, student) / f"{QUIZ}.html"


def gradebook_submission(ex: Exchange, student: str):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{ex.course / 'gradebook.db'}", COURSE_ID) as gradebook:
        submission = gradebook.find_submission(QUIZ, student)
        grades = {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades
                  if grade.name.startswith("test_")}
        return submission.score, submission.late_submission_penalty, grades


def test_the_later_submission_wins(exchange):
    inbound = sorted((exchange.root / COURSE_ID / "inbound").glob(f"ana+{QUIZ}+*"))
    assert len(inbound) == 2  # both submissions reached the exchange
    latest = max(path.name.split("+")[2] for path in inbound)
    assert collected_timestamp(exchange, "ana") == latest
    collected = nbformat.read(exchange.course / "submitted" / "ana" / QUIZ / f"{QUIZ}.ipynb", as_version=4)
    assert any(f"q5_answer = {WRONG_Q5}\n" in cell.source + "\n" for cell in collected.cells)
    score, _, grades = gradebook_submission(exchange, "ana")
    assert grades.pop("test_q5_answer") == 0 and set(grades.values()) == {1}
    assert score == 7  # the later submission, not the better one


def test_grades_csv_shows_the_late_penalty(exchange):
    with open(exchange.course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ana", "ben"}
    ana, ben = rows["ana"], rows["ben"]
    assert (float(ana["raw_score"]), float(ana["late_submission_penalty"]), float(ana["score"])) == (7, 1, 6)
    assert (float(ben["raw_score"]), float(ben["late_submission_penalty"] or 0), float(ben["score"])) == (8, 0, 8)
    assert ana["timestamp"] > ana["duedate"] > ben["timestamp"]
    assert float(ana["max_score"]) == float(ben["max_score"]) == 8


def test_our_reports_are_written_without_hidden_tests(exchange):
    from autograder.feedback.report import hidden_source_in

    for student in ("ana", "ben"):
        page = (exchange.course / "reports" / student / f"{QUIZ}.html").read_text()
        assert 'class="ag-report"' in page and not hidden_source_in(page)
    assert "Question 5: 5 is not right" in visible_text((exchange.course / "reports" / "ana" / f"{QUIZ}.html").read_text())


def test_learners_fetch_nbgrader_feedback(exchange):
    from autograder.feedback.report import hidden_source_in

    assert exchange.steps["release_feedback"].returncode == 0, exchange.output("release_feedback")
    assert "Traceback" not in exchange.output("release_feedback")
    for student, score in (("ana", "6.0 / 8.0"), ("ben", "8.0 / 8.0")):
        assert exchange.steps[f"{student} fetch_feedback"].returncode == 0, exchange.output(f"{student} fetch_feedback")
        page = fetched_feedback(exchange, student)
        assert page.is_file(), exchange.output(f"{student} fetch_feedback")
        text = visible_text(page.read_text())
        assert f"{QUIZ} (Score: {score})" in text
        assert ("Late submission penalty" in text) == (student == "ana")
        assert not hidden_source_in(page.read_text())


def test_learners_fetch_our_report(exchange):
    page = fetched_feedback(exchange, "ana")
    assert page.is_file(), exchange.output("ana fetch_feedback")
    text = page.read_text()
    assert 'class="ag-report"' in text  # our summary on top ...
    assert "Question 5: 5 is not right" in visible_text(text)  # ... with the grader's hint
    assert f"{QUIZ} (Score: 6.0 / 8.0)" in visible_text(text)  # ... and nbgrader's feedback below it


def test_our_report_shows_the_late_penalty(exchange):
    page = (exchange.course / "reports" / "ana" / f"{QUIZ}.html").read_text()
    summary = visible_text(re.search(r'(?s)<p class="ag-score">.*?</p>', page).group(0))
    assert "6 / 8" in summary and "late" in summary.lower(), summary
    assert "Late submission penalty" in visible_text(page) and f"{QUIZ} (Score: 6.0 / 8.0)" in visible_text(page)


def test_a_due_date_set_before_the_release(tmp_path):
    course = tmp_path / "course"
    (course / "solutions" / QUIZ).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / QUIZ / f"{QUIZ}.ipynb", course / "solutions" / QUIZ)
    shutil.copy(PLUGIN, course)
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text()
                                               + '\nc.AssignLatePenalties.plugin_class = "late_penalty.OnePointPenalty"\n')
    notebook = course / "submitted" / "ana" / QUIZ / f"{QUIZ}.ipynb"
    notebook.parent.mkdir(parents=True)
    shutil.copy(ROOT / "assignments" / QUIZ / f"{QUIZ}.ipynb", notebook)
    answer(notebook, answer_key())
    (notebook.parent / "timestamp.txt").write_text("2026-03-02 10:00:00.000000 UTC")  # as `nbgrader collect` leaves it
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter")}
    added = subprocess.run([NBGRADER, "db", "assignment", "add", QUIZ, "--duedate=2026-03-01 23:59:00 UTC"],
                           cwd=course, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert added.returncode == 0, added.stdout + added.stderr
    done = run_autograder("batch", "--course", str(course), "--workers", "1", cwd=course)
    assert done.returncode == 0 and "graded 1, unchanged 0, failed 0" in done.stdout, done.stdout + done.stderr[-3000:]
    with open(course / "grades.csv", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert (float(row["raw_score"]), float(row["late_submission_penalty"]), float(row["score"])) == (8, 1, 7)
