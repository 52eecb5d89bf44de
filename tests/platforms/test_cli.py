"""`autograder platform ...` on submissions that cannot be graded: the platform's "not gradable"
form, a message saying what to submit, exit 0. Nothing here starts a grading kernel."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from platform_cases import assert_valid, put, starter

from autograder.platforms import PLATFORMS, cli
from autograder.platforms.outcome import GRADER_FAILED

SUBMISSION = {"gradescope": "submission", "prairielearn": "student", "coursera": "submission"}
RESULTS = {"gradescope": "results/results.json", "prairielearn": "results/results.json", "coursera": "feedback.json"}


def run(platform: str, root: Path, *extra: str) -> tuple[int, dict]:
    code = cli.main([platform, "--root", str(root), *extra])
    return code, json.loads((root / RESULTS[platform]).read_text())


def problem(platform: str, written: dict) -> str:
    """The learner's message in each platform's not-gradable form."""
    return {"gradescope": lambda: written["output"], "prairielearn": lambda: written["format_errors"][0],
            "coursera": lambda: written["feedback"]}[platform]()


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("files, says", [
    ({}, "No Jupyter notebook (.ipynb file) was found in your submission (it is empty)"),
    ({"c1w1-quiz.ipynb": "{\"cells\": "}, "c1w1-quiz.ipynb is not a valid Jupyter notebook (not JSON"),
    ({"a.ipynb": starter("c1w1-quiz"), "b.ipynb": starter("c1w1-quiz")}, "Your submission holds 2 notebooks"),
])
def test_an_unreadable_submission_gets_the_not_gradable_form(tmp_path, platform, files, says):
    (tmp_path / SUBMISSION[platform]).mkdir()
    for name, source in files.items():
        put(tmp_path / SUBMISSION[platform], name, source)
    code, written = run(platform, tmp_path)
    assert code == 0
    assert_valid(platform, written)
    assert problem(platform, written).startswith(says)
    assert written.get("score", 0) == 0 and written.get("fractionalScore", 0) == 0


def test_prairielearn_takes_the_assignment_from_the_question_params(tmp_path):
    put(tmp_path / "student", "c1w1-quiz.ipynb", starter("c1w2-quiz"))
    put(tmp_path / "data", "data.json", json.dumps({"params": {"assignment": "c1w1-quiz"}, "submitted_answers": {}}))
    code, written = run("prairielearn", tmp_path)
    assert code == 0 and written["gradable"] is False
    assert "is the notebook of c1w2-quiz, but this is c1w1-quiz" in written["format_errors"][0]


def test_coursera_writes_a_page_for_an_unreadable_submission(tmp_path):
    put(tmp_path / "submission", "c1w1-quiz.ipynb", "")
    code, written = run("coursera", tmp_path)
    page = (tmp_path / "htmlFeedback.html").read_text()
    assert code == 0 and written["feedbackType"] == "HTML"
    assert "<h1>Not graded</h1>" in page and "c1w1-quiz.ipynb is empty." in page


def test_coursera_part_without_an_assignment_is_the_graders_fault(tmp_path, monkeypatch, capsys):
    put(tmp_path / "submission", "c1w1-quiz.ipynb")
    monkeypatch.setenv("partId", "Zb6wb")
    code, written = run("coursera", tmp_path, "--part", "5ShhY=c1w1-quiz")
    assert code == 1 and written["feedback"] == GRADER_FAILED
    assert "No assignment is mapped to Coursera part 'Zb6wb'" in capsys.readouterr().err


@pytest.mark.slow
def test_the_module_runs_as_a_command(tmp_path):
    """`python -m autograder.platforms` in a child process, as a container's entry command runs it."""
    done = subprocess.run([sys.executable, "-m", "autograder.platforms", "gradescope", "--root", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "results" / "results.json").read_text())["score"] == 0
