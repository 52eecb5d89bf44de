"""pytest plugin behind the hidden checks.

A check module's tests ask for learner objects by fixture name. Everything comes from one
session fixture, `learner`, which wraps the submission's namespace:

* `autograder.checking.runner` hands over a namespace: the objects a grading kernel saved,
  rebuilt in the checks' own process, or the live objects of the course's tests;
* run directly, `pytest autograder/checks/hidden/<id>.py --submission NOTEBOOK` executes the
  notebook's non-test cells in this process to build the namespace.
"""
from __future__ import annotations

import contextlib
import os
import traceback
from pathlib import Path

import pytest

from autograder.feedback.diagnostics import explain
from autograder.results import FailedCell, defined_names, why_undefined

@contextlib.contextmanager
def working_directory(path: Path):
    """contextlib.chdir, which Python 3.10 lacks."""
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


# Set by the runner: the learner's names, and the cells that failed before the checks ran.
NAMESPACE = pytest.StashKey[dict]()
CELL_FAILURES = pytest.StashKey[list]()


def pytest_addoption(parser):
    parser.getgroup("autograder").addoption(
        "--submission",
        metavar="NOTEBOOK",
        help="run hidden checks against this notebook (its non-test cells are executed first)",
    )


class Learner:
    """The learner's names, with failures worded for the learner."""

    def __init__(self, namespace: dict, cell_failures: list[FailedCell] | None = None):
        self.namespace = namespace
        self.cell_failures = cell_failures or []

    def get(self, name: str):
        __tracebackhide__ = True
        if name in self.namespace:
            return self.namespace[name]
        pytest.fail(why_undefined(name, self.cell_failures), pytrace=False)

    def call(self, name: str, *args, **kwargs):
        """Call the learner's function; its exceptions become a learner message."""
        __tracebackhide__ = True
        function = self.get(name)
        try:
            return function(*args, **kwargs)
        except NotImplementedError:
            pytest.fail(
                f"`{name}` is not implemented yet: replace `raise NotImplementedError()` "
                "with your code.",
                pytrace=False,
            )
        except Exception as error:  # the learner's bug, reported rather than crashing the check
            pytest.fail(failure_message(f"`{name}(...)` raised", error), pytrace=False)


def failure_message(prefix: str, error: BaseException) -> str:
    message = f"{prefix} {type(error).__name__}: {error}"
    advice = explain(error)
    return f"{message}\n{advice}" if advice else message


def execute_submission(path: Path) -> Learner:
    """Run every non-test code cell of a notebook in a fresh namespace, like a kernel would.

    A cell that raises is recorded and execution goes on, so only the checks that need its
    names fail.
    """
    # Only for a notebook run directly, never in the grader's checks (each costs a second to import).
    import nbformat
    from IPython.core.inputtransformer2 import TransformerManager

    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    errors: list[FailedCell] = []
    transform = TransformerManager().transform_cell
    with working_directory(path.parent):
        for index, cell in enumerate(notebook.cells):
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
                continue
            name = meta.get("grade_id", f"cell {index}")
            try:
                exec(compile(transform(cell.source), f"<{name}>", "exec"), namespace)
            except Exception as error:
                errors.append(FailedCell(name, f"{type(error).__name__}: {error}", defined_names(cell.source)))
                traceback.print_exc()
    return Learner(namespace, errors)


@pytest.fixture(scope="session")
def learner(request) -> Learner:
    namespace = request.config.stash.get(NAMESPACE, None)
    if namespace is not None:
        yield Learner(namespace, request.config.stash.get(CELL_FAILURES, []))
        return
    submission = request.config.getoption("submission")
    if not submission:
        pytest.skip("no submission to check: pass --submission NOTEBOOK")
    path = Path(submission).resolve()
    if not path.is_file():
        raise pytest.UsageError(f"--submission {submission}: no such file")
    learner = execute_submission(path)
    # Checks then see the learner's relative paths (`data/...`) as the grading kernel does.
    with working_directory(path.parent):
        yield learner
