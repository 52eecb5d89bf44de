"""`autograder similarity` end to end on a temporary course: outputs, bad files, bad input."""
from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.similarity import cli
from similarity_variants import REPO, class_of_variants, learner_notebook, make_course, submit, variants

W2, W3 = "c1w2-mnist-callback", "c1w3-mnist-convolutions"
SUMMARY = re.compile(r"^(\S+): (\d+) pairs? flagged among (\d+) learners \(threshold 0\.75\)", re.M)
BROKEN = {
    "not-json": b"this is not a notebook",
    "cut-short": b'{"cells": [{"cell_type": "code", "sour',
    "not-nbformat": b'{"hello": "world"}',
    "empty": b"",
}


@pytest.fixture
def course(tmp_path):
    root = make_course(tmp_path, [W2, W3, "c1w1-quiz"])
    class_of_variants(root, W2)
    return root


def run(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_writes_report_and_csv_and_prints_a_summary(course, capsys):
    code, out, err = run(capsys, "--course", str(course), "--assignment", W2)
    assert code == 0, err
    (assignment, flagged, learners), = SUMMARY.findall(out)
    assert (assignment, learners) == (W2, str(len(os.listdir(course / "submitted"))))
    folder = course / "similarity" / W2
    assert sorted(os.listdir(folder)) == ["pairs.csv", "report.html"]  # no temporary files left
    rows = list(csv.DictReader((folder / "pairs.csv").open()))
    assert list(rows[0]) == ["learner_a", "learner_b", "score", "score_a", "score_b", "b_is_reference"]
    assert sum(float(r["score"]) >= 0.75 for r in rows) == int(flagged) > 0
    html = (folder / "report.html").read_text()
    assert "not evidence of copying by itself, and it does not change any grade" in html
    assert "<mark>" in html and 'class="side-by-side"' in html


def test_unreadable_submissions_are_reported_and_skipped(course, capsys):
    for learner, content in BROKEN.items():
        submit(course, learner, W2, raw=content)
    (course / "submitted" / "renamed" / W2).mkdir(parents=True)
    (course / "submitted" / "renamed" / W2 / "my work.ipynb").write_text("{}")
    code, out, err = run(capsys, "--course", str(course), "--assignment", W2)
    assert code == 0, err
    assert "5 not compared" in out
    html = (course / "similarity" / W2 / "report.html").read_text()
    for learner in [*BROKEN, "renamed"]:
        assert re.search(rf"<td>{learner}</td><td>unreadable, skipped: ", html), learner
    assert "not JSON" in html and f"no notebook at {course / 'submitted' / 'renamed' / W2 / (W2 + '.ipynb')}" in html


def test_references_are_compared_and_labelled(course, capsys, tmp_path_factory):
    references = tmp_path_factory.mktemp("published")
    published = variants(W2, "independent")["ben"]  # as if ben had copied it from a public repository
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import tensorflow as tf")]
                                        + [nbformat.v4.new_code_cell(code) for code in published.values()])
    nbformat.write(notebook, references / "week2-solution.ipynb")
    (references / "broken.ipynb").write_text("{")
    code, out, err = run(capsys, "--course", str(course), "--assignment", W2, "--reference", str(references))
    assert code == 0, err
    assert re.search(r"; [1-9]\d* match(es)? with 1 reference", out)
    rows = list(csv.DictReader((course / "similarity" / W2 / "pairs.csv").open()))
    hits = {r["learner_a"] for r in rows if r["b_is_reference"] == "yes" and float(r["score"]) >= 0.75}
    assert {"ben", "ben--all-edits"} <= hits
    html = (course / "similarity" / W2 / "report.html").read_text()
    assert "matches a published solution</span> reference: week2-solution.ipynb" in html
    assert "reference: broken.ipynb</td><td>unreadable, skipped" in html


def test_every_assignment_with_submissions_without_assignment(course, capsys, tmp_path):
    submit(course, "ana", W3, learner_notebook(W3, variants(W3, "independent")["ana"]))
    submit(course, "ben", "c1w1-quiz", learner_notebook("c1w1-quiz", {"q1_answer": 'q1_answer = "C"'}))
    code, out, err = run(capsys, "--course", str(course), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert [m[0] for m in SUMMARY.findall(out)] == ["c1w1-quiz", W2, W3]
    assert "c1w1-quiz: 0 pairs flagged among 1 learners (threshold 0.75); 1 not compared" in out
    assert (tmp_path / "out" / W3 / "report.html").is_file()
    assert "No learner wrote enough code of their own" in (tmp_path / "out" / "c1w1-quiz" / "report.html").read_text()


@pytest.mark.parametrize("args, message", [
    (["--assignment", "c9w9-nothing"], "Unknown assignment 'c9w9-nothing'. Known assignments: c1w1-quiz, "),
    (["--assignment", W3], f"No submissions of {W3} in "),
    (["--assignment", W2, "--reference", "/nonexistent/published"], "--reference folder /nonexistent/published does not exist"),
])
def test_bad_input_says_what_to_do(course, capsys, args, message):
    code, out, err = run(capsys, "--course", str(course), *args)
    assert code == 2 and message in err and out == ""


def test_no_submissions_at_all(tmp_path, capsys):
    code, _, err = run(capsys, "--course", str(make_course(tmp_path, [W2])))
    assert code == 2 and "No submissions in" in err and "submitted/<learner>/<assignment>/<assignment>.ipynb" in err


def test_not_a_course_folder_and_empty_reference(course, capsys, tmp_path):
    code, _, err = run(capsys, "--course", str(tmp_path / "nowhere"))
    assert code == 2 and "is not a course folder" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "--course", str(course), "--reference", str(tmp_path / "empty"))
    assert code == 2 and "No .ipynb or .py files" in err


def test_threshold_must_be_a_score(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--threshold", "75"])
    assert stop.value.code == 2 and "not a score between 0 and 1" in capsys.readouterr().err


def test_add_parser_wires_into_an_existing_command_line():
    parser = argparse.ArgumentParser(prog="autograder")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["similarity", "--assignment", W2, "--threshold", "0.6"])
    assert args.run is cli.run and args.threshold == 0.6 and args.reference is None


@pytest.mark.slow
def test_python_dash_m_runs_on_its_own(course):
    done = subprocess.run([sys.executable, "-m", "autograder.similarity", "--course", str(course), "--assignment", W2,
                           "--threshold", "0.9"], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    assert re.match(rf"{W2}: \d+ pairs? flagged among \d+ learners \(threshold 0\.90\)\n  report: ", done.stdout)
