"""One real grading, shared by the three platforms: a learner's c1w1-quiz with one wrong answer
and one failing cell is graded once, as `autograder grade` grades it; then each platform's
whole command runs on that notebook put where the platform puts it, its grading step handing
back that one result (and report) instead of grading again."""
import json
from pathlib import Path

import nbformat
import pytest
from notebooks import cell, master, plain
from platform_cases import assert_valid, put, starter

from autograder.feedback.report import hidden_source_in
from autograder.pipeline.course_folder import write_atomically
from autograder.pipeline.grade import grade_notebook
from autograder.platforms import PLATFORMS, cli, outcome

pytestmark = pytest.mark.slow  # grades a notebook

QUIZ = "c1w1-quiz"
SUBMISSION = {"gradescope": "submission", "prairielearn": "student", "coursera": "submission"}
WRITTEN = {"gradescope": ["results/results.json"], "prairielearn": ["results/results.json"],
           "coursera": ["feedback.json", "htmlFeedback.html"]}


@pytest.fixture(scope="module")
def learner_notebook(tmp_path_factory) -> Path:
    """The starter with the master's answers, except a wrong question 1 and a failing question 2."""
    notebook = nbformat.read(starter(QUIZ), as_version=4)
    solutions = master(QUIZ)
    for answer in notebook.cells:
        grade_id = answer.metadata.get("nbgrader", {}).get("grade_id")
        if answer.metadata.get("nbgrader", {}).get("solution"):
            answer.source = plain(cell(solutions, grade_id).source)
    cell(notebook, "q1_answer").source = 'q1_answer = "A"'
    cell(notebook, "q2_answer").source = "q2_answer = undefined_name"
    path = tmp_path_factory.mktemp("learner") / "my quiz.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def graded(learner_notebook, tmp_path_factory):
    """(result, feedback report) of the one real grading."""
    report = tmp_path_factory.mktemp("report") / "report.html"
    return grade_notebook(learner_notebook, None, report_to=report), report.read_text()


@pytest.fixture
def replay(graded, monkeypatch) -> list:
    """Each platform's grading step hands back the shared result; returns what it was asked."""
    result, report = graded
    asked = []

    def grade_once(path, assignment_id=None, report_to=None):
        asked.append((Path(path).name, assignment_id))
        if report_to is not None:
            write_atomically(report_to, report)
        return result

    monkeypatch.setattr(outcome, "grade_notebook", grade_once)
    return asked


def run_platform(platform: str, root: Path, notebook: Path) -> dict[str, str]:
    """The platform's command on `notebook`; the files it wrote, by name."""
    put(root / SUBMISSION[platform], "my quiz.ipynb", notebook)
    assert cli.main([platform, "--root", str(root)]) == 0
    return {name: (root / name).read_text() for name in WRITTEN[platform]}


def test_the_shared_grading_scored_the_quiz(graded):
    result, report = graded
    scores = {test.grade_id: test.points for test in result.tests}
    assert result.score == 6 and result.max_score == 8
    assert scores["test_q1_answer"] == scores["test_q2_answer"] == 0
    assert "undefined_name" in next(t.message for t in result.tests if t.grade_id == "test_q2_answer")
    assert f"Feedback: {QUIZ}" in report and hidden_source_in(report) == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_platform_writes_its_schema_without_hidden_tests(platform, tmp_path, learner_notebook, replay):
    written = run_platform(platform, tmp_path, learner_notebook)
    assert replay == [("my quiz.ipynb", QUIZ)]  # found where the platform puts it; the assignment from its metadata
    assert_valid(platform, written[WRITTEN[platform][0]])
    for name, text in written.items():
        assert hidden_source_in(text) == [], f"{platform} {name} shows hidden test source"


def test_the_three_platforms_agree_on_the_grade(tmp_path, learner_notebook, replay, graded):
    written = {platform: run_platform(platform, tmp_path / platform, learner_notebook) for platform in PLATFORMS}
    gradescope = json.loads(written["gradescope"]["results/results.json"])
    prairielearn = json.loads(written["prairielearn"]["results/results.json"])
    coursera = json.loads(written["coursera"]["feedback.json"])
    assert gradescope["score"] == 6
    assert [test["status"] for test in gradescope["tests"]][:3] == ["failed", "failed", "passed"]
    assert prairielearn["score"] == coursera["fractionalScore"] == 0.75
    assert sum(test["points"] for test in prairielearn["tests"]) == 6
    assert written["coursera"]["htmlFeedback.html"] == graded[1]  # learners see our feedback report
