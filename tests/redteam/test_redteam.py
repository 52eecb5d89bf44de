"""The red-team corpus (tests/redteam/redteam_cases.py) through the real grading path.

One course holds every case as a learner; `autograder batch` grades them all once on two
Dask workers. Each case must leave the batch standing, cost exactly the parts it attacks or
breaks, tell the learner why, and keep the gradebook consistent.
"""
import shutil
import time
import zipfile

import nbformat
import pytest

from autograder.pipeline.course_folder import Course
from conftest import ROOT, run_autograder
from redteam_cases import ASSIGNMENTS, CASES, CHEATS, LIMITS, master



GRADED = [case for case in CASES if not case.refused]
REFUSED = [case for case in CASES if case.refused]


def test_the_corpus_is_big_enough():
    assert len([c for c in CASES if c.kind == "bad input"]) >= 30 and len(CHEATS) >= 12
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    course = tmp_path_factory.mktemp("redteam") / "course"
    shutil.copy(ROOT / "nbgrader_config.py", course.parent / "nbgrader_config.py")
    (course / "solutions").mkdir(parents=True)
    shutil.move(course.parent / "nbgrader_config.py", course / "nbgrader_config.py")
    for assignment in ASSIGNMENTS:
        notebook = master(assignment)
        notebook.metadata["autograder"]["limits"] = LIMITS[assignment]
        (course / "solutions" / assignment).mkdir()
        nbformat.write(notebook, course / "solutions" / assignment / f"{assignment}.ipynb")
    for case in CASES:
        folder = course / "submitted" / case.name / case.assignment
        folder.mkdir(parents=True)
        case.build(folder)
    started = time.time()
    done = run_autograder("batch", "--course", str(course), "--workers", "2")
    print(f"\nred-team corpus: {len(CASES)} cases graded in {time.time() - started:.0f} s")
    assert "Traceback" not in done.stderr.split("100%")[-1], done.stderr[-3000:]
    return course, done, Course(course), started


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_unreadable_submissions_are_reported_not_graded(corpus, case):
    _, done, _, _ = corpus
    line = next((l for l in done.stdout.splitlines() if l.startswith(f"FAILED {case.assignment} for {case.name}:")), "")
    assert case.refused in line, done.stdout


@pytest.mark.parametrize("case", GRADED, ids=lambda c: c.name)
def test_each_case_costs_only_what_it_breaks(corpus, case):
    _, done, course, _ = corpus
    assert f"for {case.name}:" not in done.stdout, "the submission should have been graded"
    result = course.result(case.assignment, case.name)
    expected_max = sum(c.metadata["nbgrader"]["points"] for c in master(case.assignment).cells
                       if c.metadata.get("nbgrader", {}).get("grade"))
    assert result.max_score == expected_max, "a submission must not change what the parts are worth"
    assert {t.grade_id for t in result.tests} == {c.metadata["nbgrader"]["grade_id"] for c in master(case.assignment).cells
                         if c.metadata.get("nbgrader", {}).get("grade")}, "one gradebook row per part"
    for test in result.tests:
        outcome, words = case.expect.get(test.grade_id, (case.rest, ""))
        if outcome == "zero":
            assert test.points == 0, f"{test.grade_id} should score 0"
            assert test.message and words in test.message, f"{test.grade_id}: {test.message!r}"
        elif outcome == "full":
            assert test.points == test.max_points, f"{test.grade_id} lost points: {test.message}"


def test_every_case_was_graded_or_reported(corpus):
    _, done, _, _ = corpus
    assert f"graded {len(GRADED)}, unchanged 0, failed {len(REFUSED)}" in done.stdout, done.stdout[-2000:]


@pytest.mark.slow
@pytest.mark.parametrize("case", REFUSED[:4], ids=lambda c: c.name)
def test_grade_refuses_unreadable_files_with_a_message(tmp_path, case):
    folder = tmp_path / case.assignment
    folder.mkdir()
    case.build(folder)
    path = next(folder.iterdir())
    done = run_autograder("grade", str(path), "--assignment", case.assignment)
    assert done.returncode == 2 and case.refused in done.stderr, done.stderr


def test_no_process_outlives_its_grading(corpus):
    """The `fork` case leaves a child sleeping for 10 minutes; grading must have killed it."""
    import psutil

    *_, started = corpus
    orphans = [p for p in psutil.process_iter(["cmdline", "create_time", "ppid"])
               if p.info["create_time"] >= started and p.info["ppid"] == 1
               and "ipykernel" in " ".join(p.info["cmdline"] or [])]
    assert not orphans


def _zip_bomb(path, megabytes=600):
    """An archive of a few hundred KB that unpacks to `megabytes` of zeros, inside another archive."""
    inner = path.with_suffix(".inner.zip")
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.ipynb", "w") as member:
            chunk = b"\0" * 2**20
            for _ in range(megabytes):
                member.write(chunk)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.write(inner, "nested.zip")
    inner.unlink()


@pytest.mark.slow
def test_zip_bomb_through_zip_collect_is_not_extracted(tmp_path):
    course = tmp_path / "course"
    (course / "solutions" / "c1w1-quiz").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "c1w1-quiz" / "c1w1-quiz.ipynb", course / "solutions" / "c1w1-quiz")
    (course / "nbgrader_config.py").write_text(
        (ROOT / "nbgrader_config.py").read_text()
        + '\nc.FileNameCollectorPlugin.named_regexp = r"(?P<student_id>[a-z]+)_(?P<file_id>.*)"\n')
    archive = course / "downloaded" / "c1w1-quiz" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "ada_submission.zip", "w") as good:
        good.write(ROOT / "assignments" / "c1w1-quiz" / "c1w1-quiz.ipynb", "c1w1-quiz.ipynb")
    _zip_bomb(archive / "bob_submission.zip")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "nbgrader", "zip_collect", "c1w1-quiz", "--force"],
                          cwd=course, capture_output=True, text=True, timeout=600)
    log = done.stdout + done.stderr
    assert "Not extracted" in log and "bob_submission.zip" in log and "unpacks to more than" in log, log
    extracted = sum(p.stat().st_size for p in (course / "downloaded").rglob("*") if p.is_file())
    assert extracted < 50 * 2**20, "the bomb must not be unpacked"
    assert any((course / "downloaded" / "c1w1-quiz" / "extracted").rglob("c1w1-quiz.ipynb"))
