"""Each step this course adds to nbgrader's pipelines, alone, on small notebooks."""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.artifacts import ARTIFACTS_DIR
from autograder.pipeline.preprocessors import run_hidden_checks
from autograder.pipeline.preprocessors.clear_artifacts import ClearArtifacts
from autograder.pipeline.preprocessors.limit_output_size import LimitOutputSize
from autograder.pipeline.preprocessors.replay_execution import ReplayExecution
from autograder.pipeline.preprocessors.run_hidden_checks import RunHiddenChecks
from autograder.pipeline.preprocessors.warnings_do_not_fail import WarningsDoNotFail
from autograder.results import FailedCell


def cell(source, grade_id=None, grade=False, solution=False, outputs=()):
    made = new_code_cell(source, outputs=list(outputs))
    if grade_id:
        made.metadata["nbgrader"] = {"grade_id": grade_id, "grade": grade, "solution": solution, "locked": grade,
                                     "schema_version": 3, **({"points": 1} if grade else {})}
    return made


def resources(tmp_path, assignment="c1w1-housing-prices"):
    return {"metadata": {"path": str(tmp_path)},
            "nbgrader": {"assignment": assignment, "student": "ada", "notebook": assignment}}


def test_warnings_do_not_fail_a_test_cell():
    stderr = new_output("stream", name="stderr", text="WARNING: retracing\n")
    notebook = new_notebook(cells=[cell("x", "test_x", grade=True, outputs=[stderr]),
                                   cell("y", "y", solution=True, outputs=[new_output("stream", name="stderr", text="!")])])
    WarningsDoNotFail().preprocess(notebook, {})
    assert notebook.cells[0].outputs[0].name == "stdout" and notebook.cells[1].outputs[0].name == "stderr"


@pytest.mark.parametrize("kind", ["folder", "file", "link"])
def test_clear_artifacts_removes_whatever_was_handed_in(tmp_path, kind):
    target = tmp_path / ARTIFACTS_DIR
    if kind == "folder":
        target.mkdir()
        (target / "history.json").write_text('{"kind": "json", "value": 1}')
    elif kind == "file":
        target.write_text("forged")
    else:
        target.symlink_to(tmp_path)
    ClearArtifacts().preprocess(new_notebook(), resources(tmp_path))
    assert not target.exists() and not target.is_symlink() and tmp_path.is_dir()


def test_limit_output_size_cuts_long_text_and_drops_huge_images():
    outputs = [new_output("stream", name="stdout", text="x" * 50), new_output("error", ename="E", evalue="e" * 50),
               new_output("display_data", data={"image/png": "A" * 500, "text/plain": "<Figure>"})]
    notebook = new_notebook(cells=[cell("print()", outputs=outputs)])
    LimitOutputSize(max_chars=10, max_bytes=100).preprocess(notebook, {})
    stream, error, image = notebook.cells[0].outputs
    assert stream.text.startswith("x" * 10) and "40 more characters" in stream.text
    assert error.evalue.endswith("(truncated)") and "image/png" not in image.data


def test_replay_execution_takes_the_outputs_of_the_executed_copy(tmp_path):
    submitted = new_notebook(cells=[cell("print(1)"), cell("x = 2")])
    executed = nbformat.from_dict(submitted)
    executed.cells[0].outputs = [new_output("stream", name="stdout", text="1\n")]
    folder = tmp_path / "ada" / "c1w1-housing-prices"
    folder.mkdir(parents=True)
    nbformat.write(executed, folder / "c1w1-housing-prices.ipynb")
    step = ReplayExecution(executed_directory=str(tmp_path))
    replayed, _ = step.preprocess(nbformat.from_dict(submitted), resources(tmp_path))
    assert replayed.cells[0].outputs[0].text == "1\n"
    changed = nbformat.from_dict(submitted)
    changed.cells[1].source = "x = 3"
    with pytest.raises(ValueError, match="differs from the sanitized submission"):
        step.preprocess(changed, resources(tmp_path))


def test_run_hidden_checks_adds_each_failure_as_the_cells_error(tmp_path, monkeypatch):
    calls = []

    def verify(assignment, folder, tests, failures):
        calls.append((assignment, folder, tests, failures))
        return {"test_create_training_data": "price should be in hundreds of thousands",
                "test_define_and_compile_model_compile": None}

    monkeypatch.setattr(run_hidden_checks, "verify_outside", verify)
    timed_out = new_output("error", ename="CellTimeLimit", evalue="This cell ran longer than its time limit of 120 s")
    hidden = 'run_check("c1w1-housing-prices", "{}", globals())'
    notebook = new_notebook(cells=[
        cell("trained_model = train_model()", "training", outputs=[timed_out]),
        cell(hidden.format("test_create_training_data"), "test_create_training_data", grade=True),
        cell(hidden.format("test_define_and_compile_model_compile"), "test_define_and_compile_model_compile", grade=True),
        cell(hidden.format("test_train_model_prediction"), "test_train_model_prediction", grade=True,
             outputs=[new_output("error", ename="NameError", evalue="name 'trained_model' is not defined")]),
    ])
    RunHiddenChecks().preprocess(notebook, resources(tmp_path))
    (_, folder, tests, failures), = calls
    assert folder == tmp_path / ARTIFACTS_DIR and tests == ["test_create_training_data", "test_define_and_compile_model_compile"]
    assert failures[0] == FailedCell("training", "This cell ran longer than its time limit of 120 s",
                                     frozenset({"trained_model"}))
    assert notebook.cells[1].outputs[-1].evalue == "price should be in hundreds of thousands"
    assert notebook.cells[2].outputs == []


def test_run_hidden_checks_stops_on_a_test_cell_without_a_check(tmp_path):
    notebook = new_notebook(cells=[cell('run_check("c1w1-housing-prices", "test_nothing", globals())',
                                        "test_nothing", grade=True)])
    with pytest.raises(ValueError, match="no entry in its check module's VERIFY"):
        RunHiddenChecks().preprocess(notebook, resources(tmp_path))
