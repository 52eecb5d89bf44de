"""The single writer: recording a worker's notebook directly gives what nbgrader's own autograde
(replayed on the same notebook) gives, and a notebook that is not the sanitized submission is refused."""
import datetime
import shutil

import nbformat
import pytest
from nbgrader.preprocessors import SaveAutoGrades
from traitlets.config import Config

from autograder import course as course_layout
from autograder.pipeline import direct_record
from autograder.pipeline.course_folder import Course
from autograder.pipeline.jobs import GradedJob, GradingJob, released_course, run_job, scratch_config
from autograder.pipeline.recorder import Recorder
from notebooks import ROOT, cell, gradebook_rows, master, plain

QUIZ = "c1w1-quiz"
NAME = f"{QUIZ}.ipynb"
PLUGIN = ROOT / "tests" / "files" / "exchange" / "late_penalty.py"
LATE = '\nc.AssignLatePenalties.plugin_class = "late_penalty.OnePointPenalty"\n'


def learner_notebook():
    """Right, wrong and unanswered questions: points, zeros and nbgrader's "No response."."""
    notebook = master(QUIZ)
    for c in notebook.cells:
        c.source = plain(c.source)
    cell(notebook, "q1_answer").source = 'q1_answer = "A"'
    starter = nbformat.read(ROOT / "assignments" / QUIZ / NAME, as_version=4)
    cell(notebook, "q2_answer").source = cell(starter, "q2_answer").source
    return notebook


@pytest.fixture(scope="module")
def graded():
    """One quiz graded by a worker (a real kernel and the hidden checks)."""
    assignment = course_layout.assignment(QUIZ, ROOT)
    job = GradingJob(QUIZ, "ada", assignment.master.read_text(), {NAME: nbformat.writes(learner_notebook()).encode()},
                     assignment.datasets, (ROOT / "nbgrader_config.py").read_text() + LATE)
    return run_job(job)


def as_student(graded: GradedJob, student: str, notebooks=None) -> GradedJob:
    job = graded.job
    moved = GradingJob(job.assignment_id, student, job.master, job.files, job.datasets, job.config, job.hide)
    return GradedJob(moved, notebooks or dict(graded.notebooks), graded.seconds, graded.artifacts)


def recording_course(folder, graded: GradedJob, students, late=()) -> Course:
    """A released course with a due date; the `late` students handed in a day after it."""
    folder.mkdir()
    shutil.copy(PLUGIN, folder)
    course = released_course(folder, scratch_config(folder, graded.job.config), QUIZ, graded.job.master,
                             graded.job.config, keep_master=True)
    due = datetime.datetime(2026, 12, 1, 12, 0)
    with course.gradebook() as gradebook:
        gradebook.update_or_create_assignment(QUIZ, duedate=due)
    for student in students:
        course.submit_files(QUIZ, student, graded.job.files)
        handed_in = due + datetime.timedelta(days=1 if student in late else -1)
        (course.folder("submitted") / student / QUIZ / "timestamp.txt").write_text(str(handed_in))
    return course


def without_kernel_records(text: str):
    """The notebook without what its kernel reported besides outputs (per-cell timings, language
    details): nbgrader's Execute keeps them, as the worker's copy does; the replay copies only outputs."""
    notebook = nbformat.reads(text, as_version=4)
    notebook.metadata.pop("language_info", None)
    for c in notebook.cells:
        c.metadata.pop("execution", None)
    return notebook


@pytest.mark.slow  # grades a quiz in a kernel
def test_direct_recording_equals_nbgrader_autograde(graded, tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(PLUGIN.parent))  # the course's late-penalty plugin
    students = ["ada", "ben", "cem"]
    recorded = {}
    for replay in (True, False):
        folder = tmp_path / ("replay" if replay else "direct")
        course = recording_course(folder, graded, students, late={"ben"})
        with Recorder(course, replay=replay) as recorder:
            assert recorder.direct is not replay
            results = recorder.record_many([as_student(graded, s) for s in students])
        autograded = course.folder("autograded")
        recorded[replay] = (
            gradebook_rows(folder), results,
            sorted((str(p.relative_to(autograded)), p.stat().st_mode) for p in autograded.rglob("*")),
            without_kernel_records((autograded / "ada" / QUIZ / NAME).read_text()),
        )
    assert recorded[True] == recorded[False]
    rows, results, files, _ = recorded[False]
    assert [(r.score, r.late_penalty) for r in results] == [(6.0, 0.0), (6.0, 1.0), (6.0, 0.0)]
    assert ("ada", QUIZ, "q2_answer", "No response.", None) in rows
    assert f"ada/{QUIZ}/timestamp.txt" in [name for name, _ in files]


def tampered(graded: GradedJob, change) -> dict[str, str]:
    notebook = nbformat.reads(graded.notebooks[NAME], as_version=4)
    change(notebook)
    return {NAME: nbformat.writes(notebook)}


def _points(notebook):
    cell(notebook, "test_q1_answer").metadata["nbgrader"]["points"] = 100.0


def _test_source(notebook):
    cell(notebook, "test_q1_answer").source = "pass"


def _answer(notebook):
    cell(notebook, "q1_answer").source = 'q1_answer = "C"'


def _extra_cell(notebook):
    notebook.cells.append(nbformat.v4.new_code_cell("print('extra')"))


def _duplicate_id(notebook):
    cell(notebook, "q3_answer").metadata["nbgrader"] = dict(cell(notebook, "q2_answer").metadata["nbgrader"])


@pytest.mark.slow  # grades a quiz in a kernel
@pytest.mark.parametrize("change", [_points, _test_source, _answer, _extra_cell, _duplicate_id])
def test_a_notebook_that_is_not_the_sanitized_submission_is_not_recorded(graded, tmp_path, change):
    course = recording_course(tmp_path / "course", graded, ["ada", "ben"])
    with Recorder(course) as recorder:
        bad, good = recorder.record_many([as_student(graded, "ada", tampered(graded, change)),
                                          as_student(graded, "ben")])
    assert isinstance(bad, direct_record.NotebookMismatch), bad
    assert good.score == 6.0  # the rest of the batch is recorded
    assert {row[0] for row in gradebook_rows(tmp_path / "course")} == {"ben"}
    assert not (course.folder("autograded") / "ada").exists()


@pytest.mark.slow  # grades a quiz in a kernel
def test_recording_again_replaces_the_grades(graded, tmp_path):
    course = recording_course(tmp_path / "course", graded, ["ada"])
    with Recorder(course) as recorder:
        first = recorder.record(as_student(graded, "ada"))
        again = recorder.record(as_student(graded, "ada"))
    assert first == again and len(gradebook_rows(tmp_path / "course")) == len(set(gradebook_rows(tmp_path / "course")))


def config(text: str, **names) -> Config:
    """The course's configuration with `text` added (`names`: what it may refer to)."""
    cfg = Config()
    exec(compile((ROOT / "nbgrader_config.py").read_text() + text, "nbgrader_config.py", "exec"),
         {"get_config": lambda: cfg, **names})
    return cfg


def test_only_pipelines_it_knows_are_recorded_directly():
    assert direct_record.records_directly(config(""))
    assert direct_record.records_directly(config(LATE))
    extra = '\nc.Autograde.autograde_preprocessors.append("nbgrader.preprocessors.ComputeChecksums")\n'
    assert not direct_record.records_directly(config(extra))
    assert not direct_record.records_directly(config("\nc.OverwriteCells.add_missing_cells = True\n"))
    fewer = '\nc.Autograde.sanitize_preprocessors = ["nbgrader.preprocessors.ClearOutput"]\n'
    assert not direct_record.records_directly(config(fewer))
    subclass = ('\nc.Autograde.autograde_preprocessors = [SaveMore if s == "nbgrader.preprocessors.SaveAutoGrades" '
                'else s for s in c.Autograde.autograde_preprocessors]\n')
    assert not direct_record.records_directly(config(subclass, SaveMore=type("SaveMore", (SaveAutoGrades,), {})))


@pytest.mark.slow  # grades a quiz in a kernel
def test_an_unreadable_hand_in_time_is_named_and_nothing_of_it_is_written(graded, tmp_path):
    course = recording_course(tmp_path / "course", graded, ["ada", "ben"])
    (course.folder("submitted") / "ada" / QUIZ / "timestamp.txt").write_text("last tuesday")
    with Recorder(course) as recorder:
        bad, good = recorder.record_many([as_student(graded, "ada"), as_student(graded, "ben")])
    assert isinstance(bad, direct_record.UnreadableTimestamp)
    assert f"ada/{QUIZ}/timestamp.txt" in str(bad) and "'last tuesday' is not a time" in str(bad)
    assert good.score == 6.0
    assert {row[0] for row in gradebook_rows(tmp_path / "course")} == {"ben"}
    assert not (course.folder("autograded") / "ada").exists()
